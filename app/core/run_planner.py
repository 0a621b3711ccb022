"""`plan` for one run, kept up to date step by step: the same decisions for less work.

`app.core.planner.plan` looks at every step each time it is asked, which is what makes it easy
to read and to table-test, and what makes a 200-step run ask 200 × 200 questions. A run's
steps change one at a time, and a pending step's verdict can only change when one of its
dependencies changed. `RunPlanner` keeps the states, counts them by status, and on each
`plan` decides again only the pending steps whose dependencies changed since it last looked
(in topological order, so a skip still propagates downstream in the same answer), keeping the
steps already found ready until a slot frees. Its answers are `plan`'s answers, decision for
decision: the property test drives both through random graphs and runs and compares them.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping

from app.core.graph import Graph
from app.core.planner import (
    DEFAULT_MAX_PARALLEL,
    PENDING,
    STEP_STATUSES,
    Outcome,
    Plan,
    StepState,
    decide,
    ended,
    halt_of,
    handled_failures,
    to_cancel,
)

_SKIPPED = StepState("skipped")


class RunPlanner:
    """The planner of one run. `set` every change of a step's state; `plan` for what next."""

    def __init__(
        self,
        graph: Graph,
        states: Mapping[str, StepState] | None = None,
        *,
        max_parallel: int = DEFAULT_MAX_PARALLEL,
    ) -> None:
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
        self.graph = graph
        self.max_parallel = max_parallel
        self._position = {step: position for position, step in enumerate(graph.order)}
        self._states: dict[str, StepState] = {}
        self._counts: Counter[str] = Counter()
        for step in graph.order:
            state = (states or {}).get(step, PENDING)
            _check(state)
            self._states[step] = state
            self._counts[state.status] += 1
        self._to_decide = {s for s in graph.order if self._states[s].status == "pending"}
        self._ready: set[str] = set()

    @property
    def states(self) -> Mapping[str, StepState]:
        return self._states

    def set(self, step: str, state: StepState) -> None:
        """`step` is now in `state`; its pending dependents will be decided again."""
        _check(state)
        old = self._states[step]
        self._counts[old.status] -= 1
        self._counts[state.status] += 1
        self._states[step] = state
        if state.status == "pending":
            self._to_decide.add(step)
        else:
            self._to_decide.discard(step)
            self._ready.discard(step)
        for dependent in self.graph.dependents.get(step, ()):
            if self._states[dependent].status == "pending":
                self._to_decide.add(dependent)

    def plan(self, *, paused: bool = False, cancel_requested: bool = False) -> Plan:
        """What `app.core.planner.plan` answers for the current states."""
        statuses = {status for status, count in self._counts.items() if count > 0}
        running = self._counts["running"]
        halt = halt_of(statuses, cancel_requested)
        if halt is not None:
            cancel = () if halt == Outcome.INTERRUPTED else to_cancel(self.graph, self._states)
            return Plan(cancel=cancel, outcome=None if running else halt)
        skip = self._decide_changed()
        slots = 0 if paused else max(0, self.max_parallel - running)
        nodes = self.graph.nodes
        start = tuple(sorted(self._ready, key=lambda s: nodes[s].index)[:slots])
        outcome, failed_step = self._outcome(busy=running + len(start), paused=paused)
        handled = handled_failures(self.graph, self._states) if outcome is not None else {}
        return Plan(
            start=start, skip=skip, outcome=outcome, failed_step=failed_step, handled=handled
        )

    def _decide_changed(self) -> dict[str, str]:
        """Decide the pending steps whose dependencies changed; skips are taken in at once."""
        skip: dict[str, str] = {}
        heap = [(self._position[step], step) for step in self._to_decide]
        heapq.heapify(heap)
        self._to_decide = set()
        while heap:
            _, step = heapq.heappop(heap)
            if self._states[step].status != "pending" or step in skip:
                continue
            verdict, reason = decide(self.graph.nodes[step], self.graph, self._states)
            if verdict == "skip":
                skip[step] = reason
                self.set(step, _SKIPPED)
                for dependent in self._to_decide:  # downstream of the skip: this same answer
                    heapq.heappush(heap, (self._position[dependent], dependent))
                self._to_decide = set()
            elif verdict == "start":
                self._ready.add(step)
            else:
                self._ready.discard(step)
        return skip

    def _outcome(self, *, busy: int, paused: bool) -> tuple[Outcome | None, str | None]:
        if busy:
            return None, None
        counts = self._counts
        if counts["pending"] or counts["running"] or counts["waiting"]:
            if paused:
                return Outcome.PAUSED, None
            if counts["waiting"]:
                return Outcome.WAITING, None
            raise AssertionError("planner: pending steps with nothing running or waiting")
        return ended(self.graph, self._states)


def _check(state: StepState) -> None:
    if state.status not in STEP_STATUSES:
        raise ValueError(f"unknown step status {state.status!r}")
