"""Graph workflows on the real engine, a real SQLite file and a loopback HTTP server.

Overlap is read from the server's own clock (when each request arrived and was answered),
never from sleeps in the test.
"""

from __future__ import annotations

import pytest

from app.core.errors import ValidationFailed
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

SLOW_S = 0.3  # each request's answer waits this long on the server


def _workflow(member: Actor, actions: list[dict], **extra) -> int:
    data = {"name": "graph", "trigger": {"type": "manual"}, "actions": actions, **extra}
    return workflows.create_workflow(member, data).workflow["id"]


async def _run(member: Actor, engine: Engine, wf: int, payload: dict | None = None) -> dict:
    started = await executions.execute_workflow(member, wf, payload=payload)
    await engine.drain()
    return executions.get_execution(member, started["id"])


def _steps(result: dict) -> dict[str, dict]:
    return {step["action_id"]: step for step in result["steps"]}


def _call(step_id: str, url: str, path: str, **extra) -> dict:
    return {"id": step_id, "type": "api_call", "config": {"url": f"{url}{path}"}, **extra}


def _two_branches(url: str) -> list[dict]:
    return [
        _call("left", url, "/left", depends_on=[]),
        _call("right", url, "/right", depends_on=[]),
        {
            "id": "join",
            "type": "merge",
            "depends_on": ["left", "right"],
            "config": {"mode": "object"},
        },
    ]


def _by_path(script) -> dict[str, dict]:
    return {request["path"]: request for request in script.requests}


