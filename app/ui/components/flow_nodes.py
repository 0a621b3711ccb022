"""How one step looks on the canvas: the React node component `FlowdeckStepNode`.

Kept apart from the canvas (`flow_canvas.py`) because three pages draw nodes the same way and
only the data differs: the designer (kind, name, trigger rule, a red badge with the validation
problem), an execution (border and label in the step's status colour, a `for_each` node's
`37/100`, a waiting approval pulsing with its Approve / Reject) and a version compare (added,
removed, changed). Every field of `data` is optional except `step_id`, `label` and `kind`
(an execution sends the run's fields apart, in the canvas's `run` map, and each node reads
its own entry of it, `flow_canvas_run.py`):

- `outputs`: branch outputs, one labelled source handle each (else one `out` handle);
- `rule`: the trigger rule when not the default; `error`: the validation message;
- `status`: a step status (colours from `STATUS_COLORS`, as every badge in the app);
- `progress`: short text such as `37/100`; `note`: one line under the name (a duration);
- `hint`: the node's tooltip when it has no `error` (the whole of what `note` shortens);
- `change`: `added`, `removed` or `changed`; `pulse`: draw attention (a waiting approval);
- `actions`: buttons on the node (`approve`, `reject`), sent to the canvas's `on_node_action`.

`fdEdgeLook` is how an execution's edge looks for its state in the run map (drawn by
`FdRunEdge` in `flow_canvas_run.py`).
"""

from __future__ import annotations

import json

from app.ui.components.status_badge import STATUS_COLORS

CHANGE_COLORS = {"added": "green", "removed": "red", "changed": "amber"}

