"""Version history maths: canonical snapshots, a git-style hash chain, diffs, change words.

Content and workflow versions are stored as full snapshots. Each content version carries a
sha256 over its canonical snapshot, its metadata and its parent's hash, so editing any stored
row (or dropping one) breaks every hash after it — `verify_chain` finds that without trusting
the database. The diffs are what people read: DeepDiff for fields, difflib for a body's lines,
and `summarize_workflow_change` for a workflow save in words ("added action `notify`").
Everything here is pure: no I/O, no clock, no database.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deepdiff import DeepDiff

_ACTIVE_WORDS = {True: "resumed", False: "paused"}
_NAMED_FIELDS = {
    "workflow_type": "type",
    "priority": "priority",
    "concurrency_limit": "concurrency limit",
}


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no whitespace, UTF-8 kept (what the hash is over)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def commit_hash(
    snapshot: Mapping[str, Any], parent_hash: str | None, meta: Mapping[str, Any] | None = None
) -> str:
    """sha256 hex over the parent's hash, the metadata and the snapshot, git-commit style.

    The parent is part of the hashed text, so a change anywhere earlier in the history changes
    every hash after it.
    """
    text = (
        f"parent {parent_hash or ''}\n"
        f"meta {canonical_json(dict(meta or {}))}\n"
        f"snapshot {canonical_json(dict(snapshot))}\n"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """What `verify_chain` needs of one stored version."""

    version_number: int
    snapshot: Mapping[str, Any]
    parent_hash: str | None
    commit_hash: str
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainProblem:
    version_number: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"version_number": self.version_number, "message": self.message}


def verify_chain(versions: Iterable[ChainLink]) -> list[ChainProblem]:
    """Every break in a history (oldest first); an empty list means it is intact.

    Finds a snapshot or metadata edited after the fact (its hash no longer matches), a parent
    link that points elsewhere, and a missing or repeated version number.
    """
    problems: list[ChainProblem] = []
    previous: ChainLink | None = None
    for link in versions:
        number = link.version_number
        expected_number = 1 if previous is None else previous.version_number + 1
        if number != expected_number:
            problems.append(ChainProblem(number, f"expected version {expected_number} here"))
        expected_parent = None if previous is None else previous.commit_hash
        if link.parent_hash != expected_parent:
            problems.append(
                ChainProblem(number, f"parent hash {link.parent_hash} should be {expected_parent}")
            )
        if commit_hash(link.snapshot, link.parent_hash, link.meta) != link.commit_hash:
            problems.append(ChainProblem(number, "content does not match its commit hash"))
        previous = link
    return problems


def field_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """DeepDiff of two JSON documents as plain JSON (`{}` when equal)."""
    delta = DeepDiff(dict(before or {}), dict(after), ignore_order=False, verbose_level=2)
    return json.loads(delta.to_json()) if delta else {}


def line_diff(before: str, after: str, context: int | None = None) -> list[dict[str, Any]]:
    """The lines of two texts as blocks `{op, old_start, old, new_start, new}`.

    `op` is `equal`, `insert`, `delete` or `replace`; starts are 0-based line indexes. With
    `context`, long unchanged runs are cut to that many lines around each change (what a stored
    diff keeps); without it every line is listed, as a side-by-side viewer needs.
    """
    old_lines, new_lines = before.splitlines(), after.splitlines()
    if old_lines == new_lines:
        return []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    groups = [matcher.get_opcodes()] if context is None else matcher.get_grouped_opcodes(context)
    return [
        {
            "op": tag,
            "old_start": i1,
            "old": old_lines[i1:i2],
            "new_start": j1,
            "new": new_lines[j1:j2],
        }
        for group in groups
        for tag, i1, i2, j1, j2 in group
    ]


def _dotted(parts: Sequence[Any]) -> str:
    """`['config', 'url']` -> `config.url`; trailing list indexes are dropped (whole list)."""
    parts = list(parts)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def changed_paths(before: Any, after: Any) -> list[str]:
    """Dotted paths of every value that differs, in a stable order, without repeats."""
    tree = DeepDiff(before, after, ignore_order=False, view="tree")
    paths = {
        _dotted(level.path(output_format="list")) for levels in tree.values() for level in levels
    }
    return sorted(paths)


def _actions_by_id(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(a.get("id")): dict(a) for a in definition.get("actions") or []}


def _moves(before_ids: list[str], after_ids: list[str]) -> list[str]:
    """Words for actions whose place changed, relative to the action that now follows them.

    The longest run kept in order stays put; every other action counts as moved.
    """
    common = set(before_ids) & set(after_ids)
    old = [i for i in before_ids if i in common]
    new = [i for i in after_ids if i in common]
    if old == new:
        return []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    kept = {new[b.b + k] for b in matcher.get_matching_blocks() for k in range(b.size)}
    words = []
    for index, action_id in enumerate(new):
        if action_id in kept:
            continue
        following = new[index + 1] if index + 1 < len(new) else None
        where = f"before `{following}`" if following else "to the end"
        words.append(f"moved action `{action_id}` {where}")
    return words


def _action_words(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    old, new = _actions_by_id(before), _actions_by_id(after)
    words = [f"added action `{i}`" for i in new if i not in old]
    words += [f"removed action `{i}`" for i in old if i not in new]
    for action_id in (i for i in new if i in old):
        words += [
            f"changed `actions.{action_id}.{path}`"
            for path in changed_paths(old[action_id], new[action_id])
        ]
    return words + _moves(list(old), list(new))


def _trigger_words(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    old, new = dict(before.get("trigger") or {}), dict(after.get("trigger") or {})
    if old.get("type") != new.get("type"):
        return [f"trigger {old.get('type')} → {new.get('type')}"]
    old_config, new_config = dict(old.get("config") or {}), dict(new.get("config") or {})
    words = []
    for key, label in (("cron", "schedule"), ("timezone", "time zone")):
        if old_config.get(key) != new_config.get(key) and old.get("type") == "schedule":
            words.append(f"{label} {old_config.pop(key, None)} → {new_config.pop(key, None)}")
    words += [f"changed `trigger.config.{p}`" for p in changed_paths(old_config, new_config)]
    return words


def summarize_workflow_change(
    before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> list[str]:
    """What a save changed, in words a person reads in a timeline; `[]` when nothing did.

    Renames, pause/resume, trigger and schedule changes and added, removed, changed or moved
    actions get their own words; anything else is named by its dotted path.
    """
    if before is None:
        return ["created"]
    words: list[str] = []
    if before.get("name") != after.get("name"):
        words.append(f"renamed to `{after.get('name')}`")
    if before.get("is_active") != after.get("is_active"):
        words.append(_ACTIVE_WORDS[bool(after.get("is_active"))])
    if before.get("description") != after.get("description"):
        words.append("changed the description")
    for key, label in _NAMED_FIELDS.items():
        if before.get(key) != after.get(key):
            words.append(f"{label} {before.get(key)} → {after.get(key)}")
    words += _trigger_words(before, after)
    words += _action_words(before, after)
    handled = {"name", "is_active", "description", "trigger", "actions", *_NAMED_FIELDS}
    rest_before = {k: v for k, v in before.items() if k not in handled}
    rest_after = {k: v for k, v in after.items() if k not in handled}
    words += [f"changed `{p}`" for p in changed_paths(rest_before, rest_after)]
    return words
