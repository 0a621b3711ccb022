"""The planner: trigger rules, branches, skip propagation, slots, pause, waiting, outcome, retry."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.graph import Graph, build_graph
from app.core.planner import Outcome, Plan, StepState, plan, reusable_steps

OMIT = object()


def step(step_id: str, *deps: str, after: Any = OMIT, type: str = "transform", **extra: Any):
    data: dict[str, Any] = {"id": step_id, "type": type, "config": extra.pop("config", {})}
    if deps:
        data["depends_on"] = list(deps)
    elif after is not OMIT:
        data["depends_on"] = after
    return data | extra


def states(text: str) -> dict[str, StepState]:
    """`"a=succeeded check=succeeded:true c=condition"`; `condition` = skipped by its condition."""
    result = {}
    for token in text.split():
        step_id, _, status = token.partition("=")
        status, _, output = status.partition(":")
        if status == "condition":
            result[step_id] = StepState("skipped", by_condition=True)
        else:
            result[step_id] = StepState(status, output or None)
    return result


def decide(graph: Graph, text: str, **options: Any) -> Plan:
    return plan(graph, states(text), **options)


# -- trigger rules × dependency outcomes ---------------------------------------------------------
# x and y start at the beginning; j waits on both. y has continue_on_error, so "failed" for y
# is a tolerated failure. Expected: "start", "wait", or the reason j is skipped with.

X_FAILED, X_SKIPPED = 'dependency "x" failed', 'dependency "x" was skipped'
RULES = [
    ("all_succeeded", "succeeded", "succeeded", "start"),
    ("all_succeeded", "succeeded", "failed", "start"),
    ("all_succeeded", "succeeded", "condition", "start"),
    ("all_succeeded", "condition", "condition", "start"),
    ("all_succeeded", "succeeded", "running", "wait"),
    ("all_succeeded", "pending", "succeeded", "wait"),
    ("all_succeeded", "waiting", "succeeded", "wait"),
    ("all_succeeded", "failed", "succeeded", X_FAILED),
    ("all_succeeded", "failed", "running", X_FAILED),
    ("all_succeeded", "skipped", "succeeded", X_SKIPPED),
    ("all_succeeded", "skipped", "running", X_SKIPPED),
    ("all_succeeded", "succeeded", "skipped", 'dependency "y" was skipped'),
    ("none_failed", "succeeded", "succeeded", "start"),
    ("none_failed", "skipped", "succeeded", "start"),
    ("none_failed", "skipped", "failed", "start"),
    ("none_failed", "condition", "skipped", "start"),
    ("none_failed", "skipped", "running", "wait"),
    ("none_failed", "failed", "succeeded", X_FAILED),
    ("none_failed", "failed", "running", X_FAILED),
    ("none_failed", "skipped", "skipped", f"every dependency was skipped ({X_SKIPPED})"),
    ("all_done", "failed", "skipped", "start"),
    ("all_done", "skipped", "skipped", "start"),
    ("all_done", "failed", "failed", "start"),
    ("all_done", "succeeded", "condition", "start"),
    ("all_done", "succeeded", "running", "wait"),
    ("all_done", "failed", "waiting", "wait"),
    ("any_succeeded", "succeeded", "running", "start"),
    ("any_succeeded", "skipped", "succeeded", "start"),
    ("any_succeeded", "failed", "running", "wait"),
    ("any_succeeded", "failed", "skipped", "no dependency succeeded"),
    ("any_succeeded", "failed", "failed", "no dependency succeeded"),
    ("any_succeeded", "condition", "condition", "no dependency succeeded"),
]


@pytest.mark.parametrize(("rule", "x", "y", "expected"), RULES)
def test_trigger_rules(rule: str, x: str, y: str, expected: str) -> None:
    graph = build_graph(
        [
            step("x", after=[]),
            step("y", after=[], continue_on_error=True),
            step("j", "x", "y", trigger_rule=rule),
        ]
    )
    result = decide(graph, f"x={x} y={y}")
    outcome = "start" if "j" in result.start else result.skip.get("j", "wait")
    assert outcome == expected


# -- chains: the meaning every existing workflow had ---------------------------------------------

CHAIN = [step("a"), step("b"), step("c")]
CHAIN_COE = [step("a"), step("b", continue_on_error=True), step("c")]
CHAINS = [
    (CHAIN, "", ("a",), {}, None, None),
    (CHAIN, "a=running", (), {}, None, None),
    (CHAIN, "a=succeeded", ("b",), {}, None, None),
    (CHAIN, "a=succeeded b=succeeded c=succeeded", (), {}, Outcome.SUCCEEDED, None),
    (CHAIN, "a=succeeded b=failed", (), {"c": 'dependency "b" failed'}, Outcome.FAILED, "b"),
    (CHAIN, "a=failed", (), {"b": 'dependency "a" failed', "c": 'dependency "b" was skipped'},
     Outcome.FAILED, "a"),
    (CHAIN, "a=condition", ("b",), {}, None, None),
    (CHAIN, "a=condition b=condition c=condition", (), {}, Outcome.SUCCEEDED, None),
    (CHAIN_COE, "a=succeeded b=failed", ("c",), {}, None, None),
    (CHAIN_COE, "a=succeeded b=failed c=succeeded", (), {}, Outcome.SUCCEEDED, None),
]  # fmt: skip


@pytest.mark.parametrize(("steps", "now", "start", "skip", "outcome", "failed"), CHAINS)
def test_an_implied_chain_runs_like_before(
    steps: list[dict[str, Any]],
    now: str,
    start: tuple[str, ...],
    skip: dict[str, str],
    outcome: Outcome | None,
    failed: str | None,
) -> None:
    result = decide(build_graph(steps), now)
    assert (result.start, dict(result.skip), result.outcome, result.failed_step) == (
        start,
        skip,
        outcome,
        failed,
    )


# -- branches: if, switch, approval, and the join after them -------------------------------------

IF_GRAPH = [
    step("check", type="if"),
    step("yes", "check:true"),
    step("yes2"),
    step("no", "check:false"),
    step("no2"),
    step("join", "yes2", "no2", trigger_rule="none_failed"),
    step("log", "check"),
]
NOT_FALSE = 'branch "false" of "check" was not taken (it chose "true")'
BRANCHES = [
    (IF_GRAPH, "check=running", (), {}),
    (IF_GRAPH, "check=succeeded:true", ("yes", "log"),
     {"no": NOT_FALSE, "no2": 'dependency "no" was skipped'}),
    (IF_GRAPH, "check=succeeded:true yes=succeeded yes2=running no=skipped no2=skipped log=running",
     (), {}),
    (IF_GRAPH, "check=succeeded:true yes=succeeded yes2=succeeded no=skipped no2=skipped",
     ("join", "log"), {}),
    (IF_GRAPH, "check=succeeded:false", ("no", "log"),
     {"yes": 'branch "true" of "check" was not taken (it chose "false")',
      "yes2": 'dependency "yes" was skipped'}),
    (IF_GRAPH, "check=condition", ("log",),
     {"yes": '"check" was skipped by its condition, so no branch was taken',
      "yes2": 'dependency "yes" was skipped',
      "no": '"check" was skipped by its condition, so no branch was taken',
      "no2": 'dependency "no" was skipped',
      "join": 'every dependency was skipped (dependency "yes2" was skipped)'}),
    (IF_GRAPH, "check=failed", (),
     {"yes": 'dependency "check" failed', "yes2": 'dependency "yes" was skipped',
      "no": 'dependency "check" failed', "no2": 'dependency "no" was skipped',
      "join": 'every dependency was skipped (dependency "yes2" was skipped)',
      "log": 'dependency "check" failed'}),
    ([step("ask", type="approval"), step("go", "ask:approved"), step("tell", "ask:rejected")],
     "ask=succeeded:rejected", ("tell",),
     {"go": 'branch "approved" of "ask" was not taken (it chose "rejected")'}),
    ([step("s", type="switch", config={"cases": {"big": ">", "small": "<"}}),
      step("b", "s:big"), step("m", "s:small"), step("d", "s:default"),
      step("end", "b", "m", "d", trigger_rule="none_failed")],
     "s=succeeded:small", ("m",),
     {"b": 'branch "big" of "s" was not taken (it chose "small")',
      "d": 'branch "default" of "s" was not taken (it chose "small")'}),
    ([step("c", type="if", continue_on_error=True), step("t", "c:true"), step("after", "c")],
     "c=failed", ("after",), {"t": '"c" failed, so its branch "true" was not taken'}),
]  # fmt: skip


@pytest.mark.parametrize(("steps", "now", "start", "skip"), BRANCHES)
def test_branches_skip_the_side_not_taken_with_the_reason(
    steps: list[dict[str, Any]], now: str, start: tuple[str, ...], skip: dict[str, str]
) -> None:
    result = decide(build_graph(steps), now)
    assert (result.start, dict(result.skip)) == (start, skip)


def test_skips_come_in_topological_order_in_one_answer() -> None:
    graph = build_graph(
        [step("d", "c"), step("c", "b"), step("b", "a"), step("a", after=[]), step("z", after=[])]
    )
    result = decide(graph, "a=failed z=running")
    assert list(result.skip) == ["b", "c", "d"] and result.outcome is None


# -- slots, pause, waiting, cancel, interrupted --------------------------------------------------

FAN = [step("root", after=[]), *[step(f"s{i}", "root") for i in range(10)], step("w", after=[])]


@pytest.mark.parametrize(
    ("now", "max_parallel", "start"),
    [
        ("root=succeeded w=succeeded", 3, ("s0", "s1", "s2")),
        ("root=succeeded w=succeeded s0=running s1=running", 3, ("s2",)),
        ("root=succeeded w=running s0=running s1=running", 3, ()),
        ("root=succeeded w=waiting s0=running", 3, ("s1", "s2")),  # waiting holds no slot
        ("root=succeeded w=succeeded", 8, tuple(f"s{i}" for i in range(8))),
        ("root=succeeded w=succeeded s9=succeeded", 20, tuple(f"s{i}" for i in range(9))),
        ("", 1, ("root",)),
        ("", 8, ("root", "w")),
    ],
)
def test_max_parallel_counts_running_steps_and_starts_in_definition_order(
    now: str, max_parallel: int, start: tuple[str, ...]
) -> None:
    assert decide(build_graph(FAN), now, max_parallel=max_parallel).start == start


def test_the_default_cap_is_8() -> None:
    assert len(decide(build_graph(FAN), "root=succeeded w=succeeded").start) == 8


PAR = [step("a", after=[]), step("b", after=[]), step("c", "a"), step("d", "c")]
STATES = [
    ("paused, steps running", "a=running", dict(paused=True), (), None),
    ("paused, nothing running", "a=succeeded b=succeeded", dict(paused=True), (), Outcome.PAUSED),
    ("paused, skips still recorded", "a=failed b=running", dict(paused=True), (), None),
    ("paused, all ended", "a=succeeded b=succeeded c=succeeded d=succeeded",
     dict(paused=True), (), Outcome.SUCCEEDED),
    ("paused beats waiting", "a=succeeded b=waiting", dict(paused=True), (), Outcome.PAUSED),
    ("only waiting left", "a=succeeded b=waiting c=succeeded d=succeeded", {}, (),
     Outcome.WAITING),
    ("waiting blocks its dependents", "a=waiting b=succeeded", {}, (), Outcome.WAITING),
    ("waiting and running", "a=running b=waiting", {}, (), None),
    ("approval decided", "a=succeeded b=waiting", {}, ("c",), None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("now", "options", "start", "outcome"), [r[1:] for r in STATES], ids=[r[0] for r in STATES]
)
def test_pause_and_waiting(
    now: str, options: dict[str, Any], start: tuple[str, ...], outcome: Outcome | None
) -> None:
    result = decide(build_graph(PAR), now, **options)
    assert (result.start, result.outcome) == (start, outcome)


def test_paused_still_records_skips() -> None:
    result = decide(build_graph(PAR), "a=failed b=running", paused=True)
    assert dict(result.skip) == {"c": 'dependency "a" failed', "d": 'dependency "c" was skipped'}


@pytest.mark.parametrize(
    ("now", "cancel_requested", "cancel", "outcome"),
    [
        ("a=running b=waiting", True, ("b", "c", "d"), None),
        ("a=succeeded b=waiting", True, ("b", "c", "d"), Outcome.CANCELLED),
        ("a=succeeded b=cancelled", False, ("c", "d"), Outcome.CANCELLED),
        ("", True, ("a", "b", "c", "d"), Outcome.CANCELLED),
        ("a=interrupted b=running", False, (), None),
        ("a=interrupted b=succeeded", False, (), Outcome.INTERRUPTED),
    ],
)
def test_cancel_and_interrupted_start_nothing(
    now: str, cancel_requested: bool, cancel: tuple[str, ...], outcome: Outcome | None
) -> None:
    result = decide(build_graph(PAR), now, cancel_requested=cancel_requested)
    assert (result.start, dict(result.skip)) == ((), {})
    assert (result.cancel, result.outcome) == (cancel, outcome)


# -- failures do not stop the graph; the execution still fails -----------------------------------

CLEANUP = [
    step("fetch", after=[]),
    step("store"),
    step("other", after=[]),
    step("cleanup", "store", "other", trigger_rule="all_done"),
]
FAILURES = [
    ("fetch=failed other=running", (), None, None),
    ("fetch=failed", ("other",), None, None),
    ("fetch=failed other=succeeded", ("cleanup",), None, None),
    ("fetch=failed store=skipped other=succeeded cleanup=succeeded", (), Outcome.FAILED, "fetch"),
    ("fetch=succeeded store=succeeded other=failed cleanup=failed", (), Outcome.FAILED, "other"),
]


@pytest.mark.parametrize(("now", "start", "outcome", "failed"), FAILURES)
def test_a_failure_lets_independent_steps_and_clean_up_run_then_fails(
    now: str, start: tuple[str, ...], outcome: Outcome | None, failed: str | None
) -> None:
    result = decide(build_graph(CLEANUP), now)
    assert (result.start, result.outcome, result.failed_step) == (start, outcome, failed)


def test_bad_input_is_refused() -> None:
    graph = build_graph(PAR)
    with pytest.raises(ValueError, match="max_parallel"):
        plan(graph, {}, max_parallel=0)
    with pytest.raises(ValueError, match="'done'"):
        plan(graph, {"a": StepState("done")})


# -- a whole run, as a runner would drive it -----------------------------------------------------


@pytest.mark.parametrize("max_parallel", [1, 2, 8])
def test_driving_a_graph_to_the_end_respects_dependencies_and_the_cap(max_parallel: int) -> None:
    steps = [
        step("check", type="if"),
        step("yes", "check:true"),
        step("no", "check:false"),
        step("join", "yes", "no", trigger_rule="none_failed"),
        *[step(f"p{i}", "join") for i in range(5)],
        step("done", *[f"p{i}" for i in range(5)]),
    ]
    graph = build_graph(steps)
    current: dict[str, StepState] = {}
    finished: list[str] = []
    for _ in range(50):
        result = plan(graph, current, max_parallel=max_parallel)
        current |= {s: StepState("skipped") for s in result.skip}
        current |= {s: StepState("running") for s in result.start}
        running = [s for s, state in current.items() if state.status == "running"]
        assert len(running) <= max_parallel
        if result.outcome is not None:
            break
        first = running[0]  # the runner finishes one step at a time
        output = "false" if first == "check" else None
        current[first] = StepState("succeeded", output)
        finished.append(first)
    assert result.outcome == Outcome.SUCCEEDED
    assert current["yes"].status == "skipped" and finished[:3] == ["check", "no", "join"]
    assert finished[-1] == "done" and len(finished) == 9


# -- retry ---------------------------------------------------------------------------------------

BRANCHED = [
    step("check", type="if"),
    step("a", "check:true"),
    step("b", "check:false"),
    step("join", "a", "b", trigger_rule="none_failed"),
    step("fetch"),
]
RETRIES = [
    ("chain", CHAIN, "a=succeeded b=failed c=skipped", {"a"}),
    ("chain-skip-in-between", [*CHAIN, step("d")],
     "a=succeeded b=condition c=succeeded d=failed", {"a", "c"}),
    ("tolerated-failure-reruns", CHAIN_COE, "a=succeeded b=failed c=succeeded", {"a"}),
    ("branch", BRANCHED, "check=succeeded:true a=succeeded b=skipped join=succeeded fetch=failed",
     {"check", "a", "join"}),
    ("parallel", PAR, "a=succeeded b=failed c=succeeded d=interrupted", {"a", "c"}),
    ("failed-then-clean-up", CLEANUP,
     "fetch=failed store=skipped other=succeeded cleanup=succeeded", {"other"}),
    ("cancelled", PAR, "a=cancelled b=succeeded c=cancelled", {"b"}),
    ("never-ran", PAR, "b=succeeded", {"b"}),
    ("waiting", PAR, "a=succeeded b=waiting c=running", {"a"}),
    ("all-succeeded", CHAIN, "a=succeeded b=succeeded c=succeeded", {"a", "b", "c"}),
    ("removed-step", CHAIN, "gone=failed a=succeeded b=succeeded", {"a", "b"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "before", "reused"), [r[1:] for r in RETRIES], ids=[r[0] for r in RETRIES]
)
def test_retry_reuses_succeeded_steps_with_nothing_to_rerun_upstream(
    steps: list[dict[str, Any]], before: str, reused: set[str]
) -> None:
    assert reusable_steps(build_graph(steps), states(before)) == reused


# -- error handlers: "<id>:failed" -----------------------------------------------------------------
# a → b (normal path), h follows a's failure, c runs after h (the chain goes on along the handler).

HANDLED = [
    step("a"),
    step("b", "a"),
    step("h", "a:failed"),
    step("c", "h"),
]
A_OK = '"a" succeeded, so its error handler did not run'
HANDLERS = [
    # a has not ended: nothing but a
    (HANDLED, "a=running", (), {}, None, None, {}),
    # a succeeded: the normal path runs, the handler and what follows it are skipped
    (HANDLED, "a=succeeded", ("b",), {"h": A_OK, "c": 'dependency "h" was skipped'}, None, None,
     {}),
    (HANDLED, "a=succeeded b=succeeded h=skipped c=skipped", (), {}, Outcome.SUCCEEDED, None, {}),
    # a failed: b is skipped, the handler starts
    (HANDLED, "a=failed", ("h",), {"b": 'dependency "a" failed'}, None, None, {}),
    # the handler succeeded: the run goes on along it and ends succeeded, the failure recorded
    (HANDLED, "a=failed b=skipped h=succeeded", ("c",), {}, None, None, {}),
    (HANDLED, "a=failed b=skipped h=succeeded c=succeeded", (), {}, Outcome.SUCCEEDED, None,
     {"a": "h"}),
    # after the handler, a later failure is not handled: the run fails there
    (HANDLED, "a=failed b=skipped h=succeeded c=failed", (), {}, Outcome.FAILED, "c", {"a": "h"}),
    # the handler failed: nothing is handled, the run fails at a
    (HANDLED, "a=failed b=skipped h=failed", (), {"c": 'dependency "h" failed'}, Outcome.FAILED,
     "a", {}),
    # the handler skipped by its own condition handles nothing either
    (HANDLED, "a=failed b=skipped h=condition c=succeeded", (), {}, Outcome.FAILED, "a", {}),
    # a skipped: no failure to handle
    (HANDLED, "a=skipped", (), {"b": 'dependency "a" was skipped',
                                "h": '"a" was skipped, so its error handler did not run',
                                "c": 'dependency "h" was skipped'}, Outcome.SUCCEEDED, None, {}),
    # a tolerated failure (continue_on_error) still takes the handler path
    ([step("a", continue_on_error=True), step("h", "a:failed")], "a=failed", ("h",), {}, None,
     None, {}),
    # a plain chain without handlers: unchanged
    (CHAIN, "a=failed b=skipped c=skipped", (), {}, Outcome.FAILED, "a", {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "now", "start", "skip", "outcome", "failed", "handled"), HANDLERS
)
def test_error_handlers(
    steps: list[dict[str, Any]],
    now: str,
    start: tuple[str, ...],
    skip: dict[str, str],
    outcome: Outcome | None,
    failed: str | None,
    handled: dict[str, str],
) -> None:
    result = decide(build_graph(steps), now)
    assert (result.start, dict(result.skip), result.outcome, result.failed_step) == (
        start,
        skip,
        outcome,
        failed,
    )
    assert dict(result.handled) == handled


def test_a_branch_step_can_have_an_error_handler_too() -> None:
    graph = build_graph([step("check", type="if"), step("h", "check:failed")])
    assert decide(graph, "check=failed").start == ("h",)
    assert decide(graph, "check=succeeded:true").skip == {
        "h": '"check" succeeded, so its error handler did not run'
    }