_JS = r"""
const FD_STATUS = __STATUS__;
const FD_CHANGE = __CHANGE__;
const FdNodeActions = createContext(null);

function fdEdgeColour(data, selected) {
  if (data.error) return "var(--red-9)";
  if (data.change && FD_CHANGE[data.change]) return `var(--${FD_CHANGE[data.change]}-9)`;
  if (data.status && FD_STATUS[data.status]) return `var(--${FD_STATUS[data.status]}-9)`;
  return selected ? "var(--accent-9)" : "var(--gray-7)";
}

// An edge of a run drawn as the run went along it (`app.core.execution_canvas.edge_state`):
// greyed and dashed where it did not go (the branch not taken), animated into a running step,
// in its target's status colour once it ran. `marker`: the arrowhead's colour (FD_ARROWHEADS).
function fdEdgeLook(state, target) {
  let style, marker;
  if (state === "skipped") {
    marker = "gray-7";
    style = {stroke: `var(--${marker})`, strokeWidth: "1.5", strokeDasharray: "6 4"};
  } else if (state === "pending") {
    marker = "gray-8";
    style = {stroke: `var(--${marker})`, strokeWidth: "1.5"};
  } else {
    marker = `${FD_STATUS[target] || "gray"}-9`;
    style = {stroke: `var(--${marker})`, strokeWidth: "2"};
  }
  const animated = state === "active" && target === "running";
  if (animated) {  // React Flow's own `animated` look, on the path
    style = {...style, strokeDasharray: 5, animation: "dashdraw 0.5s linear infinite"};
  }
  const labelStyle = {fill: state === "skipped" ? "var(--gray-9)" : "var(--gray-12)"};
  return {style, animated, className: `fd-edge fd-edge-${state}`, marker, labelStyle};
}

const FD_ARROWHEADS = [...new Set(["gray-7", "gray-8", "gray-9",
  ...Object.values(FD_STATUS).map((colour) => `${colour}-9`)])];

const fdStyles = {
  node: (data, selected) => ({
    width: 220, minHeight: 72, boxSizing: "border-box", padding: "8px 12px",
    background: data.status && FD_STATUS[data.status]
      ? `var(--${FD_STATUS[data.status]}-2)` : "var(--color-panel-solid)",
    color: "var(--gray-12)",
    border: (data.status === "skipped" || data.change === "removed" ? "1px dashed " : "1px solid ")
      + fdEdgeColour(data, selected),
    borderWidth: data.status || data.change ? 2 : 1,
    borderRadius: "var(--radius-3)", fontSize: 13, position: "relative",
    opacity: data.status === "skipped" || data.status === "pending" ? 0.55 : 1,
    boxShadow: selected ? "0 0 0 2px var(--accent-6)" : "0 1px 2px rgba(0,0,0,.08)",
    animation: data.pulse ? "fdPulse 1.6s ease-in-out infinite" : undefined,
  }),
  kind: {fontSize: 11, color: "var(--accent-11)", fontFamily: "var(--code-font-family, monospace)"},
  head: {display: "flex", justifyContent: "space-between", gap: 6, alignItems: "baseline"},
  status: (status) => ({
    fontSize: 11, fontWeight: 600,
    color: FD_STATUS[status] ? `var(--${FD_STATUS[status]}-11)` : "var(--gray-11)",
  }),
  label: {fontWeight: 500, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap"},
  rule: {fontSize: 11, color: "var(--gray-11)"},
  note: {
    fontSize: 11, color: "var(--gray-11)", overflow: "hidden", display: "-webkit-box",
    WebkitLineClamp: 2, WebkitBoxOrient: "vertical", wordBreak: "break-word",
  },
  badge: {
    position: "absolute", top: -9, right: -9, minWidth: 18, height: 18, borderRadius: 9,
    background: "var(--red-9)", color: "white", fontSize: 11, fontWeight: 700,
    display: "flex", alignItems: "center", justifyContent: "center", padding: "0 5px",
  },
  change: (change) => ({
    position: "absolute", top: -10, left: 8, fontSize: 10, fontWeight: 700, padding: "0 6px",
    borderRadius: 8, color: "white", background: `var(--${FD_CHANGE[change] || "gray"}-9)`,
  }),
  error: {fontSize: 11, color: "var(--red-11)", whiteSpace: "pre-wrap", marginTop: 4},
  actions: {display: "flex", gap: 6, marginTop: 6},
  action: (name) => ({
    flex: 1, fontSize: 12, padding: "2px 6px", borderRadius: "var(--radius-2)",
    cursor: "pointer", border: "none", color: "white",
    background: name === "reject" ? "var(--red-9)" : "var(--green-9)",
  }),
  handleLabel: {
    position: "absolute", top: 8, left: "50%", transform: "translateX(-50%)", fontSize: 10,
    color: "var(--gray-11)", whiteSpace: "nowrap", pointerEvents: "none",
  },
};

function FlowdeckStepNode({ data: given, selected }) {
  const onAction = useContext(FdNodeActions);
  // An execution's node: its run from the canvas's run store (`flow_canvas_run.py`).
  const [running, entry] = fdUseRunEntry(given.step_id);
  const data = useMemo(() => (running
    ? { ...given, ...fdRunData(given.step_id, entry || FD_NO_RUN) } : given),
  [running, entry, given]);
  const outputs = data.outputs || [];
  const handles = outputs.length ? outputs : ["out"];
  const actions = data.actions || [];
  return (
    <div style={fdStyles.node(data, selected)} data-testid="canvas-node"
         data-step={data.step_id} data-status={data.status || ""}
         data-change={data.change || ""} title={data.error || data.hint || ""}>
      <Handle type="target" position={Position.Top} id="in" />
      {data.change ? <div style={fdStyles.change(data.change)}>{data.change}</div> : null}
      <div style={fdStyles.head}>
        <span style={fdStyles.kind}>{data.kind}</span>
        {data.status || data.progress ? (
          <span style={fdStyles.status(data.status)} data-testid="canvas-node-status">
            {[data.progress, data.status].filter(Boolean).join(" · ")}
          </span>
        ) : null}
      </div>
      <div style={fdStyles.label}>{data.label}</div>
      {data.note ? <div style={fdStyles.note} data-testid="canvas-node-note">{data.note}</div>
        : null}
      {data.rule ? <div style={fdStyles.rule}>runs when: {data.rule}</div> : null}
      {data.error ? <div style={fdStyles.badge} data-testid="canvas-node-error">!</div> : null}
      {data.error ? <div style={fdStyles.error}>{data.error}</div> : null}
      {actions.length && onAction ? (
        <div style={fdStyles.actions} className="nodrag nopan">
          {actions.map((name) => (
            <button key={name} type="button" style={fdStyles.action(name)}
                    data-testid={`node-${name}-${data.step_id}`}
                    onClick={(event) => { event.stopPropagation(); onAction(data.step_id, name); }}>
              {name[0].toUpperCase() + name.slice(1)}
            </button>
          ))}
        </div>
      ) : null}
      {handles.map((name, i) => (
        <Handle key={name} type="source" position={Position.Bottom} id={name}
                style={{left: `${((i + 1) * 100) / (handles.length + 1)}%`}}
                data-testid={`handle-${data.step_id}-${name}`}>
          {outputs.length ? <span style={fdStyles.handleLabel}>{name}</span> : null}
        </Handle>
      ))}
      {outputs.length ? (
        <Handle type="source" position={Position.Right} id="out" title="any output"
                data-testid={`handle-${data.step_id}-out`} />
      ) : null}
      <Handle type="source" position={Position.Left} id="failed" title="on failure (error handler)"
              style={{background: "var(--red-9)"}}
              data-testid={`handle-${data.step_id}-failed`} />
    </div>
  );
}

const fdNodeTypes = { step: FlowdeckStepNode };
const FD_KEYFRAMES = "@keyframes fdPulse { 0%, 100% { box-shadow: 0 0 0 0 var(--violet-7); }"
  + " 50% { box-shadow: 0 0 0 7px var(--violet-4); } }";
"""

NODE_JS = _JS.replace("__STATUS__", json.dumps(STATUS_COLORS)).replace(
    "__CHANGE__", json.dumps(CHANGE_COLORS)
)
