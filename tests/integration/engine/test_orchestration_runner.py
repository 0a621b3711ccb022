"""`run_calls` against a real loopback server: each mode, skips, value passing, records."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.orchestration import validate_orchestration
from app.engine.orchestration_records import CallRecord
from app.engine.orchestration_runner import run_calls
from tests.integration.engine.orchestration_server import Answer, Api, serve

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def api() -> Iterator[Api]:
    with serve() as server:
        yield server


async def _run(data: dict[str, Any], inputs: dict[str, Any] | None = None, **kwargs: Any):
    spec = validate_orchestration({"name": "test", **data})
    return await run_calls(spec, inputs or {}, env={"REGION": "eu"}, now=NOW, **kwargs)


def _statuses(record) -> dict[str, str]:
    return {call.id: call.status for call in record.calls}


async def test_sequential_runs_in_listed_order_one_at_a_time(api: Api) -> None:
    api.script("/a", Answer(delay_s=0.1))
    calls = [{"id": name, "url": f"{api.url}/{name}"} for name in ("a", "b", "c")]
    record = await _run({"mode": "sequential", "calls": calls})

    assert record.status == "succeeded", record.error
    assert [r.path for r in api.requests] == ["/a", "/b", "/c"]
    a, b, c = api.requests
    assert a.answered <= b.arrived and b.answered <= c.arrived  # never overlapping
    starts = [call.start_ms for call in record.calls]
    assert starts == sorted(starts)
    assert record.calls[0].duration_ms >= 100
    assert all(call.status_code == 200 and len(call.attempts) == 1 for call in record.calls)


async def test_sequential_failure_skips_the_rest(api: Api) -> None:
    api.script("/a", Answer(status=500, body={"error": "boom"}))
    calls = [{"id": name, "url": f"{api.url}/{name}"} for name in ("a", "b")]
    record = await _run({"mode": "sequential", "calls": calls})

    assert record.status == "failed"
    assert _statuses(record) == {"a": "failed", "b": "skipped"}
    assert record.call("b").reason == 'dependency "a" failed'
    assert record.error == f'call "a" failed: GET {api.url}/a answered 500'
    assert record.call("a").response["body"] == {"error": "boom"}
    assert [r.path for r in api.requests] == ["/a"]


async def test_parallel_runs_independent_calls_together_and_dependents_after(api: Api) -> None:
    for name in ("a", "b", "c"):
        api.script(f"/{name}", Answer(delay_s=0.4))
    calls = [{"id": name, "url": f"{api.url}/{name}"} for name in ("a", "b", "c")]
    calls.append({"id": "d", "url": f"{api.url}/d", "depends_on": ["a", "c"]})
    record = await _run({"mode": "parallel", "calls": calls})

    assert record.status == "succeeded", record.error
    first = [r for r in api.requests if r.path != "/d"]
    assert max(r.arrived for r in first) < min(r.answered for r in first)  # all in flight at once
    (d,) = api.seen("/d")
    assert d.arrived >= max(r.answered for r in first if r.path in ("/a", "/c"))
    assert record.duration_ms < 1100  # one after another: 1200 ms and more
    a, b, c, d_call = record.calls
    assert max(a.start_ms, b.start_ms, c.start_ms) < min(a.duration_ms, b.duration_ms)
    assert d_call.start_ms >= a.start_ms + a.duration_ms


async def test_parallel_failed_call_skips_its_dependents_only(api: Api) -> None:
    api.script("/a", Answer(status=502))
    calls = [
        {"id": "a", "url": f"{api.url}/a"},
        {"id": "b", "url": f"{api.url}/b", "depends_on": ["a"]},
        {"id": "c", "url": f"{api.url}/c", "depends_on": ["b"]},
        {"id": "d", "url": f"{api.url}/d"},
    ]
    record = await _run({"mode": "parallel", "calls": calls})

    assert record.status == "failed"
    assert _statuses(record) == {"a": "failed", "b": "skipped", "c": "skipped", "d": "succeeded"}
    assert record.call("b").reason == 'dependency "a" failed'
    assert record.call("c").reason == 'dependency "b" was skipped'
    assert {r.path for r in api.requests} == {"/a", "/d"}


async def test_continue_on_error_lets_dependents_run_and_makes_the_run_partial(api: Api) -> None:
    api.script("/a", Answer(status=500))
    calls = [
        {"id": "a", "url": f"{api.url}/a", "continue_on_error": True},
        {"id": "b", "url": f"{api.url}/b", "depends_on": ["a"]},
    ]
    record = await _run({"mode": "parallel", "calls": calls})

    assert record.status == "partial"
    assert _statuses(record) == {"a": "failed", "b": "succeeded"}
    assert record.error is None


async def test_expected_status_accepts_what_it_lists(api: Api) -> None:
    api.script("/gone", Answer(status=404, body={"missing": True}))
    api.script("/ok", Answer(status=200))
    calls = [
        {"id": "gone", "url": f"{api.url}/gone", "expected_status": [404]},
        {"id": "ok", "url": f"{api.url}/ok", "expected_status": [201]},
    ]
    record = await _run({"mode": "parallel", "calls": calls})

    assert _statuses(record) == {"gone": "succeeded", "ok": "failed"}
    assert record.call("ok").attempts[0].kind == "error"  # a 200 that was not expected


async def test_conditional_skips_a_false_branch_with_its_dependents(api: Api) -> None:
    calls = [
        {"id": "check", "url": f"{api.url}/check"},
        {
            "id": "notify",
            "url": f"{api.url}/notify",
            "depends_on": ["check"],
            "condition": "inputs.send and calls.check.response.status == 200",
        },
        {"id": "log", "url": f"{api.url}/log", "depends_on": ["notify"]},
        {
            "id": "audit",
            "url": f"{api.url}/audit",
            "depends_on": ["check"],
            "condition": "calls.check.response.body.path == '/check'",
        },
    ]
    record = await _run({"mode": "conditional", "calls": calls}, {"send": False})

    assert record.status == "succeeded", record.error
    assert _statuses(record) == {
        "check": "succeeded",
        "notify": "skipped",
        "log": "skipped",
        "audit": "succeeded",
    }
    assert record.call("notify").reason.startswith("condition is false: inputs.send")
    assert record.call("log").reason == 'dependency "notify" was skipped'
    assert {r.path for r in api.requests} == {"/check", "/audit"}

    again = await _run({"mode": "conditional", "calls": calls}, {"send": True})
    assert set(_statuses(again).values()) == {"succeeded"}


async def test_outside_conditional_mode_a_false_condition_passes_through(api: Api) -> None:
    calls = [
        {"id": "a", "url": f"{api.url}/a", "condition": "false"},
        {"id": "b", "url": f"{api.url}/b"},
    ]
    record = await _run({"mode": "sequential", "calls": calls})
    assert _statuses(record) == {"a": "skipped", "b": "succeeded"}


async def test_pipeline_passes_extracted_values_and_responses_on(api: Api) -> None:
    api.script("/login", Answer(body={"data": {"access_token": "tok-123", "user": {"id": 7}}}))
    calls = [
        {
            "id": "login",
            "method": "POST",
            "url": f"{api.url}/login",
            "body": {"user": "{{ inputs.user }}", "region": "{{ env.REGION }}"},
            "extract": {"token": "data.access_token", "uid": "data.user.id"},
        },
        {
            "id": "profile",
            "url": f"{api.url}/users/{{{{ prev.uid }}}}",
            "headers": {"Authorization": "Bearer {{ prev.token }}"},
            "query": {"at": "{{ now }}", "status": "{{ prev.response.status }}"},
            "extract": {"seen": "headers.Authorization"},
        },
        {
            "id": "audit",
            "method": "PUT",
            "url": f"{api.url}/audit",
            "body": "{{ calls.login.token }} then {{ prev.seen }}",
        },
    ]
    record = await _run({"mode": "pipeline", "calls": calls}, {"user": "ann"})

    assert record.status == "succeeded", record.error
    login, profile, audit = (api.seen(p)[0] for p in ("/login", "/users/7", "/audit"))
    assert json.loads(login.body) == {"user": "ann", "region": "eu"}
    assert profile.headers["Authorization"] == "Bearer tok-123"
    assert profile.query == {"at": [NOW.isoformat()], "status": ["200"]}
    assert audit.body == "tok-123 then Bearer tok-123"
    assert record.call("login").extracted == {"token": "tok-123", "uid": 7}
    assert record.call("profile").url == f"{api.url}/users/7"


async def test_a_template_that_fails_fails_its_call_without_an_attempt(api: Api) -> None:
    calls = [{"id": "a", "url": f"{api.url}/a", "headers": {"X": "{{ inputs.missing.deeper }}"}}]
    record = await _run({"mode": "sequential", "calls": calls})

    call = record.call("a")
    assert call.status == "failed" and call.attempts == []
    assert call.error.startswith("headers: template error")
    assert api.requests == []


async def test_on_call_hears_each_start_and_end(api: Api) -> None:
    heard: list[tuple[str, str]] = []

    async def on_call(call: CallRecord) -> None:
        heard.append((call.id, call.status))
        json.dumps(call.as_dict())  # JSON-safe at every point

    calls = [
        {"id": "a", "url": f"{api.url}/a"},
        {"id": "b", "url": f"{api.url}/b", "condition": "false"},
    ]
    await _run({"mode": "pipeline", "calls": calls}, on_call=on_call)
    assert heard == [("a", "running"), ("a", "succeeded"), ("b", "running"), ("b", "skipped")]


async def test_a_failing_on_call_does_not_fail_the_run(api: Api) -> None:
    async def on_call(call: CallRecord) -> None:
        raise RuntimeError("the recorder is down")

    record = await _run({"calls": [{"id": "a", "url": f"{api.url}/a"}]}, on_call=on_call)
    assert record.status == "succeeded"


async def test_the_address_guard_refuses_a_blocked_destination() -> None:
    record = await _run({"calls": [{"id": "a", "url": "http://10.1.2.3/x"}]})
    call = record.call("a")
    assert call.status == "failed"
    assert "10.1.2.3" in call.error and "FLOWDECK_OUTBOUND_ALLOW" in call.error


async def test_a_heavy_template_renders_off_the_loop_and_stops_at_the_call_timeout(
    api: Api,
) -> None:
    # ~9 µs an iteration, under the loop budget (1,000,000): seconds of work, so the 0.4 s
    # timeout ends it on any machine (empty loops hit the budget first on a quiet one)
    heavy = (
        "{% for i in range(1000) %}{% for j in range(998) %}{% set x = (i ~ j) | length %}"
        "{% endfor %}{% endfor %}x"
    )
    calls = [{"id": "a", "url": f"{api.url}/a", "headers": {"X": heavy}, "timeout_s": 0.4}]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        record = await _run({"calls": calls})
    finally:
        task.cancel()
    call = record.call("a")
    assert call.status == "failed"
    assert call.error == "timed out after 0.4 s (rendering the call)"
    assert ticks >= 10  # the loop went on meanwhile
    assert api.requests == []