async def test_independent_branches_run_at_the_same_time(
    engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.delay_s = SLOW_S
    result = await _run(member, engine, _workflow(member, _two_branches(url)))
    assert result["status"] == "succeeded" and result["steps_completed"] == 3
    left, right = _by_path(script)["/left"], _by_path(script)["/right"]
    # Each request arrived before the other one was answered: they were in flight together.
    assert right["received_at"] < left["answered_at"]
    assert left["received_at"] < right["answered_at"]
    join = _steps(result)["join"]
    assert join["status"] == "succeeded"
    assert set(join["output"]) == {"left", "right"}
    assert join["output"]["left"]["body"] == {"ok": True}


async def test_max_parallel_1_runs_one_step_at_a_time(
    engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.delay_s = SLOW_S
    wf = _workflow(member, _two_branches(url), maxParallel=1)
    assert workflows.get_workflow(member, wf)["max_parallel"] == 1
    result = await _run(member, engine, wf)
    assert result["status"] == "succeeded"
    first, second = sorted(script.requests, key=lambda r: r["received_at"])
    assert [first["path"], second["path"]] == ["/left", "/right"]  # definition order
    assert second["received_at"] >= first["answered_at"]


def _if_graph(url: str) -> list[dict]:
    return [
        {"id": "check", "type": "if", "config": {"condition": "trigger.n > 1"}},
        _call("big", url, "/big", depends_on=["check:true"]),
        _call("small", url, "/small", depends_on=["check:false"]),
        {
            "id": "join",
            "type": "merge",
            "depends_on": ["big", "small"],
            "trigger_rule": "none_failed",
            "config": {"mode": "object"},
        },
    ]


@pytest.mark.parametrize(("n", "taken", "not_taken"), [(5, "big", "small"), (0, "small", "big")])
async def test_if_runs_one_side_skips_the_other_and_the_join_runs(
    engine: Engine, member: Actor, http_server, n: int, taken: str, not_taken: str
) -> None:
    url, script = http_server
    result = await _run(member, engine, _workflow(member, _if_graph(url)), {"n": n})
    assert result["status"] == "succeeded" and result["steps_completed"] == 4
    steps = _steps(result)
    chose = "true" if n > 1 else "false"
    other = "false" if n > 1 else "true"
    assert steps["check"]["output"] == {"branch": chose, "condition": n > 1}
    assert steps[taken]["status"] == "succeeded"
    assert steps[not_taken]["status"] == "skipped"
    assert steps[not_taken]["skip_reason"] == (
        f'branch "{other}" of "check" was not taken (it chose "{chose}")'
    )
    assert [r["path"] for r in script.requests] == [f"/{taken}"]
    assert steps["join"]["status"] == "succeeded"
    assert list(steps["join"]["output"]) == [taken]


async def test_switch_follows_the_matching_case_or_default(engine: Engine, member: Actor) -> None:
    actions = [
        {
            "id": "route",
            "type": "switch",
            "config": {"value": "{{ trigger.kind }}", "cases": {"post": "post", "page": "page"}},
        },
        {
            "id": "on_post",
            "type": "transform",
            "depends_on": ["route:post"],
            "config": {"values": {"x": 1}},
        },
        {
            "id": "other",
            "type": "transform",
            "depends_on": ["route:default"],
            "config": {"values": {"x": 2}},
        },
    ]
    wf = _workflow(member, actions)
    steps = _steps(await _run(member, engine, wf, {"kind": "post"}))
    assert (steps["on_post"]["status"], steps["other"]["status"]) == ("succeeded", "skipped")
    steps = _steps(await _run(member, engine, wf, {"kind": "video"}))
    assert steps["route"]["output"]["branch"] == "default"
    assert (steps["on_post"]["status"], steps["other"]["status"]) == ("skipped", "succeeded")


async def test_all_done_clean_up_runs_after_a_failure_and_the_run_still_fails(
    engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(404, {"error": "missing"})]
    actions = [
        _call("fetch", url, "/fetch"),
        {"id": "use", "type": "transform", "config": {"values": {"x": 1}}},
        _call("cleanup", url, "/cleanup", depends_on=["fetch"], trigger_rule="all_done"),
    ]
    result = await _run(member, engine, _workflow(member, actions))
    assert result["status"] == "failed" and result["failed_step"] == "fetch"
    steps = _steps(result)
    assert steps["use"]["status"] == "skipped"
    assert steps["use"]["skip_reason"] == 'dependency "fetch" failed'
    assert steps["cleanup"]["status"] == "succeeded"
    assert [r["path"] for r in script.requests] == ["/fetch", "/cleanup"]
    assert result["steps_completed"] == 1  # the clean-up; a step skipped by a failure is not


async def test_retry_reuses_the_branch_that_succeeded_and_reruns_the_failed_one(
    engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(500, {"error": "down"})]
    actions = [
        {
            "id": "left",
            "type": "transform",
            "depends_on": [],
            "config": {"values": {"run": "{{ execution.id }}"}},
        },
        _call("right", url, "/right", depends_on=[]),
        {"id": "after_right", "type": "transform", "config": {"values": {"ok": True}}},
        {
            "id": "final",
            "type": "merge",
            "depends_on": ["left", "after_right"],
            "config": {"mode": "object"},
        },
    ]
    wf = _workflow(member, actions)
    failed = await _run(member, engine, wf)
    assert failed["status"] == "failed" and failed["failed_step"] == "right"
    first = _steps(failed)
    assert [first[s]["status"] for s in ("after_right", "final")] == ["skipped", "skipped"]

    retried = executions.retry_execution(member, failed["id"])
    await engine.drain()
    result = executions.get_execution(member, retried["id"])
    steps = _steps(result)
    assert result["status"] == "succeeded" and result["retry_of"] == failed["id"]
    assert steps["left"]["input"] == {"reused_from_execution": failed["id"]}
    assert steps["left"]["output"] == {"run": failed["id"]}  # not re-run: the old output
    assert steps["right"]["attempts"] and steps["right"]["output"]["status"] == 200
    assert steps["after_right"]["status"] == "succeeded"
    assert steps["final"]["output"] == {"left": {"run": failed["id"]}, "after_right": {"ok": True}}
    assert [r["path"] for r in script.requests] == ["/right", "/right"]


def test_the_definition_names_every_graph_problem_with_its_path(member: Actor) -> None:
    actions = [
        {"id": "a", "type": "transform", "depends_on": ["b"], "config": {"values": {}}},
        {"id": "b", "type": "transform", "depends_on": ["a", "ghost"], "config": {"values": {}}},
        {"id": "c", "type": "if", "config": {"condition": "trigger.x >"}},
        {
            "id": "d",
            "type": "transform",
            "depends_on": ["c:maybe"],
            "trigger_rule": "sometimes",
            "config": {"values": {}},
        },
    ]
    with pytest.raises(ValidationFailed) as caught:
        _workflow(member, actions, max_parallel=65)
    paths = {problem.path for problem in caught.value.problems}
    assert {
        "max_parallel",
        "actions[1].depends_on[1]",
        "actions[2].config.condition",
        "actions[3].depends_on[0]",
        "actions[3].trigger_rule",
    } <= paths
    assert any("cycle: a → b → a" in p.message for p in caught.value.problems)


async def test_merge_append_concatenates_in_depends_on_order(engine: Engine, member: Actor) -> None:
    actions = [
        {"id": "one", "type": "transform", "depends_on": [], "config": {"values": {"n": 1}}},
        {"id": "two", "type": "transform", "depends_on": [], "config": {"values": {"n": 2}}},
        {"id": "both", "type": "merge", "depends_on": ["two", "one"], "config": {"mode": "append"}},
    ]
    result = await _run(member, engine, _workflow(member, actions))
    assert _steps(result)["both"]["output"] == [{"n": 2}, {"n": 1}]
