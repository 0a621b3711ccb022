"""Copy and paste of canvas steps: what the clipboard holds, and a pasted group made new.

The clipboard is JSON: `{"flowdeck": "steps", "version": 1, "steps": [...]}`, the steps as a
definition writes them, so a copy pasted into another workflow's designer (or into an editor)
reads like the definition it came from. Copying writes every step's dependencies out (a step
that followed "the previous step" follows it by name) and keeps only those on copied steps, as
n8n does: the connections inside the copy stay, the ones to steps left behind are dropped, so
a copied step whose parents were not copied starts at once.

Pasting gives every step a fresh id (its own id with a new number: `fetch` → `fetch1`,
`check2` → `check3`), remaps the edges inside the group (`check:true` → `check1:true`) and
rewrites templates and conditions that name a copied step the way Jinja reads a step
(`steps.fetch.output` and `steps["fetch"]`): a pasted group reads its own steps, not the
originals. A name of a step that was not copied is left alone (it may exist where the group
is pasted). The group lands offset from where it was copied, one `OFFSET` further for as long
as that spot is taken (pasting twice does not stack two copies on each other).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from app.core.canvas import SIZES, hint, layout_positions
from app.core.errors import Problem, ValidationFailed
from app.core.graph import Dependency, field_of, parse_dependency, raw_dependencies
from app.core.json_depth import MAX_JSON_DEPTH, nests_deeper_than

FORMAT = "steps"
VERSION = 1
OFFSET = 40.0
MAX_TEXT = 1_000_000  # characters of clipboard JSON a paste reads
MAX_ID = 63
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_GRAPH_KEYS = {"id", "type", "depends_on", "dependsOn", "ui", "trigger_rule", "triggerRule"}
_DOTTED = re.compile(r"(?<![\w.])(steps\s*\.\s*)([A-Za-z_][A-Za-z0-9_]*)")
_BRACKETED = re.compile(r"(?<![\w.])(steps\s*\[\s*)([\"'])([^\"'\]]+)\2")

Step = Mapping[str, Any]


def copy_steps(steps: Sequence[Step], ids: Collection[str]) -> dict[str, Any]:
    """The clipboard for the steps named by `ids` (in the workflow's order)."""
    chosen = set(ids)
    copied = []
    for position, step in enumerate(steps):
        if str(field_of(step, "id")) not in chosen:
            continue
        raw, _ = raw_dependencies(steps, position)
        deps = [str(d) for d in raw] if isinstance(raw, list) else []
        kept = [d for d in deps if parse_dependency(d).source in chosen]
        body = {
            k: v
            for k, v in step.items()
            if k not in ("dependsOn", "depends_on") and not k.startswith("_")
        }
        copied.append({**body, "depends_on": kept})
    return {"flowdeck": FORMAT, "version": VERSION, "steps": copied}


def read_clipboard(text: str, allowed: Collection[str], room: int) -> list[dict[str, Any]]:
    """The steps of a clipboard text, checked; at most `room` of them, of `allowed` types."""
    if len(text) > MAX_TEXT:
        raise ValidationFailed([Problem("", "the clipboard holds too much to paste")])
    if nests_deeper_than(text.encode(), MAX_JSON_DEPTH):
        raise ValidationFailed([Problem("", "the clipboard nests too deeply to paste")])
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    steps = data.get("steps") if isinstance(data, dict) and data.get("flowdeck") == FORMAT else 0
    if not isinstance(steps, list) or not steps:
        raise ValidationFailed([Problem("", "the clipboard holds no Flowdeck steps")])
    if len(steps) > room:
        raise ValidationFailed([Problem("", f"there is room for {max(room, 0)} more steps")])
    for at, step in enumerate(steps):
        kind = step.get("type") if isinstance(step, dict) else None
        if not isinstance(step, dict) or not isinstance(step.get("id"), str):
            raise ValidationFailed([Problem(f"steps[{at}]", "a step needs an id")])
        if not isinstance(kind, str) or kind not in allowed:
            raise ValidationFailed([Problem(f"steps[{at}].type", f'unknown step type "{kind}"')])
        if not isinstance(step.get("config", {}), dict):
            raise ValidationFailed([Problem(f"steps[{at}].config", "config must be an object")])
    return steps


def fresh_id(old: str, kind: str, taken: Collection[str]) -> str:
    """`old` with a number that is free (`fetch` → `fetch1`, `check2` → `check3`)."""
    base = re.sub(r"\d+$", "", old) if _ID.match(old) else ""
    if not base:
        base = kind.replace("_", "-") if kind[:1].isalpha() else f"step-{kind}"
    number = 1
    while (candidate := f"{base[: MAX_ID - len(str(number))]}{number}") in taken:
        number += 1
    return candidate


def rewrite_refs(value: Any, mapping: Mapping[str, str]) -> Any:
    """`value` with every `steps.<old>` / `steps["<old>"]` of a mapped id renamed."""
    if isinstance(value, str):
        if "steps" not in value:
            return value
        dotted = _DOTTED.sub(lambda m: m[1] + mapping.get(m[2], m[2]), value)
        return _BRACKETED.sub(lambda m: m[1] + m[2] + mapping.get(m[3], m[3]) + m[2], dotted)
    if isinstance(value, dict):
        return {k: rewrite_refs(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [rewrite_refs(v, mapping) for v in value]
    return value


def paste_steps(
    copied: Sequence[Step], existing: Sequence[Step]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The copied steps made new beside `existing`: fresh ids, remapped edges and references,
    offset positions. Returns the new steps and old id → new id."""
    taken = {str(field_of(s, "id")) for s in existing}
    mapping: dict[str, str] = {}
    new_ids = []
    for step in copied:
        new = fresh_id(str(field_of(step, "id")), str(field_of(step, "type")), taken)
        taken.add(new)
        new_ids.append(new)
        mapping.setdefault(str(field_of(step, "id")), new)
    pasted = []
    for position, (step, new) in enumerate(zip(copied, new_ids, strict=True)):
        raw, _ = raw_dependencies(copied, position)
        deps = [parse_dependency(str(d)) for d in raw] if isinstance(raw, list) else []
        kept = [str(Dependency(mapping[d.source], d.output)) for d in deps if d.source in mapping]
        body = {k: rewrite_refs(v, mapping) for k, v in step.items() if k not in _GRAPH_KEYS}
        rule = field_of(step, "trigger_rule")
        pasted.append(
            {
                "id": new,
                "type": field_of(step, "type"),
                **body,
                "depends_on": kept,
                **({"trigger_rule": rule} if rule else {}),
            }
        )
    return _placed(copied, pasted, existing), mapping


def _placed(
    copied: Sequence[Step], pasted: list[dict[str, Any]], existing: Sequence[Step]
) -> list[dict[str, Any]]:
    """Positions for the pasted steps: the copied ones offset to a free spot, or (when a copy
    came without positions) laid out as a group below everything already there."""
    where = [hint(step) for step in copied]
    if any(p is None for p in where):
        laid = layout_positions(pasted)
        below = max((p[1] for s in existing if (p := hint(s))), default=-SIZES.node_h)
        top = below + SIZES.node_h + SIZES.gap_y
        return [
            {**s, "ui": {"x": laid[s["id"]][0], "y": round(laid[s["id"]][1] + top, 1)}}
            for s in pasted
        ]
    shift = free_offset([p for p in where if p], [p for s in existing if (p := hint(s))])
    return [
        {**s, "ui": {"x": round(p[0] + shift, 1), "y": round(p[1] + shift, 1)}}
        for s, p in zip(pasted, where, strict=True)
        if p is not None
    ]


def free_offset(
    copied: Iterable[tuple[float, float]], existing: Iterable[tuple[float, float]]
) -> float:
    """The first multiple of `OFFSET` that puts no copied position on an existing one."""
    taken = {(round(x), round(y)) for x, y in existing}
    spots = list(copied)
    for k in range(1, len(taken) + 2):
        shift = k * OFFSET
        if not any((round(x + shift), round(y + shift)) in taken for x, y in spots):
            return shift
    return (len(taken) + 2) * OFFSET
