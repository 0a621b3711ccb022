"""`monitor` on the real engine: a page and a JSON API on loopback, samples in SQLite."""

from __future__ import annotations

import socket

import pytest
from sqlmodel import select

from app.core.errors import ValidationFailed
from app.db.engine import session_scope
from app.db.models import MetricSample
from app.engine.runner import Engine
from app.services.actor import Actor
from tests.integration.actions.action_helpers import run, workflow
from tests.integration.actions.stand_ins import Site


def _samples(execution_id: int) -> list[MetricSample]:
    with session_scope() as session:
        query = select(MetricSample).where(MetricSample.execution_id == execution_id)
        return list(session.exec(query.order_by(MetricSample.id)))  # type: ignore[arg-type]


def _monitor(**config: object) -> list[dict]:
    return [{"id": "monitor", "type": "monitor", "config": config}]


async def test_urls_and_json_values_become_samples(
    engine: Engine, member: Actor, site: Site
) -> None:
    page, stats = f"{site.base_url}/articles/hello", f"{site.base_url}/api/stats"
    result = await run(
        member,
        engine,
        _monitor(
            urls=[page],
            jsonPaths={"visitors": f"{stats}|$.data.visitors",
                       "engagement": f"{stats}|data.engagement.rate"},
            thresholds={"visitors": {"min": 100}, "latency_ms": {"max": 10_000}},
        ),
    )  # fmt: skip
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    assert output["values"] == {"visitors": 1234.0, "engagement": 0.42}
    assert [u["url"] for u in output["urls"]] == [page, stats]
    first = output["urls"][0]
    assert first["status"] == 200 and first["up"] == 1 and first["size_bytes"] > 2000
    assert first["latency_ms"] >= 0 and first["error"] is None
    assert len(site.to("/api/stats")) == 1  # one request per URL, however many values it has
    samples = _samples(result["id"])
    assert output["samples"] == len(samples) == 10
    assert {(s.name, s.value) for s in samples if s.source == stats} >= {
        ("visitors", 1234.0), ("engagement", 0.42), ("status", 200.0), ("up", 1.0)
    }  # fmt: skip
    assert all(s.workflow_id == result["workflow_id"] for s in samples)
    assert output["breaches"] == []


async def test_a_breached_threshold_fails_the_step_after_storing_samples(
    engine: Engine, member: Actor, site: Site
) -> None:
    stats = f"{site.base_url}/api/stats"
    result = await run(
        member,
        engine,
        _monitor(jsonPaths={"visitors": f"{stats}|$.data.visitors"},
                 thresholds={"visitors": {"min": 5000}}),
    )  # fmt: skip
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert step["error"] == (
        f"threshold breached: visitors ({stats}) is 1234, below the minimum 5000"
    )
    assert step["attempts"][0]["failure_kind"] == "error"
    assert step["output"]["breaches"] and len(_samples(result["id"])) == 5


async def test_a_status_threshold_applies_to_every_url(
    engine: Engine, member: Actor, site: Site
) -> None:
    result = await run(
        member,
        engine,
        _monitor(urls=[f"{site.base_url}/status/200", f"{site.base_url}/status/503"],
                 thresholds={"status": {"max": 399}}),
    )  # fmt: skip
    assert result["status"] == "failed"
    assert "status (" in result["steps"][0]["error"]
    assert "/status/503) is 503, above the maximum 399" in result["steps"][0]["error"]


async def test_a_path_that_finds_nothing_names_where_it_stopped(
    engine: Engine, member: Actor, site: Site
) -> None:
    stats = f"{site.base_url}/api/stats"
    result = await run(member, engine, _monitor(jsonPaths={"x": f"{stats}|$.data.nope[0]"}))
    assert result["status"] == "failed"
    assert result["steps"][0]["error"] == (
        f"monitor could not measure x: $.data.nope is not there in the answer of {stats}"
    )


async def test_an_unreachable_url_is_a_retryable_failure(engine: Engine, member: Actor) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    url = f"http://127.0.0.1:{port}/health"
    result = await run(
        member,
        engine,
        [{**_monitor(urls=[url])[0], "retry": {"strategy": "immediate", "max_attempts": 2}}],
    )
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert [a["failure_kind"] for a in step["attempts"]] == ["connection", "connection"]
    assert f"{url}: unreachable: ConnectError" in step["error"]
    assert [(s.name, s.value) for s in _samples(result["id"])] == [("up", 0.0), ("up", 0.0)]


async def test_blocked_addresses_and_bad_configs_are_refused(
    engine: Engine, member: Actor, site: Site
) -> None:
    blocked = await run(member, engine, _monitor(urls=["http://169.254.169.254/latest/"]))
    assert blocked["status"] == "failed"
    assert "blocked" in blocked["steps"][0]["error"]

    bad_path = _monitor(jsonPaths={"n": f"{site.base_url}|$.a..b"})
    unknown = _monitor(urls=[site.base_url], thresholds={"visits": {"max": 1}})
    for actions, problem in (
        (bad_path, "json_paths: n: cannot read path '$.a..b' at character 5"),
        (unknown, "thresholds for unknown values ['visits']"),
    ):
        with pytest.raises(ValidationFailed) as refused:  # checked when the workflow is saved
            workflow(member, actions)
        assert problem in refused.value.message
