"""The compare views' field rows: added and removed named right, readable paths and values."""

from __future__ import annotations

from app.core.canvas_diff import FieldChange
from app.core.doc_changes import MAX_ROWS, document_changes, plain_words
from app.core.redact import REDACTED


def _rows(before: dict, after: dict, **kw) -> list[tuple[str, str, str, str]]:
    return [(r.path, r.kind, r.old, r.new) for r in document_changes(before, after, **kw)]


def test_a_schedule_filled_in_lists_its_keys_as_added() -> None:
    before = {"trigger": {"type": "manual", "config": {}}, "keep_days": None}
    after = {"trigger": {"type": "schedule", "config": {"cron": "0 9 * * *", "timezone": "UTC"}},
             "keep_days": 5}  # fmt: skip
    assert _rows(before, after) == [
        ("keep_days", "added", "", "5"),  # not "changed null → 5"
        ("trigger.config.cron", "added", "", "0 9 * * *"),  # not "config changed {} → {…}"
        ("trigger.config.timezone", "added", "", "UTC"),
        ("trigger.type", "changed", "manual", "schedule"),
    ]


def test_steps_are_matched_by_id_and_an_added_step_lists_its_fields() -> None:
    a = {"id": "a", "type": "delay", "config": {"seconds": 1}}
    b = {"id": "b", "type": "transform", "config": {"values": {"x": 1}}}
    c = {"id": "c", "type": "delay", "config": {"seconds": 2}}
    rows = _rows({"actions": [a, b, c]}, {"actions": [a, c, {**b, "id": "d"}]}, by_id=["actions"])
    assert ("actions.b.type", "removed", "transform", "") in rows
    assert ("actions.d.config.values.x", "added", "", "1") in rows
    assert not [r for r in rows if r[0].startswith(("actions.a", "actions.c"))]  # unchanged
    assert all("{" not in old + new for _, _, old, new in rows)  # no raw JSON


def test_a_removed_setting_is_removed_and_secrets_stay_masked() -> None:
    before = {
        "actions": [
            {
                "id": "x",
                "retry": {"strategy": "linear"},
                "config": {"headers": {"Authorization": "Bearer abc-123"}},
            }
        ]
    }
    after = {"actions": [{"id": "x", "config": {"headers": {"Authorization": "Bearer def-456"}}}]}
    assert _rows(before, after, by_id=["actions"]) == [
        ("actions.x.config.headers.Authorization", "changed", REDACTED, REDACTED),
        ("actions.x.retry.strategy", "removed", "linear", ""),
    ]  # fmt: skip


def test_an_article_tag_added_and_status_moved() -> None:
    before = {"title": "A", "tags": ["x"], "status": "draft", "body": "long"}
    after = {"title": "A", "tags": ["x", "y"], "status": "ready", "body": "longer"}
    assert _rows(before, after, skip=["body"]) == [
        ("status", "changed", "draft", "ready"),
        ("tags[1]", "added", "", "y"),
    ]


def test_rows_are_bounded() -> None:
    many = {f"k{i:04}": i for i in range(MAX_ROWS + 50)}
    assert len(document_changes({}, many)) == MAX_ROWS
    assert document_changes(None, None) == []
    assert document_changes({"a": 1}, {"a": 1}) == []
    assert isinstance(document_changes({}, {"a": 1})[0], FieldChange)


def test_summary_words_lose_their_backticks() -> None:
    assert plain_words("added action `notify`") == "added action “notify”"
    assert plain_words("changed `actions.a.config.url`; renamed to `X`") == (
        "changed “actions.a.config.url”; renamed to “X”"
    )
    assert plain_words("no names") == "no names"
