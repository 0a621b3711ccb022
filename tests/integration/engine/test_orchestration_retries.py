"""`run_calls`: retries (503, 429 with Retry-After), timeouts (per call and overall), masking of
connection credentials in everything a run record stores."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.orchestration import validate_orchestration
from app.core.redact import SecretValues
from app.engine.orchestration_records import CallRecord
from app.engine.orchestration_runner import run_calls
from app.services import connections
from app.services.actor import Actor
from tests.integration.engine.orchestration_server import Answer, Api, serve

TOKEN = "tok-live-9Xc2Vb7Nm4Qw8Er1Ty"  # the connection's bearer token


@pytest.fixture
def api() -> Iterator[Api]:
    with serve() as server:
        yield server


async def _run(data: dict[str, Any], **kwargs: Any):
    spec = validate_orchestration({"name": "test", **data})
    return await run_calls(spec, {}, env={}, now=datetime.now(UTC), **kwargs)


def _gaps(api: Api, path: str) -> list[float]:
    """Seconds between one answer going out and the next request arriving."""
    seen = api.seen(path)
    return [
        later.arrived - earlier.answered for earlier, later in zip(seen, seen[1:], strict=False)
    ]


async def test_503_is_retried_with_backoff_and_every_attempt_recorded(api: Api) -> None:
    api.script("/flaky", Answer(status=503), Answer(status=503), Answer(body={"ok": 1}))
    retry = {"strategy": "exponential", "max_attempts": 4, "delay_s": 0.15, "factor": 2}
    record = await _run({"calls": [{"id": "a", "url": f"{api.url}/flaky", "retry": retry}]})

    call = record.call("a")
    assert call.status == "succeeded", call.error
    assert [(a.number, a.status_code, a.kind) for a in call.attempts] == [
        (1, 503, "http_5xx"),
        (2, 503, "http_5xx"),
        (3, 200, None),
    ]
    assert call.attempts[0].error == f"GET {api.url}/flaky answered 503"
    first, second = _gaps(api, "/flaky")
    assert 0.13 <= first < 1.0 and 0.28 <= second < 1.5  # 0.15 s, then 0.3 s
    assert call.attempts[1].start_ms >= call.attempts[0].start_ms + 150
    assert call.response["body"] == {"ok": 1}


async def test_the_run_default_policy_applies_and_gives_up(api: Api) -> None:
    api.script("/down", *[Answer(status=503)] * 3)
    data = {
        "retry": {"strategy": "immediate", "max_attempts": 3},
        "calls": [{"id": "a", "url": f"{api.url}/down"}],
    }
    record = await _run(data)
    call = record.call("a")
    assert call.status == "failed" and len(call.attempts) == 3
    assert call.error == f"GET {api.url}/down answered 503 (after 3 attempts)"
    assert record.status == "failed"


async def test_a_4xx_other_than_429_is_not_retried(api: Api) -> None:
    api.script("/bad", Answer(status=400), Answer(status=200))
    retry = {"strategy": "immediate", "max_attempts": 3}
    record = await _run({"calls": [{"id": "a", "url": f"{api.url}/bad", "retry": retry}]})
    assert len(record.call("a").attempts) == 1 and record.call("a").status == "failed"


async def test_429_waits_as_long_as_retry_after_says(api: Api) -> None:
    api.script("/limited", Answer(status=429, headers={"Retry-After": "1"}), Answer())
    retry = {"strategy": "linear", "delay_s": 0.05, "max_delay_s": 5}
    record = await _run({"calls": [{"id": "a", "url": f"{api.url}/limited", "retry": retry}]})

    call = record.call("a")
    assert call.status == "succeeded", call.error
    assert [a.kind for a in call.attempts] == ["http_429", None]
    (gap,) = _gaps(api, "/limited")
    assert 0.95 <= gap < 2.5  # the server's 1 s, not the policy's 0.05 s


async def test_429_retry_after_as_an_http_date(api: Api) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    api.script("/limited", Answer(status=429, headers={"Retry-After": when}), Answer())
    retry = {"strategy": "immediate", "max_attempts": 2, "max_delay_s": 10}
    record = await _run({"calls": [{"id": "a", "url": f"{api.url}/limited", "retry": retry}]})

    assert record.call("a").status == "succeeded"
    (gap,) = _gaps(api, "/limited")
    assert 1.5 <= gap < 4.5  # until that second (the date has whole seconds: 2-3 s from now)


async def test_retry_after_is_capped_by_max_delay(api: Api) -> None:
    api.script("/limited", Answer(status=429, headers={"Retry-After": "120"}), Answer())
    retry = {"strategy": "linear", "delay_s": 0.05, "max_delay_s": 0.3}
    started = time.monotonic()
    record = await _run({"calls": [{"id": "a", "url": f"{api.url}/limited", "retry": retry}]})

    assert record.call("a").status == "succeeded"
    (gap,) = _gaps(api, "/limited")
    assert 0.28 <= gap < 1.5
    assert time.monotonic() - started < 5


async def test_a_call_past_its_timeout_fails_as_a_timeout(api: Api) -> None:
    api.script("/slow", Answer(delay_s=3))
    calls = [
        {"id": "slow", "url": f"{api.url}/slow", "timeout_s": 0.3},
        {"id": "after", "url": f"{api.url}/after", "depends_on": ["slow"]},
        {"id": "other", "url": f"{api.url}/other"},
    ]
    record = await _run({"mode": "parallel", "calls": calls})

    slow = record.call("slow")
    assert slow.status == "failed" and slow.error == "timed out after 0.3 s"
    assert [(a.kind, a.error) for a in slow.attempts] == [("timeout", "timed out after 0.3 s")]
    assert 250 <= slow.duration_ms < 1500
    assert record.call("after").status == "skipped"
    assert record.call("other").status == "succeeded"
    assert record.status == "failed"


async def test_the_overall_timeout_cancels_what_is_in_flight(api: Api) -> None:
    api.script("/a", Answer(delay_s=3))
    api.script("/b", Answer(delay_s=3))
    calls = [
        {"id": "fast", "url": f"{api.url}/fast"},
        {"id": "a", "url": f"{api.url}/a"},
        {"id": "b", "url": f"{api.url}/b"},
        {"id": "after", "url": f"{api.url}/after", "depends_on": ["a"]},
    ]
    heard: list[tuple[str, str]] = []

    async def on_call(call: CallRecord) -> None:
        heard.append((call.id, call.status))

    started = time.monotonic()
    record = await _run({"mode": "parallel", "timeout_s": 0.5, "calls": calls}, on_call=on_call)
    elapsed = time.monotonic() - started

    assert elapsed < 2.0  # not the server's 3 s
    assert record.status == "failed" and record.error == "timed out after 0.5 s"
    statuses = {call.id: call.status for call in record.calls}
    assert statuses == {
        "fast": "succeeded",
        "a": "cancelled",
        "b": "cancelled",
        "after": "cancelled",
    }
    assert record.call("a").error == "cancelled: the run timed out after 0.5 s"
    assert record.call("a").attempts[0].kind == "cancelled"
    assert 400 <= record.call("a").duration_ms < 2000
    assert record.call("after").reason == "not started: the run timed out after 0.5 s"
    assert ("a", "cancelled") in heard and ("after", "cancelled") in heard


async def test_a_run_cancelled_from_outside_records_its_calls_cancelled(api: Api) -> None:
    api.script("/a", Answer(delay_s=3))
    heard: list[tuple[str, str]] = []

    async def on_call(call: CallRecord) -> None:
        heard.append((call.id, call.status))

    task = asyncio.create_task(
        _run({"calls": [{"id": "a", "url": f"{api.url}/a"}]}, on_call=on_call)
    )
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert heard == [("a", "running"), ("a", "cancelled")]


def _connection(member: Actor, base_url: str) -> None:
    connections.create_connection(
        member,
        {
            "name": "remote",
            "platform": "http",
            "connectionType": "oauth",
            "credentials": {"token": TOKEN},
            "config": {"baseUrl": base_url},
        },
    )


async def test_connection_auth_is_sent_and_masked_in_everything_stored(
    db: Path, member: Actor, api: Api
) -> None:
    _connection(member, api.url)
    api.script(
        "/leaky", Answer(body={"echo": f"Bearer {TOKEN}", "id": "u1"}, headers={"x-echo": TOKEN})
    )
    calls = [
        {
            "id": "me",
            "url": "/me",
            "connection": "remote",
            "extract": {"auth": "headers.Authorization"},
        },
        {"id": "leaky", "url": "/leaky", "connection": "remote"},
        {"id": "copy", "url": f"{api.url}/copy", "body": {"got": "{{ calls.me.auth }}"}},
    ]
    secrets = SecretValues()
    record = await _run({"mode": "pipeline", "calls": calls}, secrets=secrets)

    assert record.status == "succeeded", record.error
    (me,) = api.seen("/me")
    assert me.headers["Authorization"] == f"Bearer {TOKEN}"  # the real value went out
    assert TOKEN in secrets  # the caller's mask list learned it
    assert record.call("me").request["headers"]["Authorization"] == f"Bearer {TOKEN}"  # in memory

    stored = record.as_dict()
    assert stored["calls"][0]["request"]["headers"]["Authorization"] == "[redacted]"
    assert stored["calls"][1]["response"]["body"]["echo"] == "Bearer [redacted]"
    assert stored["calls"][1]["response"]["headers"]["x-echo"] == "[redacted]"
    assert stored["calls"][2]["request"]["body"] == {"got": "Bearer [redacted]"}
    assert TOKEN not in json.dumps(stored)
    assert record.call("leaky").url == f"{api.url}/leaky"


async def test_stored_bodies_are_capped(api: Api) -> None:
    api.script("/big", Answer(body={"items": ["x" * 1000] * 300}))
    api.script("/small", Answer(body={"items": ["x" * 1000] * 100}))
    calls = [{"id": "big", "url": f"{api.url}/big"}, {"id": "small", "url": f"{api.url}/small"}]
    record = await _run({"calls": calls})

    for call, size in ((record.call("big"), 300), (record.call("small"), 100)):
        assert len(call.response["body"]["items"]) == size  # whole in memory
        assert call.response_bytes > size * 1000
        stored = call.as_dict()["response"]["body"]
        assert stored["_truncated"] is True and stored["original_bytes"] > size * 1000
        assert len(json.dumps(stored)) <= 64 * 1024
        assert call.output()["body"] == stored  # what a workflow step hands on: capped too
