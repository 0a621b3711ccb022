"""Whether a run that another run's failure caused may start: the loop guard of the `alert`
trigger and of a workflow's "on failure run workflow X". Pure.

An alert fires because a run failed; the workflow it starts may fail too, which fires the alert
again, which starts the workflow again… Each run started this way carries in its payload the
`chain` of workflows whose failures led to it (oldest first). A new run is refused when
- its workflow is the one whose run just failed (a workflow handling its own failure would
  start itself again at every failure of that handling run),
- its workflow is already in the chain (A handles B's failure, B handles A's: a cycle), or
- the chain is `MAX_CHAIN` long (a long chain of different workflows is a bug too).
A run that was not started by a failure has an empty chain: a normal workflow's failure may
always start its handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_CHAIN = 3
#: Trigger types of runs that a failure started (their payload has a `chain`).
CHAINED_TRIGGERS = frozenset({"alert", "on_failure"})


def chain_of(trigger_type: str, payload: Mapping[str, Any] | None) -> tuple[int, ...]:
    """The chain a run carries: empty unless a failure started it (a malformed one counts
    as full, so a tampered payload cannot open a loop)."""
    if trigger_type not in CHAINED_TRIGGERS:
        return ()
    chain = (payload or {}).get("chain")
    if not isinstance(chain, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in chain
    ):
        return (0,) * MAX_CHAIN
    return tuple(chain)


def next_chain(
    source_chain: tuple[int, ...], source_workflow: int, target_workflow: int
) -> tuple[tuple[int, ...] | None, str]:
    """The chain of the run `target_workflow` would get for a failure of `source_workflow`'s
    run, or `(None, why not)` when it must not start."""
    if target_workflow == source_workflow:
        return None, "the failed run is this workflow's own: it does not start itself again"
    chain = (*source_chain, source_workflow)
    if target_workflow in chain:
        return None, "this workflow already handled a failure earlier in this chain"
    if len(chain) > MAX_CHAIN:
        return None, f"a chain of failures is followed at most {MAX_CHAIN} workflows deep"
    return chain, ""
