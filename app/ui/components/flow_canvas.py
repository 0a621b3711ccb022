"""React Flow (`@xyflow/react`, MIT) wrapped for Reflex: the designer's canvas.

React Flow wants its node list in the browser: dragging moves a node sixty times a second, and
sending every frame to the server and back makes the drag lag. So the wrapper is a small React
component (`FlowdeckCanvas`, below, compiled into the page) that keeps the nodes and edges the
server sent in local state, lets React Flow move and select them there, and tells the server
only what changes the definition: a connection made, nodes dropped somewhere, a selection,
nodes or edges deleted. Each is sent as plain strings (ids, or JSON for a list), so the event
specs stay simple. When the server sends new nodes (an edit, a save), they replace the local
ones; `fit_token` changing fits the view (after "Tidy up"). `patch` ({id, data}) lays fields
over one node's data: the designer's step whose name is being typed in the side panel is
redrawn from it, without the server resending every node per keystroke.

With `on_select_nodes` (the designer) the selection is a list: shift-click and shift-drag
(React Flow's own), Ctrl+A and Escape; the ids are sent once a selection settles, and the
server's `selected_ids` are applied when they change. `shortcuts` turns on the keyboard
(`flow_canvas_keys.py`: undo, redo, copy, paste, zoom), `dirty` the leave guard, and
`read_only_below` makes the canvas read-only in a window narrower than that many pixels.

One node type, `step`, drawn by `flow_nodes.py`: what a node shows comes in its `data`.

An execution's canvas also gets `run` (`app.core.execution_canvas.run_map`): its nodes and
edges come once, and each live update brings only that map of statuses
(`flow_canvas_run.py`): a node reads its own entry, so a push redraws only the nodes it
changed and React Flow's node list stays as it was.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import no_args_event_spec, passthrough_event_spec
from reflex_base.utils.imports import ImportDict

from app.ui.components.flow_canvas_keys import KEYS_JS
from app.ui.components.flow_canvas_run import RUN_JS
from app.ui.components.flow_nodes import NODE_JS

XYFLOW = "@xyflow/react@12.12.1"

_JS = r"""
const FD_KIND = "application/x-flowdeck-step";
// The box React Flow draws around a multi-selection would swallow clicks on the nodes inside
// it: a click on one of them selects it alone, a drag of one moves them all, as elsewhere.
const FD_CANVAS_CSS = ".react-flow__nodesselection-rect { pointer-events: none; }";
// Props React Flow compares by identity: a new object at each redraw would make it redraw
// every edge (`defaultEdgeOptions`) or refit (`fitViewOptions`) each time.
const FD_EDGE_DEFAULTS = { type: "smoothstep", markerEnd: { type: MarkerType.ArrowClosed } };
const FD_MINIMAP_STYLE = { width: 160, height: 110 };
const FD_MULTI_KEYS = ["Shift", "Meta", "Control"];
const FD_DELETE_KEYS = ["Delete", "Backspace"];
const FD_FILL = { width: "100%", height: "100%" };

function fdSameIds(a, b) {
  if (a.length !== b.length) return false;
  const seen = new Set(a);
  return b.every((id) => seen.has(id));
}

function fdSameNode(old, n) {  // every field the server sent is as the node has it
  return !old.dragging && Object.keys(n).every((key) => key === "selected"
    || old[key] === n[key] || JSON.stringify(old[key]) === JSON.stringify(n[key]));
}

function fdHasAll(data, fields) {  // every field is as `data` has it already
  return Object.keys(fields || {}).every((key) => data[key] === fields[key]
    || JSON.stringify(data[key]) === JSON.stringify(fields[key]));
}

function fdKeepSame(edges, current) {  // an edge the update did not change: the same object
  const known = new Map((current || []).map((e) => [e.id, e]));
  return edges.map((e) => {
    const old = known.get(e.id);
    return old && fdSameNode(old, e) ? old : e;
  });
}

