"""The loop guard of runs started by another run's failure (alert trigger, on-failure workflow)."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.trigger_chains import MAX_CHAIN, chain_of, next_chain

CHAINS: list[tuple[str, Any, tuple[int, ...]]] = [
    ("manual", {"chain": [1, 2]}, ()),  # only failure-started runs carry a chain
    ("webhook", None, ()),
    ("alert", {"chain": [4]}, (4,)),
    ("on_failure", {"chain": [4, 5]}, (4, 5)),
    ("alert", {}, (0,) * MAX_CHAIN),  # malformed: treated as full
    ("alert", {"chain": ["4"]}, (0,) * MAX_CHAIN),
    ("alert", {"chain": [True]}, (0,) * MAX_CHAIN),
]


@pytest.mark.parametrize(("trigger", "payload", "expected"), CHAINS)
def test_chain_of(trigger: str, payload: Any, expected: tuple[int, ...]) -> None:
    assert chain_of(trigger, payload) == expected


NEXT = [
    # a plain run of 1 failed: 2 handles it
    ((), 1, 2, (1,), ""),
    # the handler itself failed: its alert must not start it again
    ((1,), 2, 2, None, "the failed run is this workflow's own: it does not start itself again"),
    # a plain workflow handling its own failure (any-alert trigger on itself)
    ((), 7, 7, None, "the failed run is this workflow's own: it does not start itself again"),
    # A → B → A: a cycle
    ((1,), 2, 1, None, "this workflow already handled a failure earlier in this chain"),
    # a chain of different workflows goes on up to MAX_CHAIN
    ((1, 2), 3, 4, (1, 2, 3), ""),
    ((1, 2, 3), 4, 5, None, f"a chain of failures is followed at most {MAX_CHAIN} workflows deep"),
]


@pytest.mark.parametrize(("chain", "source", "target", "expected", "why"), NEXT)
def test_next_chain(
    chain: tuple[int, ...], source: int, target: int, expected: Any, why: str
) -> None:
    assert next_chain(chain, source, target) == (expected, why)
