"""Built-in email templates (`<name>.json`: `subject`, `body`, optional `html`, `description`),
Jinja templates rendered in the sandbox over the run's context plus `to` and `name`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_FOLDER = Path(__file__).parent


@cache
def email_templates() -> dict[str, dict[str, str]]:
    """Every built-in email template by name."""
    found = {}
    for path in sorted(_FOLDER.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[path.stem] = {k: str(v) for k, v in data.items()}
    return found
