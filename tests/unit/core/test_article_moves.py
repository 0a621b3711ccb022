"""The Move to… menu in life-cycle order, and which moves an undo can take back."""

from __future__ import annotations

import pytest

from app.core.articles import ArticleStatus, moves_in_order, undo_of

D, R, P, A = (ArticleStatus(s) for s in ("draft", "ready", "published", "archived"))


@pytest.mark.parametrize(
    ("current", "expected"),
    [(D, [R, A]), (R, [D, P, A]), (P, [A]), (A, [D])],
)
def test_moves_follow_the_life_cycle(current: ArticleStatus, expected: list) -> None:
    assert moves_in_order(current) == expected


@pytest.mark.parametrize(
    ("previous", "target", "expected"),
    [
        (D, R, D),  # ready back to draft
        (R, D, R),
        (D, A, D),  # archived back to draft
        (R, P, None),  # publishing ran its workflows: no undo
        (R, A, None),  # archived goes back to draft only, not to ready
        (P, A, None),
        (A, D, A),
    ],
)
def test_undo_only_where_the_move_back_is_allowed(
    previous: ArticleStatus, target: ArticleStatus, expected: ArticleStatus | None
) -> None:
    assert undo_of(previous, target) == expected
