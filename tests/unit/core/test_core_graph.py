"""The workflow graph: implied chains, branch outputs, topological order, and every problem."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import Problem, ValidationFailed
from app.core.graph import (
    MAX_STEPS,
    Dependency,
    TriggerRule,
    branch_outputs,
    build_graph,
    register_branch_outputs,
    validate_graph,
)

OMIT = object()


def step(step_id: str, *deps: str, after: Any = OMIT, type: str = "transform", **extra: Any):
    """A step dict; `deps` given → explicit `depends_on`, none → omitted (after the previous)."""
    data: dict[str, Any] = {"id": step_id, "type": type, "config": extra.pop("config", {})}
    if deps:
        data["depends_on"] = list(deps)
    elif after is not OMIT:
        data["depends_on"] = after
    return data | extra


IF = {"type": "if", "config": {"condition": "{{ trigger.ok }}"}}


def check(step_id: str = "check", *deps: str, after: Any = OMIT) -> dict[str, Any]:
    return step(step_id, *deps, after=after, **IF)


def edges(steps: list[dict[str, Any]]) -> dict[str, list[str]]:
    graph = build_graph(steps)
    return {step_id: [str(d) for d in node.depends_on] for step_id, node in graph.nodes.items()}


# -- building ------------------------------------------------------------------------------------


def test_omitted_depends_on_is_the_previous_step_so_a_list_stays_a_chain() -> None:
    graph = build_graph([step("a"), step("b"), step("c")])
    assert {k: [str(d) for d in n.depends_on] for k, n in graph.nodes.items()} == {
        "a": [],
        "b": ["a"],
        "c": ["b"],
    }
    assert graph.order == ("a", "b", "c")
    assert [n.chained for n in graph.nodes.values()] == [True, True, True]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([step("a"), step("b", after=[]), step("c")], {"a": [], "b": [], "c": ["b"]}),
        (
            [step("a"), step("b", after=[]), step("c", "a", "b")],
            {"a": [], "b": [], "c": ["a", "b"]},
        ),
        ([step("late", "early"), step("early", after=[])], {"late": ["early"], "early": []}),
        (
            [check(), step("yes", "check:true"), step("no", "check: false")],
            {"check": [], "yes": ["check:true"], "no": ["check:false"]},
        ),
        ([step("a"), {"id": "b", "type": "transform", "dependsOn": []}], {"a": [], "b": []}),
        ([step("a"), step("b", after=None)], {"a": [], "b": ["a"]}),  # null = omitted
    ],
    ids=["empty-list-starts", "fan-in", "forward-reference", "branch-outputs", "camel", "null"],
)
def test_dependencies(steps: list[dict[str, Any]], expected: dict[str, list[str]]) -> None:
    assert edges(steps) == expected


def test_node_fields_come_from_the_step() -> None:
    steps = [
        step("a"),
        {"id": "b", "type": "notify", "dependsOn": ["a"], "triggerRule": "all_done",
         "continueOnError": True},
    ]  # fmt: skip
    node = build_graph(steps).nodes["b"]
    assert node.trigger_rule == TriggerRule.ALL_DONE and node.continue_on_error is True
    assert node.depends_on == (Dependency("a"),) and node.index == 1 and node.type == "notify"
    assert build_graph(steps).nodes["a"].trigger_rule == TriggerRule.ALL_SUCCEEDED


@pytest.mark.parametrize(
    ("definition", "outputs"),
    [
        (IF, ("true", "false")),
        ({"type": "approval", "config": {}}, ("approved", "rejected")),
        ({"type": "switch", "config": {"cases": {"big": ">100", "small": "<10"}}},
         ("big", "small", "default")),
        ({"type": "switch", "config": {"cases": {"default": "x", "a": "y"}}}, ("default", "a")),
        ({"type": "switch", "config": {"cases": "{{ bad }}"}}, ("default",)),
        ({"type": "transform", "config": {}}, ()),
    ],
    ids=["if", "approval", "switch", "switch-default-case", "switch-no-cases", "plain"],
)  # fmt: skip
def test_branch_outputs(definition: dict[str, Any], outputs: tuple[str, ...]) -> None:
    assert branch_outputs(definition) == outputs


def test_a_new_branch_type_registers_its_outputs_in_one_place() -> None:
    register_branch_outputs("vote", lambda s: s["config"]["options"])
    try:
        steps = [step("v", type="vote", config={"options": ["yes", "no"]}), step("y", "v:yes")]
        assert build_graph(steps).nodes["v"].outputs == ("yes", "no")
        assert [p.message for p in validate_graph([*steps, step("m", "v:maybe")])] == [
            '"v" has no output "maybe"; its outputs are "yes", "no", "failed"'
        ]
    finally:
        from app.core import graph

        graph._branch_outputs.pop("vote")


@pytest.mark.parametrize(
    ("steps", "order"),
    [
        ([step("c", "b"), step("b", "a"), step("a", after=[])], ("a", "b", "c")),
        ([step("a"), step("x", after=[]), step("b", "a")], ("a", "x", "b")),
        ([step("z", after=[]), step("j", "z", "a"), step("a", after=[])], ("z", "a", "j")),
    ],
)
def test_topological_order_breaks_ties_by_definition_order(
    steps: list[dict[str, Any]], order: tuple[str, ...]
) -> None:
    assert build_graph(steps).order == order


def test_downstream_of_a_step_follows_every_dependent() -> None:
    steps = [step("a"), step("b"), step("c", after=[]), step("d", "b", "c"), step("e", "c")]
    graph = build_graph(steps)
    assert graph.downstream(["b"]) == {"b", "d"}
    assert graph.downstream(["c"]) == {"c", "d", "e"}
    assert graph.downstream([]) == set()


# -- validation ----------------------------------------------------------------------------------

NOT_AN_ID = 'must be a step id, or "<id>:<output>" to follow a branch output'
BOTH_SIDES = (
    'can never run: it needs both outputs "false" and "true" of "{}"'
    " (a join after a branch wants trigger_rule none_failed)"
)
DEPS = "actions[{}].depends_on"
NO_MAYBE = '"check" has no output "maybe"; its outputs are "true", "false", "failed"'
PROBLEMS = [
    ("unknown", [step("a"), step("b", "nope")],
     [(DEPS.format(1) + "[0]", 'unknown step "nope"')]),
    ("self", [step("a"), step("b", "a", "b")],
     [(DEPS.format(1) + "[1]", "a step cannot depend on itself")]),
    ("twice", [step("a"), step("b", "a", "a")],
     [(DEPS.format(1) + "[1]", '"a" is listed twice')]),
    ("not-a-list", [step("a"), step("b", after="a")],
     [(DEPS.format(1), "must be a list of step ids")]),
    ("not-a-string", [step("a"), step("b", after=[3])], [(DEPS.format(1) + "[0]", NOT_AN_ID)]),
    ("blank", [step("a"), step("b", after=[" "])], [(DEPS.format(1) + "[0]", NOT_AN_ID)]),
    ("no-such-output", [check(), step("b", "check:maybe")],
     [(DEPS.format(1) + "[0]", NO_MAYBE)]),
    ("output-of-plain-step", [step("a"), step("b", "a:true")],
     [(DEPS.format(1) + "[0]",
       '"a" is a transform step and has no outputs; write "a" (or "a:failed" to handle its'
       ' failure)')]),
    ("switch-output",
     [step("s", type="switch", config={"cases": {"big": 1}}), step("b", "s:small")],
     [(DEPS.format(1) + "[0]",
       '"s" has no output "small"; its outputs are "big", "default", "failed"')]),
    ("trigger-rule", [step("a"), step("b", trigger_rule="one_success")],
     [("actions[1].trigger_rule",
       'unknown trigger rule "one_success"; use one of all_succeeded, none_failed, all_done,'
       " any_succeeded")]),
    ("duplicate-id", [step("a"), step("a", after=[])], [("actions[1].id", 'duplicate id "a"')]),
    ("chained-after-branch", [check(), step("b")],
     [(DEPS.format(1),
       'the previous step "check" is a branch with outputs "true", "false": say which one this'
       ' step follows, e.g. "check:true", or "check" to follow it whatever it chose')]),
    ("cycle-of-three", [step("a", "c"), step("b"), step("c")],
     [(DEPS.format(0), "cycle: a → b → c → a")]),
    ("cycle-of-two", [step("x"), step("a", "b"), step("b", "a")],
     [(DEPS.format(1), "cycle: a → b → a")]),
    ("two-cycles", [step("a", "b"), step("b", "a"), step("c", "d"), step("d", "c")],
     [(DEPS.format(0), "cycle: a → b → a"), (DEPS.format(2), "cycle: c → d → c")]),
    ("figure-eight", [step("a", "b", "c"), step("b", "a"), step("c", "a")],
     [(DEPS.format(0), "cycle: a → b → a"), (DEPS.format(2), "cycle: c → a → c")]),
    ("join-of-both-sides",
     [check(), step("y", "check:true"), step("n", "check:false"), step("j", "y", "n")],
     [(DEPS.format(3), BOTH_SIDES.format("check"))]),
    ("both-outputs-directly", [check(), step("j", "check:true", "check:false")],
     [(DEPS.format(1), BOTH_SIDES.format("check"))]),
    ("downstream-of-never",
     [check(), step("j", "check:true", "check:false"), step("k"),
      step("m", "k", trigger_rule="none_failed")],
     [(DEPS.format(1), BOTH_SIDES.format("check")),
      (DEPS.format(2), 'can never run: it needs "j", which can never run'),
      (DEPS.format(3), "can never run: none of its dependencies can ever run")]),
    ("nested-branches",
     [check("c1"), check("c2", "c1:true"), step("x", "c2:true"), step("y", "c1:false"),
      step("j", "x", "y")],
     [(DEPS.format(4), BOTH_SIDES.format("c1"))]),
    ("join-keeps-what-both-sides-share",
     [check("c1"), check("c2", "c1:true"), step("x", "c2:true"), step("y", "c2:false"),
      step("j2", "x", "y", trigger_rule="none_failed"), step("z", "c1:false"),
      step("k", "j2", "z")],
     [(DEPS.format(6), BOTH_SIDES.format("c1"))]),
    ("broken-edges-first",
     [check(), step("y", "check:maybe"), step("n", "check:false"), step("j", "y", "n")],
     [(DEPS.format(1) + "[0]", NO_MAYBE)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "expected"), [row[1:] for row in PROBLEMS], ids=[r[0] for r in PROBLEMS]
)
def test_every_problem_is_named_with_its_path(
    steps: list[dict[str, Any]], expected: list[tuple[str, str]]
) -> None:
    assert [(p.path, p.message) for p in validate_graph(steps)] == expected
    with pytest.raises(ValidationFailed) as caught:
        build_graph(steps)
    assert caught.value.problems[: len(expected)] == [Problem(*p) for p in expected]


@pytest.mark.parametrize(
    "steps",
    [
        [check(), step("y", "check:true"), step("n", "check:false"),
         step("j", "y", "n", trigger_rule="none_failed")],
        [check(), step("y", "check:true"), step("n", "check:false"),
         step("j", "y", "n", trigger_rule="all_done")],
        [check(), step("y", "check:true"), step("n", "check:false"),
         step("j", "y", "n", trigger_rule="any_succeeded"), step("after-join")],
        [check(), step("y", "check:true"), step("more"), step("j", "more", "check:true")],
        [check(), step("either", "check"), step("after")],
        [step("ask", type="approval"), step("go", "ask:approved"), step("stop", "ask:rejected")],
        [check(), step("y", "check:true"), check("c2", "y"), step("j", "c2:true", "check:true")],
    ],
    ids=["join-none-failed", "join-all-done", "join-any", "same-side", "plain-edge-to-branch",
         "approval", "nested-same-side"],
)  # fmt: skip
def test_sound_graphs_have_no_problems(steps: list[dict[str, Any]]) -> None:
    assert validate_graph(steps) == []
    assert set(build_graph(steps).nodes) == {s["id"] for s in steps}


def test_more_than_500_steps_is_refused_with_the_count() -> None:
    steps = [step(f"s{i}") for i in range(MAX_STEPS)]
    assert validate_graph(steps) == []
    assert len(build_graph(steps).order) == MAX_STEPS
    assert validate_graph([*steps, step("one-more")]) == [
        Problem("actions", "a workflow has at most 500 steps, this one has 501")
    ]


def test_a_step_without_an_id_cannot_be_built() -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_graph([step("a"), {"type": "transform"}])
    assert caught.value.problems == [Problem("actions[1].id", "a step needs an id")]


def test_junk_is_reported_not_raised() -> None:
    steps: list[Any] = [
        "not a step",
        step("a", trigger_rule=["all_done"]),
        {"id": "b", "type": ["x"], "depends_on": {"a": 1}},
        step("c", after=[None, "a"]),
    ]
    assert [(p.path, p.message) for p in validate_graph(steps)] == [
        (
            "actions[1].trigger_rule",
            "unknown trigger rule \"['all_done']\"; use one of all_succeeded, none_failed,"
            " all_done, any_succeeded",
        ),
        ("actions[2].depends_on", "must be a list of step ids"),
        (
            "actions[3].depends_on[0]",
            'must be a step id, or "<id>:<output>" to follow a branch output',
        ),
    ]


ERROR_HANDLER_GRAPHS = [
    ("handler-of-plain-step", [step("a"), step("h", "a:failed")], []),
    ("handler-of-branch", [check(), step("h", "check:failed")], []),
    ("case-named-failed",
     [step("s", type="switch", config={"cases": {"failed": 1}})],
     [("actions[0].config.cases",
       'a case cannot be named "failed": "<id>:failed" follows a step\'s failure'
       " (an error handler)")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "steps", "expected"), ERROR_HANDLER_GRAPHS)
def test_error_handler_dependencies(name: str, steps: list, expected: list) -> None:
    assert [(p.path, p.message) for p in validate_graph(steps)] == expected
