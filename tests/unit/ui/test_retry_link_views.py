"""The execution page's header and the executions list say which run a run retried and
which runs retried it (from the service's `retry_of` and `retries`)."""

from __future__ import annotations

from typing import Any

from app.ui.live import exec_row
from app.ui.states.execution_detail import _EMPTY
from app.ui.states.execution_detail_views import execution_view


def detail(**extra: Any) -> dict[str, Any]:
    return {**_EMPTY, "id": 7, "status": "failed", **extra}


def test_the_header_links_to_the_original_and_to_every_retry() -> None:
    view = execution_view(detail(retry_of=3, retries=[{"id": 9, "status": "failed"}]))
    assert view["retry_of"] == 3 and view["retried_as"] == [9]
    plain = execution_view(detail())
    assert plain["retry_of"] == 0 and plain["retried_as"] == []


def test_a_list_row_of_a_retry_names_the_run_it_retried() -> None:
    item = {
        "id": 9,
        "workflow_id": 1,
        "workflow_name": "w",
        "status": "failed",
        "trigger_type": "manual",
        "started_at": None,
        "queued_at": "2026-01-01T00:00:00",
        "duration_ms": None,
        "steps_completed": 0,
        "steps_total": 1,
        "error": None,
    }
    assert exec_row({**item, "retry_of": 7})["retry_of"] == 7
    assert exec_row({**item, "retry_of": None})["retry_of"] == 0


def test_a_list_row_carries_the_reused_steps_of_a_retry() -> None:
    item = {"id": 2, "workflow_id": 1, "workflow_name": "w", "status": "succeeded",
            "trigger_type": "manual", "started_at": None, "queued_at": None,
            "duration_ms": None, "steps_completed": 3, "steps_total": 3, "error": None}  # fmt: skip
    assert exec_row({**item, "retry_of": 1, "steps_reused": 2})["reused"] == 2
    assert exec_row(item)["reused"] == 0  # a first run, or a detail without the count
