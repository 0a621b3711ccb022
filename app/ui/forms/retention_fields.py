"""The workflow form's "History retention" section: the workflow's own keep_days, keep_last
and keep_data_days as text (blank = the global setting), to and from the definition.

Pure; the service (`app.core.retention.parse_policy`) checks the values and names each bad
one at its field, so a blank or a typo is passed through as typed.
"""

from __future__ import annotations

from typing import Any

from app.core.retention import FIELDS

BLANK: dict[str, str] = dict.fromkeys(FIELDS, "")


def retention_to_form(definition: dict[str, Any]) -> dict[str, str]:
    return {n: "" if definition.get(n) is None else str(definition[n]) for n in FIELDS}


def retention_to_definition(fields: dict[str, str]) -> dict[str, Any]:
    """Blank: None (the global value); otherwise the text, checked by the service. A form
    without these fields (left out) leaves the workflow's values as they are."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        if name not in fields:
            continue
        text = (fields.get(name) or "").strip()
        out[name] = None if not text else int(text) if text.isdigit() else text
    return out


def global_hints(settings: dict[str, Any]) -> dict[str, str]:
    """Placeholders: the global value each blank field falls back to."""
    forever = {"keep_days": "forever", "keep_last": "no minimum", "keep_data_days": "as the run"}
    return {
        n: f"Global: {settings[n]}" if settings.get(n) is not None else f"Global: {forever[n]}"
        for n in FIELDS
    }
