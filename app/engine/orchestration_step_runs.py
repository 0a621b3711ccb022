"""Who runs an orchestration for the `orchestration` step: installed by the service layer.

Running one means opening a run row, running its calls and recording them, which the
orchestration service does (`app.services.orchestration_runs.record_run`). The engine must not
import services (layers point down), so that service installs its `record_run` here when it
is imported (the app imports it at start-up) and the step asks for it when it runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.engine.failures import ActionFailed
from app.engine.orchestration_records import RunRecord

RecordRun = Callable[..., Awaitable[tuple[int, RunRecord]]]
_installed: list[RecordRun] = []


def install(record_run: RecordRun) -> None:
    """Make `record_run(orchestration_id, inputs, *, trigger, execution_id, secrets)` the one
    the step calls (a later install replaces an earlier one)."""
    _installed[:] = [record_run]


async def record_run(orchestration_id: int, inputs: dict[str, Any], **context: Any) -> Any:
    if not _installed:
        raise ActionFailed(
            "orchestrations cannot run in this process: the orchestration service is not loaded"
        )
    return await _installed[0](orchestration_id, inputs, **context)
