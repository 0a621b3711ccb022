"""Orchestration definitions: validation with paths, what each mode runs when, extraction."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import ValidationFailed
from app.core.orchestration import (
    call_graph,
    condition_skips_dependents,
    extract_value,
    parallel_limit,
    run_outcome,
    validate_orchestration,
)
from app.core.planner import StepState, plan


def _spec(mode: str, *calls: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "o", "mode": mode, "calls": list(calls), **extra}


def _call(call_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": call_id, "url": f"http://127.0.0.1:9/{call_id}", **extra}


def _problems(data: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_orchestration(data)
    return {p.path: p.message for p in caught.value.problems}


def _waves(data: dict[str, Any], fail: set[str] = frozenset(), off: set[str] = frozenset()):  # type: ignore[assignment]
    """The calls started together, wave by wave, until the run ends; and the skips."""
    spec = validate_orchestration(data)
    graph = call_graph(spec)
    states: dict[str, StepState] = {}
    waves, skipped = [], {}
    for _ in range(len(spec.calls) + 2):
        decided = plan(graph, states, max_parallel=parallel_limit(spec))
        for call, reason in decided.skip.items():
            states[call] = StepState("skipped")
            skipped[call] = reason
        if decided.outcome is not None:
            return waves, skipped, decided.outcome.value
        wave = []
        for call in decided.start:
            if call in off:  # its condition is false
                states[call] = StepState(
                    "skipped", by_condition=not condition_skips_dependents(spec)
                )
                skipped[call] = "condition"
                continue
            states[call] = StepState("failed" if call in fail else "succeeded")
            wave.append(call)
        waves.append(tuple(wave))
    raise AssertionError("the run did not end")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_spec("sequential", _call("a"), _call("b"), _call("c")), [("a",), ("b",), ("c",)]),
        (_spec("pipeline", _call("a"), _call("b")), [("a",), ("b",)]),
        (_spec("parallel", _call("a"), _call("b"), _call("c")), [("a", "b", "c")]),
        (
            _spec("parallel", _call("a"), _call("b"), _call("c", depends_on=["a", "b"])),
            [("a", "b"), ("c",)],
        ),
        (
            _spec("parallel", *[_call(f"c{i}") for i in range(5)], max_parallel=2),
            [("c0", "c1"), ("c2", "c3"), ("c4",)],
        ),
        (_spec("conditional", _call("a"), _call("b", depends_on=["a"])), [("a",), ("b",)]),
        (
            _spec("sequential", _call("a"), _call("b"), _call("c", depends_on=["a"])),
            [("a",), ("b",), ("c",)],  # listed order, one at a time
        ),
    ],
)
def test_modes_run_calls_in_waves(data: dict[str, Any], expected: list[tuple[str, ...]]) -> None:
    waves, _, outcome = _waves(data)
    assert waves == expected
    assert outcome == "succeeded"


def test_a_failed_call_skips_its_dependents_with_the_reason() -> None:
    data = _spec("parallel", _call("a"), _call("b", depends_on=["a"]), _call("c"))
    waves, skipped, outcome = _waves(data, fail={"a"})
    assert waves == [("a", "c")]
    assert skipped == {"b": 'dependency "a" failed'}
    assert outcome == "failed"


def test_sequential_failure_skips_the_rest_unless_allowed() -> None:
    data = _spec("sequential", _call("a"), _call("b"), _call("c"))
    _, skipped, outcome = _waves(data, fail={"a"})
    assert set(skipped) == {"b", "c"} and outcome == "failed"
    allowed = _spec("sequential", _call("a", continue_on_error=True), _call("b"))
    waves, skipped, outcome = _waves(allowed, fail={"a"})
    assert waves == [("a",), ("b",)] and not skipped and outcome == "succeeded"


@pytest.mark.parametrize(
    ("mode", "dependent_runs"),
    [("conditional", False), ("parallel", True), ("sequential", True)],
)
def test_a_false_condition_skips_dependents_only_in_conditional_mode(
    mode: str, dependent_runs: bool
) -> None:
    data = _spec(mode, _call("a", condition="inputs.x"), _call("b", depends_on=["a"]))
    waves, skipped, _ = _waves(data, off={"a"})
    assert ("b" not in skipped) is dependent_runs
    if not dependent_runs:
        assert skipped["b"] == 'dependency "a" was skipped'


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        (
            _spec("parallel", _call("a", depends_on=["b"]), _call("b", depends_on=["a"])),
            "calls[0].depends_on",
            "cycle",
        ),
        (
            _spec("parallel", _call("a", depends_on=["zzz"])),
            "calls[0].depends_on[0]",
            'unknown call "zzz"',
        ),
        (_spec("parallel", _call("a"), _call("a")), "calls[1].id", "duplicate"),
        (_spec("parallel", {"id": "a"}), "calls[0].url", "required"),
        (_spec("parallel", _call("a", url="ftp://x")), "calls[0].url", "http://"),
        (_spec("parallel", _call("a", url="/v1/x")), "calls[0].url", "connection"),
        (_spec("parallel", _call("a", body={"x": "{{ inputs."})), "calls[0].body.x", "template"),
        (_spec("parallel", _call("a", condition="inputs.x ==")), "calls[0].condition", "template"),
        (_spec("parallel", _call("a", extract={"t": "a..b"})), "calls[0].extract", "path"),
        (_spec("parallel", _call("a", expected_status=[700])), "calls[0].expected_status", "599"),
        (_spec("sideways", _call("a")), "mode", "sequential"),
        (_spec("parallel"), "calls", "at least 1"),
        (_spec("parallel", _call("1a")), "calls[0].id", "start with a letter"),
        (
            _spec("sequential", _call("a", depends_on=["b"]), _call("b")),
            "calls[0].depends_on[0]",
            "listed after",
        ),
        (_spec("parallel", _call("a"), max_parallel=0), "max_parallel", "greater than or equal"),
        (_spec("parallel", _call("a"), timeout_s=0), "timeout_s", "greater than"),
        (_spec("parallel", _call("a", method="BREW")), "calls[0].method", "GET"),
    ],
)
def test_problems_are_named_with_their_path(data: Any, path: str, words: str) -> None:
    problems = _problems(data)
    assert path in problems, problems
    assert words.lower() in problems[path].lower(), problems[path]


def test_a_cycle_is_named_with_its_calls() -> None:
    data = _spec("parallel", _call("a", depends_on=["b"]), _call("b", depends_on=["a"]))
    assert _problems(data)["calls[0].depends_on"] == "cycle: a → b → a"


def test_camel_case_names_are_accepted() -> None:
    spec = validate_orchestration(
        {
            "name": "o",
            "mode": "parallel",
            "maxParallel": 3,
            "timeoutS": 9,
            "isActive": False,
            "calls": [
                _call("a", expectedStatus=[201], continueOnError=True, timeoutS=2),
                _call("b", dependsOn=["a"]),
            ],
        }
    )
    assert spec.max_parallel == 3 and spec.timeout_s == 9 and not spec.is_active
    assert spec.calls[0].expected_status == [201] and spec.calls[0].continue_on_error
    assert spec.calls[1].depends_on == ["a"]


def test_templated_urls_and_connection_paths_are_allowed() -> None:
    validate_orchestration(_spec("pipeline", _call("a", url="{{ inputs.base }}/x")))
    validate_orchestration(_spec("pipeline", _call("a", url="/v1/x", connection="crm")))


@pytest.mark.parametrize(
    ("body", "path", "value"),
    [
        ({"data": {"access_token": "t"}}, "data.access_token", "t"),
        ({"items": [{"id": 1}, {"id": 2}]}, "items[1].id", 2),
        ({"items": [[5, 6]]}, "items[0][1]", 6),
        ({"items": []}, "items[0].id", None),
        ({"a": 1}, "a.b", None),
        ([1, 2], "x", None),
        ({"a": {"b": False}}, "a.b", False),
    ],
)
def test_extract_value(body: Any, path: str, value: Any) -> None:
    assert extract_value(body, path) == value


@pytest.mark.parametrize(
    ("statuses", "tolerated", "outcome"),
    [
        ({"a": "succeeded", "b": "skipped"}, set(), "succeeded"),
        ({"a": "failed", "b": "skipped"}, set(), "failed"),
        ({"a": "failed", "b": "succeeded"}, {"a"}, "partial"),
        ({"a": "failed", "b": "failed"}, {"a"}, "failed"),
        ({"a": "cancelled"}, set(), "failed"),
    ],
)
def test_run_outcome(statuses: dict[str, str], tolerated: set[str], outcome: str) -> None:
    assert run_outcome(statuses, tolerated) == outcome
