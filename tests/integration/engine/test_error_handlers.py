"""Error handlers on the real engine, a real SQLite file and a loopback HTTP server:
`depends_on: ["<id>:failed"]` runs after a step's failure, and the run goes on along it."""

from __future__ import annotations

from app.engine.runner import Engine
from app.services.actor import Actor
from tests.integration.engine.test_graph_runs import _call, _run, _steps, _workflow


def _handled(url: str) -> list[dict]:
    return [
        _call("fetch", url, "/fetch"),
        _call("use", url, "/use"),
        _call("handler", url, "/handler", depends_on=["fetch:failed"]),
        {"id": "after", "type": "transform", "config": {"values": {"went_on": True}}},
    ]


async def test_a_handled_failure_continues_along_the_handler_and_succeeds(
    engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(500, {"error": "down"})]  # the first request fails, the rest answer ok
    result = await _run(member, engine, _workflow(member, _handled(url)))
    steps = _steps(result)
    assert result["status"] == "succeeded" and result["failed_step"] is None
    assert steps["fetch"]["status"] == "failed" and "500" in steps["fetch"]["error"]
    assert steps["use"]["status"] == "skipped"
    assert steps["use"]["skip_reason"] == 'dependency "fetch" failed'
    assert (steps["handler"]["status"], steps["after"]["status"]) == ("succeeded", "succeeded")
    assert steps["after"]["output"] == {"went_on": True}
    assert [r["path"] for r in script.requests] == ["/fetch", "/handler"]
    # the failure is recorded on the run too, named with its handler
    assert result["error"].startswith("step fetch failed (handled by handler):")


async def test_without_a_failure_the_handler_is_skipped(
    engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    result = await _run(member, engine, _workflow(member, _handled(url)))
    steps = _steps(result)
    assert result["status"] == "succeeded" and result["error"] is None
    assert steps["handler"]["status"] == "skipped"
    assert steps["handler"]["skip_reason"] == '"fetch" succeeded, so its error handler did not run'
    assert steps["after"]["status"] == "skipped"
    assert [r["path"] for r in script.requests] == ["/fetch", "/use"]


async def test_a_handler_that_fails_fails_the_run_at_the_first_failure(
    engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(500, {"error": "down"}), (502, {"error": "also down"})]
    result = await _run(member, engine, _workflow(member, _handled(url)))
    steps = _steps(result)
    assert result["status"] == "failed" and result["failed_step"] == "fetch"
    assert steps["handler"]["status"] == "failed"
    assert steps["after"]["status"] == "skipped"
