"""Every keyboard shortcut, in one list: the `?` dialog shows it on every admin page.

The keys themselves are handled in the browser: the page-wide ones by `command_keys.py`, the
designer canvas's by `flow_canvas_keys.py` (which keeps its own list next to its code).
"""

from __future__ import annotations

from app.ui.components.flow_canvas_keys import SHORTCUTS as CANVAS

Shortcut = tuple[str, str]

EVERYWHERE: list[Shortcut] = [
    ("Ctrl/⌘ + K", "Command palette: a workflow, a run (#42), a page or an action"),
    ("/", "Focus the page's search"),
    ("?", "Show these shortcuts"),
    ("Ctrl/⌘ + S", "Save (the workflow form and the designer)"),
    ("Escape", "Close a dialog or the palette"),
]
PALETTE: list[Shortcut] = [
    ("↑ / ↓", "Move through the results"),
    ("Enter", "Open the chosen result"),
    ("run <name>", "Type it to run a workflow"),
]

#: (title, shortcuts, only on the designer) in the order the dialog shows them.
SECTIONS: list[tuple[str, list[Shortcut], bool]] = [
    ("Everywhere", EVERYWHERE, False),
    ("In the command palette", PALETTE, False),
    ("On the designer's canvas", CANVAS, True),
]