function fdSelect(nodes, chosenIds, current, fromServer) {
  // Keep what React Flow measured of a node it already shows: a node without it is hidden
  // (and its edges with it) until measured again, a flicker on every server update. Keep the
  // selection the person is making too, unless the server changed its own on purpose.
  // A node the update did not change stays the same object: React Flow redraws only the
  // others (a live run changes a few of its 200 nodes a push).
  const known = new Map((current || []).map((n) => [n.id, n]));
  const chosen = new Set(chosenIds);
  return (nodes || []).map((n) => {
    const old = known.get(n.id);
    const selected = fromServer || !old ? chosen.has(n.id) : !!old.selected;
    if (old && !!old.selected === selected && fdSameNode(old, n)) return old;
    const kept = old && old.measured ? { measured: old.measured } : {};
    return { ...n, ...kept, selected };
  });
}

function FlowdeckCanvasInner(props) {
  const { fitView, screenToFlowPosition, zoomIn, zoomOut, zoomTo } = useReactFlow();
  const narrow = fdNarrow(props.readOnlyBelow);
  const readOnly = !!props.readOnly || narrow;
  // In a narrow window a fit stops at `narrowFitZoom`: nodes stay readable, the rest pans.
  const fitMin = narrow && props.narrowFitZoom ? props.narrowFitZoom : 0.1;
  const fitOptions = useMemo(() => ({ maxZoom: 1, minZoom: fitMin }), [fitMin]);
  const multi = !!props.onSelectNodes;  // the designer: selections of many, by their ids
  const wanted = multi ? (props.selectedIds || []) : (props.selected ? [props.selected] : []);
  const [nodes, setNodes] = useState(() => fdSelect(props.nodes, wanted, null, true));
  const [edges, setEdges] = useState(() => props.edges || []);
  const live = useRef({});
  live.current = { props, nodes, readOnly, multi };
  const serverIds = useRef(wanted);  // the selection the server holds (sent by it, or told)
  const applied = useRef(wanted);
  const shown = useRef(props.nodes);
  useEffect(() => {
    const changed = !fdSameIds(applied.current, wanted);
    applied.current = wanted;
    if (changed) serverIds.current = wanted;
    if (shown.current !== props.nodes) {
      shown.current = props.nodes;
      setNodes((current) => fdSelect(props.nodes, wanted, current, changed));
    } else if (changed) {  // only the selection: nodes stay where the person put them
      const chosen = new Set(wanted);
      setNodes((current) => current.map((n) => (chosen.has(n.id) === !!n.selected
        ? n : { ...n, selected: chosen.has(n.id) })));
    }
  }, [props.nodes, props.selected, props.selectedIds]);
  useEffect(() => {  // after the nodes: a step being edited shows what is typed (`patch`)
    const patch = props.patch;
    if (!patch || !patch.id) return;
    setNodes((current) => current.map((n) => (n.id !== patch.id || fdHasAll(n.data, patch.data)
      ? n : { ...n, data: { ...n.data, ...patch.data } })));
  }, [props.nodes, props.patch]);
  useEffect(() => { setEdges((current) => fdKeepSame(props.edges || [], current)); },
            [props.edges]);
  useEffect(() => {
    if (!props.fitToken) return;
    window.requestAnimationFrame(() => fitView({ duration: 200, maxZoom: 1, minZoom: fitMin }));
  }, [props.fitToken]);
  useEffect(() => {  // palette entries carry data-palette-kind: dragging one carries its type
    const start = (event) => {
      const entry = event.target.closest && event.target.closest("[data-palette-kind]");
      if (entry) event.dataTransfer.setData(FD_KIND, entry.getAttribute("data-palette-kind"));
    };
    document.addEventListener("dragstart", start);
    return () => document.removeEventListener("dragstart", start);
  }, []);
  fdUseShortcuts(props.shortcuts, live, setNodes, setEdges,
                 { fitView, zoomIn, zoomOut, zoomTo });
  const onDragOver = useCallback((event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = readOnly ? "none" : "copy";
  }, [readOnly]);
  const onDrop = useCallback((event) => {
    const kind = event.dataTransfer.getData(FD_KIND);
    if (!kind || !props.onDropStep || readOnly) return;
    event.preventDefault();
    const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
    props.onDropStep(kind, JSON.stringify({ x: at.x, y: at.y }));
  }, [props.onDropStep, screenToFlowPosition, readOnly]);
  const onNodesChange = useCallback(
    (changes) => setNodes((ns) => applyNodeChanges(changes, ns)), []);
  const onEdgesChange = useCallback(
    (changes) => setEdges((es) => applyEdgeChanges(changes, es)), []);
  const onConnect = useCallback((c) => {
    if (props.onConnectNodes) props.onConnectNodes(c.source, c.sourceHandle || "out", c.target);
  }, [props.onConnectNodes]);
  const onNodeDragStop = useCallback((event, node, dragged) => {
    const moved = (dragged && dragged.length ? dragged : [node]).map(
      (n) => ({ id: n.id, x: n.position.x, y: n.position.y }));
    if (props.onMoveNodes) props.onMoveNodes(JSON.stringify(moved));
  }, [props.onMoveNodes]);
  // The designer hears every selection the person makes (clicks, shift-clicks, a box, Ctrl+A,
  // Escape) once it settles; what the server itself selected is not echoed back to it.
  const pending = useRef(null);
  const onSelectionChange = useCallback(({ nodes: picked }) => {
    if (!live.current.multi) return;
    const ids = picked.map((n) => n.id);
    window.clearTimeout(pending.current);
    if (fdSameIds(ids, serverIds.current)) return;
    pending.current = window.setTimeout(() => {
      if (fdSameIds(ids, serverIds.current)) return;
      serverIds.current = ids;
      live.current.props.onSelectNodes(JSON.stringify(ids));
    }, 60);
  }, []);
  // Elsewhere (an execution) a click selects one node: only a person's click, since echoing
  // selections the server made back to it made the two bounce between old and new.
  const onNodeClick = useCallback((event, node) => {
    if (multi && !(event.shiftKey || event.metaKey || event.ctrlKey)) {
      // A plain click on one of several selected nodes selects it alone (React Flow keeps
      // the group, which it needs for a drag; a click is not a drag).
      setNodes((ns) => (ns.some((n) => n.selected && n.id !== node.id)
        ? ns.map((n) => (!!n.selected === (n.id === node.id) ? n
          : { ...n, selected: n.id === node.id }))
        : ns));
      return;
    }
    if (!multi && props.onSelectNode && node.id !== props.selected) props.onSelectNode(node.id);
  }, [multi, props.onSelectNode, props.selected]);
  const onPaneClick = useCallback(() => {
    if (!multi && props.onSelectNode && props.selected) props.onSelectNode("");
  }, [multi, props.onSelectNode, props.selected]);
  const onDelete = useCallback(({ nodes: gone, edges: cut }) => {
    const payload = { nodes: gone.map((n) => n.id), edges: cut.map((e) => e.id) };
    if (props.onDeleteItems) props.onDeleteItems(JSON.stringify(payload));
  }, [props.onDeleteItems]);
  return (
    <ReactFlow nodes={nodes} edges={edges} nodeTypes={fdNodeTypes} edgeTypes={fdEdgeTypes}
      onNodesChange={onNodesChange} onEdgesChange={onEdgesChange} onConnect={onConnect}
      onNodeDragStop={onNodeDragStop} onNodeClick={onNodeClick}
      onSelectionChange={onSelectionChange}
      onPaneClick={onPaneClick} onDelete={onDelete} onDragOver={onDragOver} onDrop={onDrop}
      nodesDraggable={!readOnly} nodesConnectable={!readOnly} elementsSelectable={true}
      multiSelectionKeyCode={multi && !readOnly ? FD_MULTI_KEYS : null}
      selectionKeyCode={multi && !readOnly ? "Shift" : null}
      deleteKeyCode={readOnly ? null : FD_DELETE_KEYS}
      defaultEdgeOptions={FD_EDGE_DEFAULTS}
      fitView={true} fitViewOptions={fitOptions} minZoom={0.1} maxZoom={2}
      colorMode={props.colorMode || "light"}>
      <Background gap={16} size={1} />
      <Controls showInteractive={false} />
      <MiniMap pannable={true} zoomable={true} style={FD_MINIMAP_STYLE} />
    </ReactFlow>
  );
}

