"""What a revert says about the status: it restores content and leaves the status alone."""

from __future__ import annotations

import pytest

from app.core.articles import RESTORED_BY_REVERT, revert_note, revert_promise


@pytest.mark.parametrize(
    ("version", "status", "version_status", "expected_end"),
    [
        (
            3,
            "published",
            "draft",
            "stays published (version 3 was draft; use Move to… to change it).",
        ),
        (3, "published", "published", "The status stays published."),
        (1, "draft", None, "The status stays draft."),
    ],
)
def test_the_note_says_what_came_back_and_that_the_status_did_not(
    version: int, status: str, version_status: str | None, expected_end: str
) -> None:
    note = revert_note(version, status, version_status)
    assert note.startswith(
        f"Restored the title, slug, body, meta description and tags of version {version}."
    )
    assert note.endswith(expected_end)


def test_the_promise_names_the_status_that_stays() -> None:
    text = revert_promise("published")
    assert "status stays published" in text and "does not publish, unpublish or archive" in text
    assert "status" not in RESTORED_BY_REVERT
