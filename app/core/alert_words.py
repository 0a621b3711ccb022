"""An alert in words: what it watches, and what it has sent. Pure."""

from __future__ import annotations

from collections.abc import Iterable

_EVENT_WORDS = {
    "workflow_start": "starts",
    "workflow_complete": "successes",
    "workflow_fail": "failed runs",
    "step_fail": "failed steps",
}
#: A new alert hears once per failure: the failed run. `step_fail` as well would send a second
#: message for the same failure (the step, then the run it ended).
DEFAULT_EVENTS = ("workflow_fail",)


def _joined(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def watches(events: Iterable[str], workflow: str | None, minimum: str | None = None) -> str:
    """`Failed runs of Nightly import`, `Starts and failed runs of every workflow (error and
    above)`: what an alert listens for, in the order runs happen."""
    chosen = set(events)
    words = [word for kind, word in _EVENT_WORDS.items() if kind in chosen]
    if not words:
        return "Nothing: no event is ticked"
    text = _joined(words)
    text = text[:1].upper() + text[1:] + " of " + (workflow or "every workflow")
    return f"{text} ({minimum} and above)" if minimum else text


def sent_text(delivered: int, failed: int, test_delivered: int = 0, test_failed: int = 0) -> str:
    """`3 sent · 1 failed`, and the test sends apart: `· tests: 2 sent, 1 failed`."""
    text = f"{delivered} sent · {failed} failed"
    if test_delivered or test_failed:
        parts = [f"{test_delivered} sent"] + ([f"{test_failed} failed"] if test_failed else [])
        text += " · tests: " + ", ".join(parts)
    return text
