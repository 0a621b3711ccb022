"""`flowdeck unlock-user`: the operator's way out when strangers keep an account backed off."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import AuthenticationFailed, RateLimited
from app.services import auth
from tests.conftest import use_data_dir
from tests.integration.test_cli import PASSWORD, _create_admin, flowdeck, query


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[Path]:
    """A migrated data dir made by the console script; this process's settings restored after."""
    previous = Path(os.environ["FLOWDECK_DATA_DIR"])
    data_dir = tmp_path / "data"
    result = flowdeck(data_dir, "db-upgrade")
    assert result.returncode == 0, result.stderr
    yield data_dir
    use_data_dir(previous)


def test_unlock_user_clears_the_back_off_and_is_audited(migrated: Path) -> None:
    assert _create_admin(migrated).returncode == 0
    use_data_dir(migrated)
    for n in range(5):
        with contextlib.suppress(AuthenticationFailed, RateLimited):  # 4 failures, back-off
            auth.login(email="a@example.com", password="wrong-password", ip=f"10.20.0.{n}")
    with pytest.raises(RateLimited):
        auth.login(email="a@example.com", password=PASSWORD, ip="10.20.1.1")

    result = flowdeck(migrated, "unlock-user", "--email", "A@example.com")
    assert result.returncode == 0, result.stderr
    assert "unlocked a@example.com" in result.stdout
    token, _ = auth.login(email="a@example.com", password=PASSWORD, ip="10.20.1.1")
    assert auth.authenticate(token).email == "a@example.com"
    [(actor, details)] = query(
        migrated, "SELECT actor_type, details FROM audit_event WHERE action = 'user.unlocked'"
    )
    assert actor == "system" and '"failed_logins": 4' in details


def test_unlock_user_names_an_unknown_email(migrated: Path) -> None:
    result = flowdeck(migrated, "unlock-user", "--email", "nobody@example.com")
    assert result.returncode == 1
    assert "no user with email 'nobody@example.com'" in result.stderr
    assert "Traceback" not in result.stderr