// Redrawn only when a prop changed: the page redraws its canvas at every update of the state
// it reads, and a live run's statuses reach the nodes and edges through `FdRun` instead.
const FlowdeckCanvasPane = memo(FlowdeckCanvasInner);

function FlowdeckCanvas(props) {
  const { className, id, css, onNodeAction, dirty, run, ...rest } = props;
  fdUseLeaveGuard(!!dirty);
  const store = fdUseRunStore(run);
  const edges = fdUseRunEdges(rest.edges, !!store);
  return (
    <div className={className} id={id} style={FD_FILL} data-testid="flow-canvas">
      <style>{FD_KEYFRAMES + FD_CANVAS_CSS}</style>
      {store ? <FdRunArrows /> : null}
      <FdNodeActions.Provider value={onNodeAction || null}>
        <FdRun.Provider value={store}>
          <ReactFlowProvider><FlowdeckCanvasPane {...rest} edges={edges} /></ReactFlowProvider>
        </FdRun.Provider>
      </FdNodeActions.Provider>
    </div>
  );
}
"""


class FlowCanvas(rx.Component):
    """The canvas; `nodes`/`edges` in React Flow's shapes (see `app.core.canvas.to_canvas`)."""

    library: str | None = None  # FlowdeckCanvas is defined in the page (add_custom_code)
    tag: str | None = "FlowdeckCanvas"

    nodes: rx.Var[list[dict[str, Any]]]
    edges: rx.Var[list[dict[str, Any]]]
    #: {id, data}: fields laid over one node's `data` (the designer's step being typed into),
    #: so a keystroke does not resend every node
    patch: rx.Var[dict[str, Any]]
    #: an execution's run to lay over the nodes and edges (`execution_canvas.run_map`)
    run: rx.Var[dict[str, Any]]
    selected: rx.Var[str]
    #: the selected ids, with `on_select_nodes` (many may be selected)
    selected_ids: rx.Var[list[str]]
    fit_token: rx.Var[int]
    read_only: rx.Var[bool]
    #: read-only while the window is narrower than this many pixels (a phone)
    read_only_below: rx.Var[int]
    #: the least zoom a fit picks while `read_only_below` applies (a phone: readable nodes)
    narrow_fit_zoom: rx.Var[float]
    color_mode: rx.Var[str]
    #: keyboard shortcuts on the page (undo, redo, copy, paste, select all, zoom)
    shortcuts: rx.Var[bool]
    #: unsaved changes: leaving the page asks first
    dirty: rx.Var[bool]

    #: (source id, source handle: an output or "out", target id)
    on_connect_nodes: rx.EventHandler[passthrough_event_spec(str, str, str)]
    #: JSON list of {id, x, y}: the nodes dropped after a drag
    on_move_nodes: rx.EventHandler[passthrough_event_spec(str)]
    #: the clicked node's id, or "" when the empty canvas is clicked
    on_select_node: rx.EventHandler[passthrough_event_spec(str)]
    #: JSON list of the selected ids, whenever a selection of any size settles
    on_select_nodes: rx.EventHandler[passthrough_event_spec(str)]
    #: JSON {nodes: [ids], edges: [ids]} deleted with the Delete key
    on_delete_items: rx.EventHandler[passthrough_event_spec(str)]
    #: (step type, JSON {x, y} in canvas coordinates): a palette entry dropped on the canvas
    on_drop_step: rx.EventHandler[passthrough_event_spec(str, str)]
    #: (step id, action): a button drawn on a node (`data.actions`), e.g. "approve"
    on_node_action: rx.EventHandler[passthrough_event_spec(str, str)]
    on_undo: rx.EventHandler[no_args_event_spec]
    on_redo: rx.EventHandler[no_args_event_spec]
    #: JSON list of the selected ids (Ctrl+C)
    on_copy_nodes: rx.EventHandler[passthrough_event_spec(str)]
    #: the system clipboard's Flowdeck JSON, or "" for the tab's own copy (Ctrl+V)
    on_paste_steps: rx.EventHandler[passthrough_event_spec(str)]

    def add_imports(self) -> ImportDict:
        names = [
            "ReactFlow",
            "ReactFlowProvider",
            "Background",
            "Controls",
            "MiniMap",
            "Handle",
            "Position",
            "MarkerType",
            "applyNodeChanges",
            "applyEdgeChanges",
            "useReactFlow",
            "SmoothStepEdge",
        ]
        return {
            XYFLOW: names,
            "": "@xyflow/react/dist/style.css",
            "react": [
                "useState",
                "useEffect",
                "useCallback",
                "useRef",
                "useMemo",
                "useLayoutEffect",
                "useSyncExternalStore",
                "memo",
                "createContext",
                "useContext",
            ],
        }

    def add_custom_code(self) -> list[str]:
        return [NODE_JS, RUN_JS, KEYS_JS, _JS]


flow_canvas = FlowCanvas.create
