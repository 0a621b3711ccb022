"""The canvas's keyboard, its narrow-screen switch and its leave guard (JS hooks).

Compiled into the page with the canvas (`flow_canvas.py`). Shortcuts are listened for on the
document, so they work wherever the focus is on the page, except while a person types: in an
input, a textarea, a select, something editable, an open dialog or menu (the side panel's
fields keep their own Ctrl+Z, Ctrl+A and Ctrl+C). Copy and paste use the browser's own
`copy` / `paste` events (a paste carries the system clipboard's text without asking for a
permission); a Ctrl+C or Ctrl+V whose event never comes (some browsers send none when nothing
editable has the focus) still copies or pastes, from the tab's own clipboard.

`SHORTCUTS` is the canvas's part of the `?` dialog (`app/ui/shortcuts.py`, which adds the
page-wide keys: `?` itself, Ctrl+S, Ctrl+K, `/`); keep it and `fdUseShortcuts` together.
"""

from __future__ import annotations

SHORTCUTS: list[tuple[str, str]] = [
    ("Delete / Backspace", "Delete the selected steps and connections"),
    ("Ctrl/⌘ + Z", "Undo"),
    ("Ctrl/⌘ + Shift + Z, Ctrl + Y", "Redo"),
    ("Ctrl/⌘ + C", "Copy the selected steps"),
    ("Ctrl/⌘ + V", "Paste steps (also from another workflow's designer)"),
    ("Ctrl/⌘ + A", "Select every step"),
    ("Shift + click", "Add a step to the selection"),
    ("Shift + drag", "Select the steps inside a box"),
    ("Escape", "Clear the selection"),
    ("Arrow keys", "Move the selected steps (with Shift: further)"),
    ("+ / -", "Zoom in / out"),
    ("0", "Zoom to 100%"),
    ("1", "Fit the whole workflow in view"),
]

