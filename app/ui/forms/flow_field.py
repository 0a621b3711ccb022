"""`FlowField`: one input of a step type's form (shared by `step_kinds` and `ops_fields`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FlowField:
    """One input of a flow step: form key, config key, label, kind (text|textarea|code|list|
    items|json|select|secret; a `list` is text with commas, a stored list is shown joined by
    them; `items` too, but stored as a list; `code` is kept as typed, in a monospace box across
    the card; a trigger's `secret` is a password box).

    `omit`: the form value that means "not given" (the key is left out of the config).
    `literal`: a number or true/false typed (or chosen) is stored as one, not as text.
    """

    key: str
    config_key: str
    label: str
    kind: str = "text"
    placeholder: str = ""
    options: tuple[str, ...] = ()
    default: str = ""
    omit: str | None = None
    literal: bool = False
