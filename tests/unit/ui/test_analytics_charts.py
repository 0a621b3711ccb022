"""The analytics figures and rows, from answers shaped like the analytics services' (no app,
no database): stacked status bars in the app's colours, gaps kept as gaps, readable hover
labels, the table and CSV rows, the custom range's checks, and the step table's marks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.ui.components.analytics_charts import (
    STATUS_HEX,
    csv_rows,
    duration_figure,
    executions_figure,
    parse_range,
    queue_wait_figure,
    series_rows,
    success_rate_figure,
    totals_text,
)
from app.ui.components.status_badge import STATUS_COLORS
from app.ui.states.workflow_performance import error_rows, step_rows

SERIES = [
    {"t": "2026-12-01T10:00:00+00:00", "succeeded": 8, "failed": 2, "cancelled": 0, "other": 1,
     "success_rate": 0.8, "p50_ms": 120.0, "p95_ms": 900.0, "p99_ms": 2500.0,
     "queue_wait_avg_ms": 40.0},
    {"t": "2026-12-01T11:00:00+00:00", "succeeded": 0, "failed": 0, "cancelled": 0, "other": 0,
     "success_rate": None, "p50_ms": None, "p95_ms": None, "p99_ms": None,
     "queue_wait_avg_ms": None},
]  # fmt: skip


def test_executions_are_stacked_by_status_in_the_status_badge_colours() -> None:
    fig = executions_figure(SERIES)
    assert fig.layout.barmode == "stack"
    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["Failed"].y) == [2, 0] and list(by_name["Succeeded"].y) == [8, 0]
    assert by_name["Failed"].marker.color == STATUS_HEX["failed"]
    # the same scales as the badges: green succeeded, red failed, gray cancelled
    assert STATUS_COLORS["succeeded"] == "green" and STATUS_HEX["succeeded"] == "#30a46c"
    assert STATUS_COLORS["failed"] == "red" and STATUS_HEX["failed"] == "#e5484d"


def test_an_empty_bucket_is_a_gap_not_zero_percent_or_zero_seconds() -> None:
    rate = success_rate_figure(SERIES).data[0]
    assert list(rate.y) == [80.0, None]
    p95 = next(t for t in duration_figure(SERIES).data if t.name == "p95")
    assert list(p95.y) == [0.9, None]
    assert list(queue_wait_figure(SERIES).data[0].y) == [0.04, None]


def test_hover_labels_are_dark_with_white_text_on_a_transparent_figure() -> None:
    for fig in (executions_figure(SERIES), success_rate_figure([]), duration_figure(SERIES)):
        assert fig.layout.hovermode == "x unified"
        assert fig.layout.hoverlabel.bgcolor == "#1c2024"
        assert fig.layout.hoverlabel.font.color == "#ffffff"
        assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"


def test_table_rows_are_text_and_csv_rows_are_numbers() -> None:
    rows = series_rows(SERIES, "hour")
    assert rows[0]["t"] == "2026-12-01 10:00 UTC" and rows[0]["success_rate"] == "80.0%"
    assert rows[0]["p99_ms"] == "2.5 s" and rows[1]["p95_ms"] == "—"
    assert series_rows(SERIES, "day")[0]["t"] == "2026-12-01"
    assert csv_rows(SERIES, "duration")[0] == {
        "t": "2026-12-01T10:00:00+00:00", "p50_ms": 120.0, "p95_ms": 900.0, "p99_ms": 2500.0
    }  # fmt: skip
    assert totals_text({"executions": 1234, "success_rate": None})["executions"] == "1,234"


def test_a_custom_range_covers_both_days_and_refuses_a_bad_one() -> None:
    today = date(2026, 12, 1)
    start, end = parse_range("2026-11-01", "2026-11-30", today)
    assert start == datetime(2026, 11, 1, tzinfo=UTC) and end == datetime(2026, 12, 1, tzinfo=UTC)
    cases = {
        ("", "2026-11-30"): "both",
        ("2026-11-31", "2026-12-01"): "YYYY-MM-DD",
        ("2026-11-20", "2026-11-10"): "before the first day",
        ("2026-12-05", "2026-12-06"): "future",
        ("2025-01-01", "2026-11-30"): "at most 366 days",
    }
    for (first, last), words in cases.items():
        with pytest.raises(ValueError, match=words):
            parse_range(first, last, today)
    parse_range("2025-12-01", "2026-11-30", today)  # 365 days: fine


def test_the_slowest_step_is_the_bottleneck_and_the_most_failing_is_marked() -> None:
    steps = [
        {"action_id": "render", "runs": 10, "failures": 0, "retries": 0, "skipped": 0,
         "failure_rate": 0.0, "avg_ms": 800.0, "p95_ms": 1500.0},
        {"action_id": "fetch", "runs": 10, "failures": 4, "retries": 3, "skipped": 0,
         "failure_rate": 0.4, "avg_ms": 50.0, "p95_ms": 90.0},
    ]  # fmt: skip
    rows = {r["action_id"]: r for r in step_rows(steps)}
    assert rows["render"]["bottleneck"] == "1" and rows["render"]["failing"] == ""
    assert rows["fetch"]["failing"] == "1" and rows["fetch"]["bottleneck"] == ""
    assert rows["fetch"]["failure_rate"] == "40.0%" and rows["render"]["p95"] == "1.5 s"
    quiet = step_rows([{**steps[1], "failures": 0, "p95_ms": None}])
    assert quiet[0]["failing"] == "" and quiet[0]["bottleneck"] == ""


def test_an_error_group_whose_example_is_gone_says_so() -> None:
    group = {"action_id": "fetch", "shape": "HTTP <n> from <url>", "count": 3,
             "first_seen": "2026-12-01T10:05:00+00:00", "last_seen": "2026-12-01T11:00:00+00:00",
             "example_execution_id": 42, "example_error": "HTTP 500 from http://x"}  # fmt: skip
    kept, pruned, gone = error_rows(
        [group, {**group, "example_exists": False}, {**group, "example_execution_id": None}]
    )
    assert kept["example"] == "42" and kept["first_seen"] == "2026-12-01 10:05 UTC"
    assert pruned["example"] == "" and gone["example"] == ""
