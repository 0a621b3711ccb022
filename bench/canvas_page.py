"""The page side of the canvas benchmark: scripts run in Chromium, all on the page's own clock.

`INSTRUMENT` runs before the page's own scripts (an init script) and records, in
`performance.now()` milliseconds since the navigation started:
- every websocket frame received and sent (time, size, and whether it holds a watched
  string), by wrapping `window.WebSocket` (Reflex's socket.io uses the browser's);
- when the page holds `__fd.expect` canvas nodes, when none of them is hidden any more (React
  Flow hides a node until it has measured it), and the next frame after that (painted);
- long tasks (> 50 ms on the main thread) from the performance timeline.
"""

from __future__ import annotations

INSTRUMENT = r"""
(() => {
  const fd = window.__fd = {
    expect: 0, edges: 0, keep: false, recv: [], sent: [], watch: [], longtasks: [],
    inDom: null, visible: null, edgesIn: null, painted: null,
  };
  // A frame's length in characters: its bytes, as this benchmark sends only ASCII (encoding every
  // frame to count its UTF-8 bytes cost the page ~1 ms per 100 KB, measured in its profile).
  const bytes = (data) => typeof data === "string"
    ? data.length : (data.byteLength || data.size || 0);
  const watched = (data) => typeof data !== "string" ? [] :
    fd.watch.filter((w) => data.includes(w));
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (ev) => {
        const at = performance.now();
        const frame = {at, size: bytes(ev.data), hits: watched(ev.data)};
        if (fd.keep) frame.text = ev.data;  // to look inside (investigations only)
        fd.recv.push(frame);
      });
    }
    send(data) {
      const head = typeof data === "string" ? data.slice(0, 200) : "";
      fd.sent.push({at: performance.now(), size: bytes(data), hits: watched(data), head});
      return super.send(data);
    }
  }
  window.WebSocket = Watched;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) fd.longtasks.push({at: e.startTime, ms: e.duration});
    }).observe({type: "longtask", buffered: true});
  } catch (e) { /* no long task timing */ }
  const nodes = document.getElementsByClassName("react-flow__node");
  const edges = document.getElementsByClassName("react-flow__edge");
  const check = () => {
    if (!fd.expect || fd.painted !== null) return;
    const now = performance.now();
    if (fd.inDom === null && nodes.length >= fd.expect) fd.inDom = now;
    if (fd.edgesIn === null && fd.edges && edges.length >= fd.edges) fd.edgesIn = now;
    if (fd.inDom !== null && fd.visible === null) {
      let hidden = 0;
      for (const n of nodes) if (n.style.visibility === "hidden") hidden++;
      if (hidden === 0) {
        fd.visible = now;
        requestAnimationFrame(() => { fd.painted = performance.now(); });
      }
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["style"],
  });
})();
"""

#: Record every animation frame until `__fd.stopFrames()`: the intervals between them.
FRAMES_START = """
() => {
  const fd = window.__fd;
  fd.frames = [];
  fd.framing = true;
  const tick = (t) => { fd.frames.push(t); if (fd.framing) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  fd.longtasks = [];
}
"""

FRAMES_STOP = """
() => {
  const fd = window.__fd;
  fd.framing = false;
  const f = fd.frames;
  const gaps = [];
  for (let i = 1; i < f.length; i++) gaps.push(f[i] - f[i - 1]);
  return {gaps, longtasks: fd.longtasks.map((t) => t.ms)};
}
"""

VIEWPORT = """
() => document.querySelector('.react-flow__viewport').style.transform
"""

#: A point of the empty pane (no node, edge or control under it) near the canvas's middle.
EMPTY_POINT = """
() => {
  const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
  const cx = pane.x + pane.width / 2, cy = pane.y + pane.height / 2;
  for (let r = 0; r < Math.max(pane.width, pane.height) / 2; r += 8) {
    for (let a = 0; a < 16; a++) {
      const x = cx + r * Math.cos(a * Math.PI / 8), y = cy + r * Math.sin(a * Math.PI / 8);
      const el = document.elementFromPoint(x, y);
      if (el && el.classList.contains('react-flow__pane')) return {x, y};
    }
  }
  return null;
}
"""

#: The id of a step node wholly inside the pane, nearest its middle (a 200-step graph is
#: taller than the view even at the smallest zoom).
NODE_IN_VIEW = """
() => {
  const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
  const cy = pane.y + pane.height / 2;
  let best = null, far = Infinity;
  for (const el of document.querySelectorAll('[data-testid="canvas-node"]')) {
    const r = el.getBoundingClientRect();
    const inside = r.top >= pane.top && r.bottom <= pane.bottom && r.left >= pane.left
      && r.right <= pane.right;
    const d = Math.abs(r.top + r.height / 2 - cy);
    if (inside && d < far) { best = el.dataset.step; far = d; }
  }
  return best;
}
"""

#: Timestamp each keydown (capture phase, before the input sees it).
KEYS = """
() => {
  const fd = window.__fd;
  fd.keys = [];
  document.addEventListener('keydown', () => fd.keys.push(performance.now()), true);
}
"""

#: (node id) → when its label last changed to hold `__fd.label` (MutationObserver).
LABEL_WATCH = """
(stepId) => {
  const fd = window.__fd;
  fd.labelSeen = [];
  const node = document.querySelector(`[data-testid="canvas-node"][data-step="${stepId}"]`);
  new MutationObserver(() => {
    if (fd.label && node.textContent.includes(fd.label)) {
      if (fd.labelSeen.length < fd.keys.length) fd.labelSeen.push(performance.now());
    }
  }).observe(node, {subtree: true, childList: true, characterData: true});
}
"""

#: Every change of a node's data-status, stamped with the wall clock (compared with the
#: engine's `finished_at`: same machine, same clock).
STATUS_WATCH = """
() => {
  const fd = window.__fd;
  fd.statuses = [];
  const seen = new Map();
  const record = () => {
    const at = performance.timeOrigin + performance.now();
    for (const el of document.querySelectorAll('[data-testid="canvas-node"][data-step]')) {
      const step = el.dataset.step, status = el.dataset.status || '';
      if (seen.get(step) !== status) {
        seen.set(step, status);
        fd.statuses.push({step, status, at});
      }
    }
  };
  new MutationObserver(record).observe(document.body,
    {subtree: true, childList: true, attributes: true, attributeFilter: ['data-status']});
  record();
}
"""
