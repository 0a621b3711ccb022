"""An execution's run on the canvas, in the browser: the run map laid over nodes and edges.

The execution page sends its canvas's nodes and edges once and, at every live update, only
the run map (`app.core.execution_canvas.run_map`: per step its status, progress, note, hint,
pulse and buttons; per edge how the run went along it). Handing React Flow a new node list at
every update made it redo its whole graph (every node adopted again, every edge placed again,
the minimap redrawn: ~50-150 ms of the browser's main thread a push for 200 steps), so:

- nodes: the map goes into a small store (`fdRunStore`) the canvas holds; each node reads its
  own entry from it (`fdUseRunEntry`, `useSyncExternalStore`) and only the nodes whose entry
  changed are told, so a push redraws those and nothing else. React Flow's nodes never change.
- edges: drawn by `FdRunEdge`, which reads its state and its target's status from the same
  store and looks as `fdEdgeLook` (`flow_nodes.py`) says; React Flow's edges never change
  either (handing it new edges rebuilt its lookup of every connection).

What an entry leaves out is filled in as `app.core.execution_canvas.shown_run` does.
"""

from __future__ import annotations

RUN_JS = r"""
const FdRun = createContext(null);
const FD_NO_RUN = {};

function fdSameRun(a, b) {  // two entries of the run map say the same
  return a === b || (!!a && !!b && a.status === b.status && a.progress === b.progress
    && a.note === b.note && a.hint === b.hint && !!a.pulse === !!b.pulse
    && (a.actions || []).join() === (b.actions || []).join());
}

function fdRunData(id, entry) {  // as `app.core.execution_canvas.shown_run`
  const status = entry.status || "pending";
  return {
    status, progress: entry.progress || "", note: entry.note || "",
    hint: entry.hint || `${id} · ${status}`, pulse: !!entry.pulse, actions: entry.actions || [],
  };
}

function fdRunStore(run) {
  let steps = {}, edges = {};
  const heard = { step: new Map(), edge: new Map() };  // id → the nodes / edges listening
  const tell = (kind, id) => (heard[kind].get(id) || []).forEach((listener) => listener());
  const listen = (kind, id, listener) => {
    if (!heard[kind].has(id)) heard[kind].set(id, new Set());
    heard[kind].get(id).add(listener);
    return () => heard[kind].get(id).delete(listener);
  };
  const store = {
    entry: (id) => steps[id],
    edgeState: (id) => edges[id] || "pending",
    subscribe: (id, listener) => listen("step", id, listener),
    subscribeEdge: (id, listener) => listen("edge", id, listener),
    set(next) {  // keeps the object of each entry that says the same; tells the others
      const given = (next && next.steps) || {}, states = (next && next.edges) || {};
      const kept = {}, changed = [], moved = [];
      for (const id of Object.keys(given)) {
        const old = steps[id];
        kept[id] = old && fdSameRun(old, given[id]) ? old : given[id];
        if (kept[id] !== old) changed.push(id);
      }
      for (const id of Object.keys(steps)) if (!(id in given)) changed.push(id);
      for (const id of new Set([...Object.keys(edges), ...Object.keys(states)])) {
        if (edges[id] !== states[id]) moved.push(id);
      }
      steps = kept;
      edges = states;
      changed.forEach((id) => tell("step", id));
      moved.forEach((id) => tell("edge", id));
    },
  };
  store.set(run);
  return store;
}

function fdUseRunStore(run) {  // null without a run (the designer, a version compare)
  const [store] = useState(() => (run ? fdRunStore(run) : null));
  // Before the browser paints: the nodes and edges a push changed redraw in the same frame.
  useLayoutEffect(() => { if (store) store.set(run); }, [store, run]);
  return store;
}

const fdNoSubscribe = () => () => {};

function fdUseRunEntry(id) {  // [a run is shown, the node's entry (undefined: pending)]
  const store = useContext(FdRun);
  const subscribe = useCallback(
    (listener) => (store ? store.subscribe(id, listener) : fdNoSubscribe()), [store, id]);
  const read = () => (store ? store.entry(id) : undefined);
  return [!!store, useSyncExternalStore(subscribe, read, read)];
}

function fdUseRunEdges(edges, running) {  // the edges drawn by `FdRunEdge` (made once)
  return useMemo(() => (running ? (edges || []).map((e) => ({ ...e, type: "fdRun" })) : edges),
    [edges, running]);
}

// An execution's edge: React Flow's smooth step edge in the look of its state and its
// target's status, read from the run store (it redraws when either changes, alone).
function FdRunEdge(props) {
  const store = useContext(FdRun);
  const { id, target } = props;
  const subscribe = useCallback((listener) => {
    const forget = [store.subscribe(target, listener), store.subscribeEdge(id, listener)];
    return () => forget.forEach((f) => f());
  }, [store, id, target]);
  const read = () => `${store.edgeState(id)} ${(store.entry(target) || FD_NO_RUN).status
    || "pending"}`;
  const seen = useSyncExternalStore(subscribe, read, read);
  const look = useMemo(() => fdEdgeLook(...seen.split(" ")), [seen]);
  return (
    <g className={look.className}>
      <SmoothStepEdge {...props} style={look.style} labelStyle={look.labelStyle}
                      markerEnd={`url('#fd-arrow-${look.marker}')`} />
    </g>
  );
}

const fdEdgeTypes = { fdRun: FdRunEdge };
const FD_HIDDEN = { position: "absolute", width: 0, height: 0, overflow: "hidden" };

function FdRunArrows() {  // the arrowheads of the run's edges, one per colour
  return (
    <svg style={FD_HIDDEN} aria-hidden="true"><defs>
      {FD_ARROWHEADS.map((name) => (
        <marker key={name} id={`fd-arrow-${name}`} className="react-flow__arrowhead"
                markerWidth="12.5" markerHeight="12.5" viewBox="-10 -10 20 20"
                markerUnits="strokeWidth" orient="auto-start-reverse" refX="0" refY="0">
          <polyline className="arrowclosed" strokeLinecap="round" strokeLinejoin="round"
                    style={{ strokeWidth: 1, stroke: `var(--${name})`, fill: `var(--${name})` }}
                    points="-5,-4 0,0 -5,4 -5,-4" />
        </marker>
      ))}
    </defs></svg>
  );
}
"""
