"""Which workflows are failing, in words for the status banner.

Given each workflow's latest finished runs (newest first), a workflow is failing when at least
`threshold` of its last `window` runs failed, or when it has run fewer times than that and
every run failed (twice or more). The banner names the worst first and stays short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WINDOW = 5
THRESHOLD = 3
MAX_NAMED = 3
FAILED = frozenset({"failed", "interrupted"})


@dataclass(frozen=True)
class Failing:
    workflow: str
    failed: int
    of: int

    def words(self) -> str:
        if self.failed == self.of:
            return f"the last {self.of} runs of {self.workflow} failed"
        return f"{self.failed} of the last {self.of} runs of {self.workflow} failed"


def failing(
    outcomes: Mapping[str, Sequence[str]], *, window: int = WINDOW, threshold: int = THRESHOLD
) -> list[Failing]:
    """The failing workflows, most failures first (then by name)."""
    found: list[Failing] = []
    for workflow, statuses in outcomes.items():
        last = list(statuses)[:window]
        failed = sum(1 for status in last if status in FAILED)
        if failed >= threshold or (len(last) < threshold and failed == len(last) >= 2):
            found.append(Failing(workflow, failed, len(last)))
    return sorted(found, key=lambda f: (-f.failed / f.of, -f.failed, f.workflow.lower()))


def banner(found: Sequence[Failing]) -> str:
    """One sentence for the banner, or "" when nothing is failing."""
    if not found:
        return ""
    named = [f.words() for f in found[:MAX_NAMED]]
    text = "; ".join(named)
    more = len(found) - MAX_NAMED
    if more > 0:
        text += f"; and {more} more workflow{'s' if more > 1 else ''} failing"
    return text[0].upper() + text[1:]
