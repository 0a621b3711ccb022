"""`for_each`: run one inner step per item of a list, `concurrency` at a time.

The runner renders `items` and `concurrency` with the step; the inner `step` is passed as
written (`unrendered`) and rendered here per item, with `item` and `index` added to the
context, in the render thread under the inner step's own budget and timeout
(`rendering.prepare_step`). Each item then runs like a step: the inner step's retry policy and
timeout through the engine's own attempt loop (`steps.attempt_loop`). Items are recorded in
`step_item` in batches (`app.engine.items`).

The output is the list of the inner results in item order. Every item runs; then the step
fails if any item failed, naming them (`app.core.for_each.failure_message`), with the results
so far as its output, unless the inner step has `continue_on_error`: failed items' results
are then null and the step succeeds. A skipped item (its condition was false) gives null.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

from app.core.for_each import MAX_ITEMS, ForEachConfig, InnerStep, ItemStatus, failure_message
from app.core.retry import NO_RETRY
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine import rendering  # a module: rendering imports the action registry
from app.engine.actions import Skip, StepContext, action
from app.engine.failures import ActionFailed, describe
from app.engine.items import ItemEnd, ItemRecorder


def _inner_action(outer_id: str, inner: InnerStep) -> dict[str, Any]:
    """The inner step as the engine's step functions read an action."""
    spec: dict[str, Any] = {"id": outer_id, "type": inner.type, "config": inner.config}
    if inner.condition:
        spec["condition"] = inner.condition
    if inner.timeout_s:
        spec["timeout_s"] = inner.timeout_s
    return spec


class _Loop:
    """One for_each run: the items, the inner step, the results and the failures."""

    def __init__(self, step: StepContext, config: ForEachConfig, recorder: ItemRecorder) -> None:
        self.step = step
        self.items: list[Any] = config.items
        self.inner = config.step
        self.action = _inner_action(step.action_id, config.step)
        self.policy = config.step.retry or NO_RETRY
        self.recorder = recorder
        self.results: list[Any] = [None] * len(self.items)
        self.failed: dict[int, str] = {}

    async def worker(self, queue: Iterator[int]) -> None:
        for index in queue:  # one shared iterator: each index goes to exactly one worker
            await self.run_item(index)

    async def run_item(self, index: int) -> None:
        context = {**self.step.context, "item": self.items[index], "index": index}
        started, clock = utcnow(), time.perf_counter()
        attempts: list[Any] = []
        try:
            status, output, error = await self._attempt(context, attempts)
        except Exception as exc:  # the item failed; the others go on
            status, error = ItemStatus.FAILED, describe(exc, self.inner.timeout_s)
            output = getattr(exc, "output", None)  # e.g. the body of an HTTP error, kept
        if status == ItemStatus.FAILED:
            self.failed[index] = error or "failed"
        else:
            self.results[index] = output
        duration_ms = round((time.perf_counter() - clock) * 1000, 3)
        self.recorder.add(
            ItemEnd(index, status, len(attempts), started, duration_ms, output, error)
        )

    async def _attempt(
        self, context: dict[str, Any], attempts: list[Any]
    ) -> tuple[ItemStatus, Any, str | None]:
        """Render the inner step for this item, then run it under its retry policy."""
        from app.engine.steps import attempt_loop  # steps imports the action registry

        prepared = await rendering.prepare_step(self.action, context)
        if prepared.error is not None:
            return ItemStatus.FAILED, None, prepared.error
        if prepared.skip_reason is not None:
            return ItemStatus.SKIPPED, None, None
        item_step = StepContext(
            execution_id=self.step.execution_id,
            workflow_id=self.step.workflow_id,
            action_id=self.step.action_id,
            attempt=0,
            context=context,
            depends_on=self.step.depends_on,
            secrets=self.step.secrets,
        )
        output = await attempt_loop(self.action, prepared.config, item_step, self.policy, attempts)
        if isinstance(output, Skip):  # the inner action found nothing it could do
            return ItemStatus.SKIPPED, output.output, None
        return ItemStatus.SUCCEEDED, output, None

    def verdict(self) -> list[Any]:
        """The results; raises `ActionFailed` (results as its output) if an item failed."""
        if self.failed and not self.inner.continue_on_error:
            first = min(self.failed)
            message = failure_message(list(self.failed), len(self.items), self.failed[first])
            raise ActionFailed(message, output=self.results)  # type: ignore[arg-type]
        return self.results


@action(
    "for_each",
    ForEachConfig,
    "Run one step per item of a list",
    unrendered=("step",),
)
async def run(step: StepContext, config: ForEachConfig) -> list[Any]:
    if not isinstance(config.items, list):  # a rendered text that still looks like a template
        raise ActionFailed("items: the template did not give a list", kind="validation")
    if len(config.items) > MAX_ITEMS:  # checked when parsed; kept here as the last guard
        raise ActionFailed(f"a for_each takes at most {MAX_ITEMS:,} items", kind="validation")
    recorder = await ItemRecorder.open(
        step.execution_id,
        step.action_id,
        len(config.items),
        step.secrets,
        get_settings().max_step_data_bytes,
    )
    loop = _Loop(step, config, recorder)
    queue = iter(range(len(config.items)))
    try:
        async with asyncio.TaskGroup() as group:
            for number in range(min(config.concurrency, len(config.items))):
                group.create_task(loop.worker(queue), name=f"{step.action_id} worker {number}")
    except BaseException:
        recorder.abort()
        raise
    await recorder.close()
    return loop.verdict()