KEYS_JS = r"""
const FD_TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], '
  + '[role="dialog"], [role="alertdialog"], [role="listbox"], [role="menu"]';

const FD_ARROWS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"]);

function fdTyping(target) {
  return !!(target && target.closest && target.closest(FD_TYPING));
}

function fdTextSelected() {
  return typeof window !== "undefined" && String(window.getSelection() || "") !== "";
}

function fdNarrow(below) {
  // True while the window is narrower than `below` pixels (the designer goes read-only).
  const query = below ? `(max-width: ${below - 0.02}px)` : "";
  const matches = () => !!query && typeof window !== "undefined"
    && window.matchMedia(query).matches;
  const [narrow, setNarrow] = useState(matches);
  useEffect(() => {
    if (!query) { setNarrow(false); return undefined; }
    const list = window.matchMedia(query);
    const change = () => setNarrow(list.matches);
    change();
    list.addEventListener("change", change);
    return () => list.removeEventListener("change", change);
  }, [query]);
  return narrow;
}

function fdUseShortcuts(enabled, live, setNodes, setEdges, view) {
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    if (!enabled) return undefined;
    let copyTimer = null;
    let pasteTimer = null;
    let arrowTimer = null;
    const sendPositions = () => {
      const moved = live.current.nodes.filter((n) => n.selected).map(
        (n) => ({ id: n.id, x: n.position.x, y: n.position.y }));
      const send = live.current.props.onMoveNodes;
      if (moved.length && send && !live.current.readOnly) send(JSON.stringify(moved));
    };
    const selectedIds = () => live.current.nodes.filter((n) => n.selected).map((n) => n.id);
    const copy = () => {
      const ids = selectedIds();
      const send = live.current.props.onCopyNodes;
      if (ids.length && send && !live.current.readOnly) send(JSON.stringify(ids));
    };
    const paste = (text) => {
      const send = live.current.props.onPasteSteps;
      if (send && !live.current.readOnly) send(text);
    };
    const select = (all) => {
      setNodes((ns) => ns.map((n) => (!!n.selected === all ? n : { ...n, selected: all })));
      if (!all) setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
    };
    const keydown = (event) => {
      if (FD_ARROWS.has(event.key) && !live.current.readOnly && event.target.closest
          && event.target.closest(".react-flow__node, .react-flow__nodesselection")) {
        // React Flow moves a focused, selected node 5 px per arrow key (4x with Shift) but
        // tells no one: the position is sent once the keys rest, as a drag's would be.
        window.clearTimeout(arrowTimer);
        arrowTimer = window.setTimeout(sendPositions, 300);
        return;
      }
      if (event.defaultPrevented || event.isComposing || fdTyping(event.target)) return;
      const p = live.current.props;
      const edit = !live.current.readOnly;
      const mod = (event.ctrlKey || event.metaKey) && !event.altKey;
      const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const v = viewRef.current;
      if (mod && key === "z") {
        if (edit) (event.shiftKey ? p.onRedo : p.onUndo)?.();
      } else if (mod && key === "y" && !event.shiftKey) {
        if (edit) p.onRedo?.();
      } else if (mod && key === "a") {
        select(true);
      } else if (mod && key === "c") {
        if (fdTextSelected()) return;  // copying text on the page: the browser's own copy
        window.clearTimeout(copyTimer);
        copyTimer = window.setTimeout(copy, 80);  // unless the copy event comes first
        return;
      } else if (mod && key === "v") {
        window.clearTimeout(pasteTimer);
        pasteTimer = window.setTimeout(() => paste(""), 80);  // unless the paste event comes
        return;
      } else if (plain && key === "Escape") {
        select(false);
      } else if (plain && (key === "+" || key === "=")) {
        v.zoomIn({ duration: 150 });
      } else if (plain && key === "-") {
        v.zoomOut({ duration: 150 });
      } else if (plain && key === "0") {
        v.zoomTo(1, { duration: 150 });
      } else if (plain && key === "1") {
        v.fitView({ duration: 200, maxZoom: 1 });
      } else {
        return;
      }
      event.preventDefault();
    };
    const onCopy = (event) => {
      if (fdTyping(event.target) || fdTextSelected()) return;
      window.clearTimeout(copyTimer);
      if (!selectedIds().length) return;
      event.preventDefault();
      copy();
    };
    const onPaste = (event) => {
      if (fdTyping(event.target)) return;
      window.clearTimeout(pasteTimer);
      const text = (event.clipboardData && event.clipboardData.getData("text/plain")) || "";
      event.preventDefault();
      // Flowdeck's own JSON (maybe copied in another workflow); anything else: this tab's copy
      paste(text.length <= 1000000 && text.includes('"flowdeck"') ? text : "");
    };
    document.addEventListener("keydown", keydown);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      window.clearTimeout(copyTimer);
      window.clearTimeout(pasteTimer);
      window.clearTimeout(arrowTimer);
      document.removeEventListener("keydown", keydown);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [enabled]);
}

function fdUseLeaveGuard(dirty) {
  // With unsaved changes: the browser asks before a reload or close, and a click on a link
  // that leaves this page asks first (in the capture phase, before the router sees it).
  useEffect(() => {
    if (!dirty) return undefined;
    const unload = (event) => {
      event.preventDefault();
      event.returnValue = "";
    };
    const click = (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
          || event.altKey) return;
      const link = event.target.closest && event.target.closest("a[href]");
      if (!link || link.target === "_blank" || link.hasAttribute("download")) return;
      const url = new URL(link.href, window.location.href);
      const here = window.location;
      if (url.origin === here.origin && url.pathname === here.pathname) return;
      if (window.confirm("You have unsaved changes. Leave without saving them?")) return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener("beforeunload", unload);
    document.addEventListener("click", click, true);
    return () => {
      window.removeEventListener("beforeunload", unload);
      document.removeEventListener("click", click, true);
    };
  }, [dirty]);
}
"""
