"""Version maths: change words for workflow saves, the hash chain, field and line diffs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from app.core.versioning import (
    ChainLink,
    canonical_json,
    commit_hash,
    field_diff,
    line_diff,
    summarize_workflow_change,
    verify_chain,
)


def _action(action_id: str, action_type: str = "transform", **config: Any) -> dict[str, Any]:
    return {
        "id": action_id,
        "name": action_id,
        "type": action_type,
        "config": config,
        "condition": None,
        "retry": None,
        "timeout_s": None,
        "continue_on_error": False,
    }


BASE: dict[str, Any] = {
    "name": "Daily digest",
    "description": "Collect and send",
    "workflow_type": "custom",
    "priority": "normal",
    "concurrency_limit": 1,
    "is_active": True,
    "trigger": {
        "type": "schedule",
        "config": {"cron": "0 9 * * *", "timezone": "UTC", "misfire": "skip"},
    },
    "actions": [
        _action("fetch", "api_call", url="https://a.example/feed", method="GET", tags=["x", "y"]),
        _action("shape", values={"n": 1}),
        _action("notify", values={"text": "done"}),
    ],
}


def _ids(*order: str) -> Callable[[dict[str, Any]], None]:
    def reorder(d: dict[str, Any]) -> None:
        by_id = {a["id"]: a for a in d["actions"]}
        d["actions"] = [by_id[i] for i in order]

    return reorder


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value

    return change


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        for one in changes:
            one(d)

    return change


CASES: list[tuple[str, Callable[[dict[str, Any]], None], list[str]]] = [
    ("nothing", lambda d: None, []),
    ("add", lambda d: d["actions"].append(_action("archive")), ["added action `archive`"]),
    ("remove", lambda d: d["actions"].pop(1), ["removed action `shape`"]),
    (
        "config value",
        _set("actions.0.config.url", "https://b.example/feed"),
        ["changed `actions.fetch.config.url`"],
    ),
    (
        "list in config",
        _set("actions.0.config.tags", ["x", "y", "z"]),
        ["changed `actions.fetch.config.tags`"],
    ),
    (
        "retry added",
        _set("actions.0.retry", {"strategy": "linear"}),
        ["changed `actions.fetch.retry`"],
    ),
    (
        "condition",
        _set("actions.1.condition", "trigger.n > 1"),
        ["changed `actions.shape.condition`"],
    ),
    ("schedule", _set("trigger.config.cron", "0 10 * * *"), ["schedule 0 9 * * * → 0 10 * * *"]),
    (
        "time zone",
        _set("trigger.config.timezone", "Europe/Berlin"),
        ["time zone UTC → Europe/Berlin"],
    ),
    ("misfire", _set("trigger.config.misfire", "run_once"), ["changed `trigger.config.misfire`"]),
    ("rename", _set("name", "Morning digest"), ["renamed to `Morning digest`"]),
    ("pause", _set("is_active", False), ["paused"]),
    ("description", _set("description", "Collect, then send"), ["changed the description"]),
    ("priority", _set("priority", "high"), ["priority normal → high"]),
    ("concurrency", _set("concurrency_limit", 3), ["concurrency limit 1 → 3"]),
    ("type", _set("workflow_type", "n8n"), ["type custom → n8n"]),
    (
        "trigger type",
        _set("trigger", {"type": "webhook", "config": {"signature": "github"}}),
        ["trigger schedule → webhook"],
    ),
    ("move up", _ids("shape", "fetch", "notify"), ["moved action `shape` before `fetch`"]),
    ("move to end", _ids("shape", "notify", "fetch"), ["moved action `fetch` to the end"]),
    ("move last first", _ids("notify", "fetch", "shape"), ["moved action `notify` before `fetch`"]),
    (
        "rename and add",
        _both(_set("name", "Digest"), lambda d: d["actions"].append(_action("archive"))),
        ["renamed to `Digest`", "added action `archive`"],
    ),
    (
        "remove and move",
        _both(lambda d: d["actions"].pop(0), _ids("notify", "shape")),
        ["removed action `fetch`", "moved action `notify` before `shape`"],
    ),
    ("unknown top-level key", _set("owner", "ops"), ["changed `owner`"]),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_workflow_change_in_words(
    change: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    after = copy.deepcopy(BASE)
    change(after)
    assert summarize_workflow_change(BASE, after) == expected


MANUAL, WEBHOOK = {"type": "manual", "config": {}}, {"type": "webhook", "config": {}}
EVENT_A = {"type": "event", "config": {"event": "a"}}
EVENT_B = {"type": "event", "config": {"event": "b"}}


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (MANUAL, WEBHOOK, "trigger manual → webhook"),
        (EVENT_A, EVENT_B, "changed `trigger.config.event`"),
    ],
)
def test_trigger_words(before: dict, after: dict, expected: str) -> None:
    old = {**BASE, "trigger": before}
    assert summarize_workflow_change(old, {**BASE, "trigger": after}) == [expected]


def test_resume_and_first_version() -> None:
    paused = {**BASE, "is_active": False}
    assert summarize_workflow_change(paused, BASE) == ["resumed"]
    assert summarize_workflow_change(None, BASE) == ["created"]


# --- the hash chain ---------------------------------------------------------------------


def test_canonical_json_is_order_and_space_free() -> None:
    assert (
        canonical_json({"b": 1, "a": [1, {"d": 2, "c": "é"}]}) == '{"a":[1,{"c":"é","d":2}],"b":1}'
    )


def test_commit_hash_covers_snapshot_parent_and_meta() -> None:
    snapshot = {"title": "A", "body": "x"}
    first = commit_hash(snapshot, None, {"n": 1})
    assert len(first) == 64 and int(first, 16) >= 0
    assert commit_hash({"body": "x", "title": "A"}, None, {"n": 1}) == first  # key order
    assert commit_hash(snapshot, "0" * 64, {"n": 1}) != first
    assert commit_hash(snapshot, None, {"n": 2}) != first
    assert commit_hash({**snapshot, "body": "y"}, None, {"n": 1}) != first


def _chain(bodies: list[str]) -> list[ChainLink]:
    links: list[ChainLink] = []
    for number, body in enumerate(bodies, start=1):
        parent = links[-1].commit_hash if links else None
        snapshot, meta = {"body": body}, {"version_number": number}
        links.append(ChainLink(number, snapshot, parent, commit_hash(snapshot, parent, meta), meta))
    return links


def test_an_intact_chain_verifies() -> None:
    assert verify_chain(_chain(["one", "two", "three"])) == []
    assert verify_chain([]) == []


def test_tampering_with_a_middle_snapshot_is_detected() -> None:
    links = _chain(["one", "two", "three"])
    links[1] = ChainLink(
        2, {"body": "forged"}, links[1].parent_hash, links[1].commit_hash, links[1].meta
    )
    problems = verify_chain(links)
    assert [(p.version_number, p.message) for p in problems] == [
        (2, "content does not match its commit hash")
    ]


def test_rehashing_a_forged_middle_version_breaks_the_next_link() -> None:
    links = _chain(["one", "two", "three"])
    forged = {"body": "forged"}
    rehashed = commit_hash(forged, links[1].parent_hash, links[1].meta)
    links[1] = ChainLink(2, forged, links[1].parent_hash, rehashed, links[1].meta)
    problems = verify_chain(links)
    assert [p.version_number for p in problems] == [3]
    assert "parent hash" in problems[0].message


def test_dropped_version_and_edited_meta_are_detected() -> None:
    links = _chain(["one", "two", "three"])
    gap = verify_chain([links[0], links[2]])
    assert {p.version_number for p in gap} == {3}
    assert any("expected version 2" in p.message for p in gap)
    edited = ChainLink(1, links[0].snapshot, None, links[0].commit_hash, {"version_number": 9})
    assert [p.version_number for p in verify_chain([edited])] == [1]


# --- diffs ----------------------------------------------------------------------------------


def test_field_diff_is_plain_json() -> None:
    assert field_diff({"a": 1}, {"a": 1}) == {}
    diff = field_diff({"title": "A", "tags": ["x"]}, {"title": "B", "tags": ["x", "y"]})
    assert diff["values_changed"]["root['title']"] == {"new_value": "B", "old_value": "A"}
    assert diff["iterable_item_added"] == {"root['tags'][1]": "y"}
    assert field_diff(None, {"a": 1}) == {"dictionary_item_added": {"root['a']": 1}}


@pytest.mark.parametrize(
    ("before", "after", "ops"),
    [
        ("a\nb", "a\nb", []),
        ("a\nb", "a\nB", [("equal", ["a"], ["a"]), ("replace", ["b"], ["B"])]),
        ("a", "a\nb", [("equal", ["a"], ["a"]), ("insert", [], ["b"])]),
        ("a\nb", "b", [("delete", ["a"], []), ("equal", ["b"], ["b"])]),
        ("", "new", [("insert", [], ["new"])]),
    ],
)
def test_line_diff_blocks(before: str, after: str, ops: list[tuple]) -> None:
    assert [(d["op"], d["old"], d["new"]) for d in line_diff(before, after)] == ops


def test_line_diff_with_context_cuts_long_unchanged_runs() -> None:
    old = "\n".join(f"line {i}" for i in range(100))
    new = old.replace("line 50", "line fifty")
    full, cut = line_diff(old, new), line_diff(old, new, context=2)
    assert sum(len(d["old"]) for d in full) == 100
    assert [(d["op"], d["old_start"], len(d["old"])) for d in cut] == [
        ("equal", 48, 2),
        ("replace", 50, 1),
        ("equal", 51, 2),
    ]
