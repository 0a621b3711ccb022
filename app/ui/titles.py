"""Browser tab titles that name what the page shows ("#42 · Weather digest · Flowdeck")."""

from __future__ import annotations

MAX_NAME = 60


def page_title(name: str | None, kind: str, number: int | None = None) -> str:
    """`name` (shortened), after `#number` when given; `kind` until the object is loaded."""
    text = (name or "").strip()
    if len(text) > MAX_NAME:
        text = text[: MAX_NAME - 1].rstrip() + "…"
    parts = [f"#{number}"] if number else []
    parts += [text] if text else ([] if number else [kind])
    return " · ".join([*parts, "Flowdeck"])
