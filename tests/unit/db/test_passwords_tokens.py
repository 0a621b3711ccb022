"""Password hashing and token hashing."""

from __future__ import annotations

import pytest

from app.core.errors import ValidationFailed
from app.services.passwords import check_password_rules, hash_password, verify_password
from app.services.tokens import hash_token, new_token


def test_argon2id_round_trip() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse battery!")


def test_unknown_user_never_verifies() -> None:
    assert not verify_password(None, "flowdeck-dummy-password")
    assert not verify_password("not-a-hash", "x")


@pytest.mark.parametrize(("password", "ok"), [("short", False), ("x" * 9, False), ("x" * 10, True)])
def test_minimum_length(password: str, ok: bool) -> None:
    if ok:
        check_password_rules(password, 10)
    else:
        with pytest.raises(ValidationFailed, match="at least 10"):
            check_password_rules(password, 10)


def test_tokens_are_random_and_hashed() -> None:
    a, b = new_token("fds_"), new_token("fds_")
    assert a != b and a.startswith("fds_") and len(a) > 40
    assert hash_token(a) != a and len(hash_token(a)) == 64
