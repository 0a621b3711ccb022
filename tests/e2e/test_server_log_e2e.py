"""The app starts with a clean console: no warnings a person would wonder about."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

NOISE = re.compile(r"warning|redefined|deprecat|traceback", re.IGNORECASE)
#: The app's own log lines ("2026-12-02 01:02:03,456 INFO app…") come once it serves: what the
#: browser tests then provoke (failing runs, refused logins) is logged on purpose.
LOGGED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def test_the_start_up_log_has_no_warning(base_url: str, app_log: Path) -> None:
    if os.environ.get("FLOWDECK_E2E_URL"):
        pytest.skip("the app was started elsewhere: its console is not here")
    text = app_log.read_text(errors="replace")
    start_up: list[str] = []
    for line in text.splitlines():
        if LOGGED.match(line):
            break
        start_up.append(line)
    assert any("Starting Reflex App" in line for line in start_up)
    noisy = [line for line in start_up if NOISE.search(line)]
    assert noisy == [], "\n".join(noisy)
