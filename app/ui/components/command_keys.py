"""The page-wide keyboard of the admin pages (a JS hook compiled into every admin page).

- Ctrl/⌘+K opens the command palette, wherever the focus is.
- Ctrl/⌘+S clicks the page's save button (`data-shortcut-save`: the workflow form, the
  designer) when there is one; elsewhere the browser keeps its own Ctrl+S.
- `/` focuses the page's search (`data-page-search`), `?` opens the shortcuts dialog; both
  only while nobody is typing (an input, a text area, something editable, an open dialog or
  menu), so a `?` typed into a field stays a question mark.
- In the palette's input (`data-palette-input`), ↑ ↓ PageUp PageDown and Enter go to the
  server (`on_palette_key`), and the caret stays where it is; other keys type.

Listens on the document once, like the designer canvas's keys (`flow_canvas_keys.py`).
The list the `?` dialog shows is `app/ui/shortcuts.py`.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import no_args_event_spec, passthrough_event_spec
from reflex_base.utils.imports import ImportDict

_JS = r"""
const FD_PAGE_TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], '
  + '[role="dialog"], [role="alertdialog"], [role="listbox"], [role="menu"]';
const FD_PALETTE_KEYS = new Set(["ArrowDown", "ArrowUp", "PageDown", "PageUp", "Enter"]);

function fdShown(element) {
  return !!element && element.getClientRects().length > 0;
}

function FlowdeckKeys(props) {
  const live = useRef(props);
  live.current = props;
  useEffect(() => {
    const keydown = (event) => {
      if (event.defaultPrevented || event.isComposing) return;
      const p = live.current;
      const target = event.target;
      const inPalette = !!(target && target.closest && target.closest("[data-palette-input]"));
      const mod = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
      const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      if (inPalette && plain && FD_PALETTE_KEYS.has(event.key)) {
        event.preventDefault();
        p.onPaletteKey?.(event.key);
        return;
      }
      if (mod && key === "k") {
        event.preventDefault();
        p.onPalette?.();
        return;
      }
      if (mod && key === "s") {
        const save = Array.from(document.querySelectorAll("[data-shortcut-save]")).find(fdShown);
        if (!save) return;  // nothing to save here: the browser's own Ctrl+S
        event.preventDefault();
        if (target && target.blur && target !== document.body) target.blur();  // flush a field
        if (!save.disabled) window.setTimeout(() => save.click(), 0);
        return;
      }
      if (!plain || (target && target.closest && target.closest(FD_PAGE_TYPING))) return;
      if (key === "/") {
        const box = Array.from(document.querySelectorAll("[data-page-search]")).find(fdShown);
        const field = box && (box.matches("input, textarea") ? box : box.querySelector("input"));
        if (!field) return;
        event.preventDefault();
        field.focus();
        if (field.select) field.select();
      } else if (key === "?") {
        event.preventDefault();
        p.onHelp?.();
      }
    };
    document.addEventListener("keydown", keydown);
    return () => document.removeEventListener("keydown", keydown);
  }, []);
  return null;
}
"""


class CommandKeys(rx.Component):
    """Renders nothing; listens for the page-wide shortcuts."""

    library: str | None = None  # FlowdeckKeys is defined in the page (add_custom_code)
    tag: str | None = "FlowdeckKeys"

    on_palette: rx.EventHandler[no_args_event_spec]
    on_help: rx.EventHandler[no_args_event_spec]
    #: a navigation key pressed in the palette's input: ArrowDown, ArrowUp, PageDown, PageUp
    #: or Enter
    on_palette_key: rx.EventHandler[passthrough_event_spec(str)]

    def add_imports(self) -> ImportDict:
        return {"react": ["useEffect", "useRef"]}

    def add_custom_code(self) -> list[str]:
        return [_JS]


command_keys = CommandKeys.create
