"""One execution's steps, walked as the planner decides: start these, skip those, finish.

The runner builds a `GraphRun` for each execution and awaits `walk()`. Each round asks the
pure planner (`app.core.run_planner.RunPlanner`, which answers as `app.core.planner.plan`
does, deciding again only what changed) what to do with the current step states, records the
skips it names (with their reasons), starts the steps it names and waits for one of them to
end, then asks again, until the planner gives the outcome. Running one step (condition,
render, retries, recording) stays in `steps.run_step`.

Concurrency: steps that are ready together run as tasks, up to the workflow's
`max_parallel` (the planner counts the running ones). When the planner starts a single step
and nothing else runs (every step of a plain chain), it is awaited inline: no task, so a
chain costs what it did before graphs. Each step renders against a snapshot of the outputs
known when it starts, so a step that ends meanwhile never changes a render under way.

Branches: a branch action (`if`, `switch`) returns `{"branch": <output>, …}`; that output is
what the planner compares with the `"<id>:<output>"` edges. A retried execution's reused
branch step hands on the branch its stored output names.

Progress (`steps_completed`): steps that succeeded, were skipped (by their own condition or a
branch not taken) or failed with `continue_on_error`. A step skipped because something
upstream failed does not count, as it did not in a chain.

Cancel and stop: the walk's task is cancelled; every running step task is cancelled and
awaited (each records itself `cancelled`, or `interrupted` when Flowdeck stops), and the
runner closes the execution.

Waits and pauses: a step whose action returned `Suspend` is `waiting` (recorded by
`steps.run_step`); it holds no slot. Once only waiting steps are left, or the run is paused
and its running steps have finished, the planner's outcome is `waiting` or `paused` and the
runner ends the task (see `Engine._run`). A wait resolved while the run still has steps running
pokes the walk (`poke`), which reads the resolved steps back from the database. A run that
goes on later (from the queue) starts from its stored step states (`resumed_from`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from app.core.graph import Graph
from app.core.planner import Plan, StepState
from app.core.run_planner import RunPlanner
from app.core.statuses import StepStatus
from app.engine import offload, suspended
from app.engine.rendering import Prepared, render_ahead, renders_ahead
from app.engine.steps import RunScope, StepOutcome, record_skip, run_step

_RUNNING = StepState("running")
_WAITING = StepState("waiting")
#: What a step skipped by its own condition says (`rendering.prepare`): such a step passes
#: through to its dependents, one skipped for another reason does not.
_BY_CONDITION = "condition is false"


class GraphRun:
    """The state of one execution's steps while it runs (see the module docstring)."""

    def __init__(
        self,
        scope: RunScope,
        *,
        graph: Graph,
        actions: list[dict[str, Any]],
        step_ids: list[int],
        context: dict[str, Any],
        reuse: Mapping[str, Any],
        max_parallel: int,
    ) -> None:
        self.scope = scope
        self.graph = graph
        self.actions = actions
        self.step_ids = step_ids
        self.context = context
        self.reuse = dict(reuse)
        self.max_parallel = max_parallel
        self.planner = RunPlanner(graph, max_parallel=max_parallel)
        self.errors: dict[str, str | None] = {}
        self.completed = 0
        self._blocked: set[str] = set()  # failed, or skipped because something failed
        self._tasks: dict[asyncio.Task[StepOutcome], str] = {}
        self.waiting: dict[str, int] = {}  # step → its row id, while it waits
        self.paused = False
        self._poke = asyncio.Event()
        self._ahead: dict[str, Prepared] = {}  # steps rendered ahead (`rendering.render_ahead`)
        self._over = False

    def resumed_from(self, rows: Mapping[str, Mapping[str, Any]], completed: int) -> None:
        """Start from the stored states of a run that goes on after a wait or a pause."""
        self.completed = completed
        for step, node in self.graph.nodes.items():
            row = rows.get(step)
            if row is None or row["status"] == StepStatus.PENDING:
                continue
            status = StepStatus(row["status"])
            if status == StepStatus.WAITING:
                self.planner.set(step, _WAITING)
                self.waiting[step] = row["id"]
                continue
            output = row["output"]
            self.context["steps"][step] = {"output": output, "status": status.value}
            if status == StepStatus.SUCCEEDED:
                branch = _branch(node.outputs, StepOutcome(status, output))
                self.planner.set(step, StepState("succeeded", output=branch))
            elif status == StepStatus.SKIPPED:
                # by its own condition, or by its action (it started, then returned `Skip`):
                # either way its dependents go on, as they did before the run stopped
                by_condition = (row["skip_reason"] or "").startswith(_BY_CONDITION) or (
                    row.get("started_at") is not None
                )
                self.planner.set(step, StepState("skipped", by_condition=by_condition))
            else:
                if status == StepStatus.FAILED:
                    self.errors[step] = row["error"]
                    if not node.continue_on_error:
                        self._blocked.add(step)
                self.planner.set(step, StepState(status.value))

    def poke(self) -> None:
        """Something changed outside the walk (a wait resolved, pause, resume): look again."""
        self._poke.set()

    def take_ended(self, rows: list[Mapping[str, Any]]) -> None:
        """Take in waiting steps whose wait was resolved (their rows, read back)."""
        by_id = {step_id: step for step, step_id in self.waiting.items()}
        for row in rows:
            step = by_id.get(row["id"])
            if step is None:
                continue
            del self.waiting[step]
            status = StepStatus(row["status"])
            self._absorb(step, StepOutcome(status, row["output"], row["error"]))

    async def _look_again(self) -> None:
        self._poke.clear()
        if self.waiting:
            rows = await offload.db(
                suspended.ended_steps, self.scope.execution_id, list(self.waiting.values())
            )
            self.take_ended(rows)

    def render_ahead(self) -> None:
        """Render the steps that read only what never changes in a run, in the background.

        Steps that start at once (no dependency) are left out: they would race the job.
        """
        steps = [
            (step, self.actions[node.index])
            for step, node in self.graph.nodes.items()
            if node.depends_on
            and step not in self.reuse
            and self.planner.states[step].status == "pending"
            and renders_ahead(self.actions[node.index])
        ]
        if steps:
            context = {**self.context, "steps": {}}
            ahead, over = self._ahead, lambda: self._over
            offload.render_in_background(lambda: render_ahead(steps, context, ahead, over))

    async def walk(self) -> Plan:
        """Run the steps to the planner's outcome; returns its last decision."""
        try:
            while True:
                if self._poke.is_set():
                    await self._look_again()
                decision = self.planner.plan(paused=self.paused)
                self._skip(decision.skip)
                if decision.outcome is not None:
                    return decision
                if len(decision.start) == 1 and not self._tasks:
                    step = decision.start[0]
                    self.planner.set(step, _RUNNING)
                    self._absorb(step, await self._run(step))
                    continue
                for step in decision.start:
                    self.planner.set(step, _RUNNING)
                    task = asyncio.create_task(self._run(step), name=f"step {step}")
                    self._tasks[task] = step
                if not self._tasks:
                    raise RuntimeError("planner: nothing to start, nothing running, no outcome")
                poked = asyncio.ensure_future(self._poke.wait())
                try:
                    done, _ = await asyncio.wait(
                        [*self._tasks, poked], return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    poked.cancel()
                steps = [task for task in done if task in self._tasks]
                for task in sorted(steps, key=lambda t: self.graph.nodes[self._tasks[t]].index):
                    self._absorb(self._tasks.pop(task), task.result())
        finally:
            await self._stop_tasks()

    def close(self) -> None:
        """The walk is over: a render-ahead job still going stops at its next step."""
        self._over = True

    async def _stop_tasks(self) -> None:
        """Cancel and await the step tasks still running (after a cancel or an engine bug)."""
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, step: str) -> StepOutcome:
        node = self.graph.nodes[step]
        results = self.context["steps"]
        return await run_step(
            self.scope,
            step_id=self.step_ids[node.index],
            position=node.index,
            action=self.actions[node.index],
            context={**self.context, "steps": dict(results)},
            reuse=self.reuse,
            depends_on=tuple(dict.fromkeys(d.source for d in node.depends_on)),
            prepared=self._ahead.pop(step, None),
        )

    def _absorb(self, step: str, outcome: StepOutcome) -> None:
        """Take a step's end into the states the planner reads, the context and the counters."""
        node = self.graph.nodes[step]
        self.context["steps"][step] = {"output": outcome.output, "status": outcome.status.value}
        status = outcome.status
        if status == StepStatus.SUCCEEDED:
            self.completed += 1
            self.planner.set(step, StepState("succeeded", output=_branch(node.outputs, outcome)))
        elif status == StepStatus.SKIPPED:
            self.completed += 1
            self.planner.set(step, StepState("skipped", by_condition=True))
        elif status == StepStatus.WAITING:
            self.planner.set(step, _WAITING)
            self.waiting[step] = self.step_ids[node.index]
            return
        elif status == StepStatus.FAILED:
            self.errors[step] = outcome.error
            if node.continue_on_error:
                self.completed += 1
            else:
                self._blocked.add(step)
            self.planner.set(step, StepState("failed"))
        else:
            self.planner.set(step, StepState(status.value))

    def _skip(self, skips: Mapping[str, str]) -> None:
        for step, reason in skips.items():
            node = self.graph.nodes[step]
            counts = not any(d.source in self._blocked for d in node.depends_on)
            if counts:
                self.completed += 1
            else:
                self._blocked.add(step)
            record_skip(
                self.scope,
                step_id=self.step_ids[node.index],
                position=node.index,
                action=self.actions[node.index],
                reason=reason,
                counts=counts,
            )
            self.planner.set(step, StepState("skipped"))
            self.context["steps"][step] = {"output": None, "status": "skipped"}


def _branch(outputs: tuple[str, ...], outcome: StepOutcome) -> str | None:
    """The output a branch step chose: `output["branch"]`; None for other steps."""
    if not outputs or not isinstance(outcome.output, Mapping):
        return None
    branch = outcome.output.get("branch")
    return branch if isinstance(branch, str) else None
