"""Masking by value: an execution's set of secrets, and where in the data they are found."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.redact import REDACTED, SecretValues, redact

KEY = "ak-live-7Hq2Zr81"


def test_the_set_keeps_real_secrets_once_and_ignores_short_or_empty_ones() -> None:
    secrets = SecretValues(["", "abc", KEY])
    secrets.extend(v for v in [KEY, "tok-123456"] if v not in secrets)  # as the actions do
    secrets.append(KEY)
    assert list(secrets) == [KEY, "tok-123456"] and len(secrets) == 2
    assert KEY in secrets and "abc" not in secrets


def test_a_snapshot_does_not_change_when_the_set_grows() -> None:
    secrets = SecretValues([KEY])
    snapshot = secrets.snapshot()
    secrets.append("later-secret-value")
    assert snapshot == (KEY,) and len(secrets) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"Bearer {KEY}", f"Bearer {REDACTED}"),
        ({"echo": f"key={KEY}"}, {"echo": f"key={REDACTED}"}),
        ([{"deep": [KEY]}], [{"deep": [REDACTED]}]),
        ({KEY: 1}, {REDACTED: 1}),  # a secret used as a key
        ({"token": "anything"}, {"token": REDACTED}),  # by name, as before
        ({"n": 5, "ok": True, "none": None}, {"n": 5, "ok": True, "none": None}),
        # the longer secret first, so no part of it is left behind
        (f"{KEY}-suffix", REDACTED),
    ],
)
def test_secrets_are_found_wherever_they_are(value: Any, expected: Any) -> None:
    assert redact(value, SecretValues([KEY, f"{KEY}-suffix"])) == expected
