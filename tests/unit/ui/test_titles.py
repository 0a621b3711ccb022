"""Tab titles name the object, and say what kind of page it is until it has loaded."""

from __future__ import annotations

import pytest

from app.ui.titles import page_title


@pytest.mark.parametrize(
    ("name", "kind", "number", "expected"),
    [
        ("Weather digest", "Workflow", None, "Weather digest · Flowdeck"),
        ("", "Workflow", None, "Workflow · Flowdeck"),
        (None, "Article", None, "Article · Flowdeck"),
        ("Weather digest", "Execution", 42, "#42 · Weather digest · Flowdeck"),
        ("", "Execution", 42, "#42 · Flowdeck"),
        ("", "Execution", 0, "Execution · Flowdeck"),
        ("  spaced  ", "Workflow", None, "spaced · Flowdeck"),
        ("x" * 80, "Workflow", None, "x" * 59 + "… · Flowdeck"),
    ],
)
def test_page_title(name: str | None, kind: str, number: int | None, expected: str) -> None:
    assert page_title(name, kind, number) == expected
