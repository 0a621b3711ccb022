"""The orchestration pages' shaping, pure: the form and its definition, problems per card, the
list's rows, a run's calls, the call timeline and the dependency graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.orchestration import validate_orchestration
from app.ui.states.orchestrations_form import (
    blank_call,
    call_field_of,
    definition_to_form,
    form_to_definition,
    group_call_errors,
    problem_lines,
)
from app.ui.states.orchestrations_views import (
    call_steps,
    call_views,
    graph_views,
    orchestration_row,
    run_row,
    run_view,
    timeline_views,
)

PIPELINE = {
    "name": "sign in, then list",
    "description": "two calls",
    "mode": "pipeline",
    "timeout_s": 60,
    "max_parallel": 4,
    "retry": {"strategy": "exponential", "max_attempts": 4, "delay_s": 0.5},
    "is_active": False,
    "calls": [
        {
            "id": "login",
            "method": "POST",
            "url": "http://127.0.0.1:9/login",
            "body": {"user": "{{ inputs.user }}"},
            "extract": {"token": "data.token"},
            "expected_status": [200, 201],
            "retry": {"strategy": "linear", "max_attempts": 2},
        },
        {
            "id": "items",
            "url": "http://127.0.0.1:9/items",
            "headers": {"X-Session": "{{ calls.login.token }}"},
            "query": {"page": 2},
            "depends_on": ["login"],
            "condition": "calls.login.token",
            "timeout_s": 2.5,
            "continue_on_error": True,
            "connection": 7,
        },
    ],
}


def test_a_definition_survives_the_form_and_back() -> None:
    fields, calls = definition_to_form(PIPELINE)
    assert fields["mode"] == "pipeline" and fields["is_active"] == "false"
    assert (fields["retry_strategy"], fields["retry_max"], fields["retry_delay"]) == (
        "exponential",
        "4",
        "0.5",
    )
    assert calls[0]["expected_status"] == "200, 201" and calls[1]["connection"] == "7"
    definition, problems = form_to_definition(fields, calls)
    assert problems == []
    back = validate_orchestration(definition).model_dump(mode="json")
    assert back == validate_orchestration(PIPELINE).model_dump(mode="json")


def test_camel_case_keys_are_read_into_the_form() -> None:
    _, calls = definition_to_form(
        {"calls": [{"id": "a", "url": "http://x", "dependsOn": ["b"], "continueOnError": True}]}
    )
    assert calls[0]["depends_on"] == ["b"] and calls[0]["continue_on_error"] is True


def test_text_the_form_cannot_read_is_reported_with_the_services_paths() -> None:
    fields, calls = definition_to_form(PIPELINE)
    calls[0] = {**calls[0], "headers": "{not json", "expected_status": "200, ok"}
    calls[1] = {**calls[1], "extract": "[1, 2]", "timeout_s": "soon"}
    fields = {**fields, "max_parallel": "many"}
    _, problems = form_to_definition(fields, calls)
    paths = {p.path: p.message for p in problems}
    assert set(paths) == {
        "calls[0].headers",
        "calls[0].expected_status",
        "calls[1].extract",
        "calls[1].timeout_s",
        "max_parallel",
    }
    assert paths["calls[0].headers"].startswith("not valid JSON")
    assert paths["calls[1].extract"] == "must be a JSON object"


def test_empty_body_sends_none_and_a_blank_call_gets_a_free_id() -> None:
    call = blank_call(["call1", "call2"])
    assert call["id"] == "call3"
    definition, _ = form_to_definition(definition_to_form({})[0], [call])
    assert "body" not in definition["calls"][0]
    assert "connection" not in definition["calls"][0]


@pytest.mark.parametrize(
    ("path", "index", "field"),
    [
        ("calls[1].url", 1, "url"),
        ("calls[1].headers.Authorization", 1, "headers"),
        ("calls[1].depends_on[0]", 1, "depends_on"),
        ("calls[1]", 1, ""),
        ("calls[1].retry.max_attempts", 1, ""),
        ("calls[10].url", 1, None),
        ("name", 1, None),
    ],
)
def test_a_problem_path_finds_its_card_field(path: str, index: int, field: str | None) -> None:
    assert call_field_of(path, index) == field


def test_problems_are_grouped_per_card_and_listed_at_the_top() -> None:
    errors = {
        "name": "Field required",
        "calls[0].url": "Must start with http://",
        "calls[0].headers.Authorization": "A secret written here would be stored",
        "calls[1]": "A cycle: a → b → a",
        "calls[1].retry.delay_s": "Must be at least 0",
        "calls[7].url": "Out of range",
    }
    grouped = group_call_errors(errors, 2)
    assert grouped[0] == {
        "url": "Must start with http://",
        "headers": "headers.Authorization: A secret written here would be stored",
    }
    assert grouped[1] == {"": "A cycle: a → b → a\nretry.delay_s: Must be at least 0"}
    assert problem_lines({"name": "Field required", "form": "Broken"}) == [
        "name: Field required",
        "Broken",
    ]


def test_a_list_row_says_rates_and_times_in_words() -> None:
    item = {
        "id": 3,
        "name": "n",
        "mode": "parallel",
        "call_count": 4,
        "runs": 5,
        "success_rate": 0.8,
        "avg_ms": 212.4,
        "p95_ms": 1530.0,
        "last_status": "partial",
        "last_run_at": "2026-12-01T03:04:05.123+00:00",
        "last_run_id": 9,
        "is_active": True,
        "problems": [{"path": "calls[0].url", "message": "x"}],
    }
    row = orchestration_row(item)
    assert (row["success_rate"], row["avg"], row["p95"]) == ("80%", "212 ms", "1.5 s")
    assert row["last_run"] == "2026-12-01 03:04 UTC" and row["problems"] == 1
    never = orchestration_row(
        {**item, "runs": 0, "success_rate": None, "avg_ms": None, "p95_ms": None}
        | {"last_status": None, "last_run_at": None, "last_run_id": None}
    )
    assert (never["success_rate"], never["avg"], never["last_run"]) == ("–", "—", "")


START = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _run(calls: list[dict], **extra) -> dict:
    return {
        "id": 5,
        "orchestration_id": 3,
        "orchestration_name": "o",
        "orchestration_version": 2,
        "status": "succeeded",
        "trigger": "manual",
        "started_at": START.isoformat(),
        "finished_at": None,
        "duration_ms": 420.0,
        "error": None,
        "calls_total": len(calls),
        "calls_done": len(calls),
        "inputs": {"user": "ada", "password": "[redacted]"},
        "execution_id": None,
        "calls": calls,
        **extra,
    }


def _call(call_id: str, start: float | None, took: float | None, status: str = "succeeded"):
    return {
        "id": call_id,
        "status": status,
        "method": "GET",
        "url": "http://127.0.0.1:9/" + call_id,
        "status_code": 200 if took else None,
        "start_ms": start,
        "duration_ms": took,
        "attempts": [{"number": 1, "start_ms": start, "duration_ms": took, "error": None}]
        if start is not None
        else [],
        "extracted": {"token": "t-1"} if call_id == "a" else {},
        "response_bytes": 2048,
        "response": {"status": 200, "headers": {}, "body": {"ok": True}},
        "request": {"headers": {"X-Session": "t-1"}, "body": None} if start is not None else None,
        "reason": None if start is not None else "its condition was false",
        "error": None,
    }


def test_calls_that_ran_together_overlap_on_the_timeline() -> None:
    detail = _run([_call("a", 0.0, 200.0), _call("b", 5.0, 200.0), _call("c", 210.0, 200.0)])
    bars, ticks = timeline_views(detail, START)
    by = {b["key"]: b for b in bars}
    assert [b["key"] for b in bars] == ["a", "b", "c"]
    a_left, a_width = float(by["a"]["left"][:-1]), float(by["a"]["width"][:-1])
    b_left = float(by["b"]["left"][:-1])
    c_left = float(by["c"]["left"][:-1])
    assert a_left == 0 and b_left < a_left + a_width <= c_left  # a and b overlap, c after
    assert ticks[0]["label"] == "0" and ticks[-1]["left"] == "100%"


def test_a_running_call_reaches_now_and_a_skipped_one_has_no_bar() -> None:
    detail = _run(
        [
            _call("a", 0.0, 100.0),
            _call("b", 100.0, None, "running"),
            _call("c", None, None, "skipped"),
            {**_call("d", 100.0, 0.0, "skipped"), "reason": "a call it depends on failed"},
        ],
        status="running",
        duration_ms=None,
    )
    bars, _ = timeline_views(detail, START + timedelta(seconds=2))
    by = {b["key"]: b for b in bars}
    assert float(by["b"]["left"][:-1]) + float(by["b"]["width"][:-1]) > 90
    assert by["c"]["shown"] is False and by["c"]["duration"] == "skipped"
    assert by["d"]["shown"] is False  # stamped when skipped, but it never ran
    assert [b["key"] for b in bars][-2:] == ["c", "d"]


def test_a_run_and_its_calls_as_the_page_shows_them() -> None:
    detail = _run([_call("a", 0.0, 200.0), {**_call("c", None, None, "skipped"), "start_ms": 3.0}])
    view = run_view(detail)
    assert view["calls"] == "1/2 succeeded" and view["duration"] == "420 ms"
    assert '"[redacted]"' in view["inputs"] and view["started"] == "2026-12-01 03:00:00 UTC"
    a, c = call_views(detail)
    assert a["status_code"] == "200" and a["size"] == "2.0 KB" and a["started"] == "+0 ms"
    assert '"X-Session": "t-1"' in a["request"] and '"token": "t-1"' in a["extracted"]
    assert a["attempts"][0]["number"] == 1
    assert c["reason"] == "its condition was false" and c["request"] == ""
    assert (c["started"], c["duration"]) == ("—", "—")  # stamped when skipped; never ran
    assert run_row(detail)["calls"] == "2/2"


def test_a_run_from_before_0005_shows_what_it_kept() -> None:
    legacy = {"id": "#1", "status": "unknown", "position": 0, "legacy": {"raw": 1}}
    (view,) = call_views(_run([legacy]))
    assert '"raw": 1' in view["response"] and view["started"] == "—"


@pytest.mark.parametrize(
    ("mode", "edges"),
    [
        ("sequential", {("a", "b"), ("b", "c")}),
        ("pipeline", {("a", "b"), ("b", "c")}),
        ("parallel", {("a", "c")}),
        ("conditional", {("a", "c")}),
    ],
)
def test_the_graph_reads_calls_as_the_mode_runs_them(mode: str, edges: set) -> None:
    calls = [
        {"id": "a", "method": "POST", "url": "http://x/login", "name": ""},
        {"id": "b", "method": "GET", "url": "http://x/b", "name": "Bee"},
        {"id": "c", "method": "GET", "url": "http://x/c", "depends_on": ["a"], "condition": "1"},
    ]
    if mode in ("sequential", "pipeline"):  # nothing written: after the call above
        calls[2] = {**calls[2], "depends_on": None}
    nodes, drawn = graph_views(mode, calls)
    assert {(e["source"], e["target"]) for e in drawn} == edges
    labels = {n["id"]: (n["data"]["kind"], n["data"]["label"]) for n in nodes}
    assert labels["a"] == ("POST", "http://x/login") and labels["b"] == ("GET", "Bee")
    assert (nodes[2]["data"]["note"] == "if 1") is (mode == "conditional")


def test_a_calls_problem_is_drawn_on_its_node() -> None:
    steps = call_steps("parallel", [{"id": "a", "url": "u"}, {"id": "b", "url": "u"}])
    assert [s.get("depends_on") for s in steps] == [[], []]
    nodes, _ = graph_views("parallel", [{"id": "a"}, {"id": "b"}], {"calls[1].url": "Missing"})
    assert nodes[0]["data"]["error"] == "" and nodes[1]["data"]["error"] == "url: Missing"
