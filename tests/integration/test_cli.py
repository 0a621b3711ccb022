"""The installed `flowdeck` console script, run as a real subprocess against a fresh data dir."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import AuthenticationFailed
from app.services import api_keys, auth
from tests.conftest import use_data_dir

FLOWDECK = Path(sys.executable).parent / "flowdeck"
PASSWORD = "correct-horse-battery"


def flowdeck(
    data_dir: Path,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the console script from an unrelated directory, as an operator would."""
    full_env = {**os.environ, "FLOWDECK_DATA_DIR": str(data_dir), **(env or {})}
    full_env.pop("PYTEST_CURRENT_TEST", None)
    if env is None or "DATABASE_URL" not in env:
        full_env.pop("DATABASE_URL", None)
    return subprocess.run(
        [str(FLOWDECK), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or data_dir.parent,
        timeout=120,
        check=False,
    )


def query(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "flowdeck.db") as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data dir that does not exist yet; settings in this process are restored afterwards."""
    previous = Path(os.environ["FLOWDECK_DATA_DIR"])
    yield tmp_path / "data"
    use_data_dir(previous)


@pytest.fixture
def migrated(data_dir: Path) -> Path:
    result = flowdeck(data_dir, "db-upgrade")
    assert result.returncode == 0, result.stderr
    return data_dir


def _create_admin(data_dir: Path, email: str = "a@example.com") -> subprocess.CompletedProcess:
    return flowdeck(
        data_dir,
        "create-user",
        "--email",
        email,
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )


def test_console_script_is_installed_next_to_python() -> None:
    assert FLOWDECK.is_file() and os.access(FLOWDECK, os.X_OK)
    result = subprocess.run([str(FLOWDECK), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("create-user", "create-api-key", "db-upgrade"):
        assert command in result.stdout


def test_db_upgrade_creates_the_database(data_dir: Path) -> None:
    assert not data_dir.exists()
    result = flowdeck(data_dir, "db-upgrade")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (data_dir / "flowdeck.db").is_file()
    tables = {
        row[0] for row in query(data_dir, "SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {"user", "workflow", "execution", "audit_event", "alembic_version"} <= tables
    assert len(query(data_dir, "SELECT version_num FROM alembic_version")) == 1
    again = flowdeck(data_dir, "db-upgrade")
    assert again.returncode == 0, again.stderr


def test_create_user_reads_the_password_from_stdin(migrated: Path) -> None:
    result = _create_admin(migrated, email="A@Example.com")
    assert result.returncode == 0, result.stderr
    assert "created admin a@example.com" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    [(email, role, password_hash)] = query(
        migrated, 'SELECT email, role, password_hash FROM "user"'
    )
    assert (email, role) == ("a@example.com", "admin")
    assert password_hash.startswith("$argon2id$") and PASSWORD not in password_hash
    use_data_dir(migrated)
    token, user = auth.login(email="a@example.com", password=PASSWORD)
    assert auth.authenticate(token).role == "admin" and user.email == "a@example.com"


def test_too_short_password_is_refused_and_creates_nothing(migrated: Path) -> None:
    result = flowdeck(
        migrated,
        "create-user",
        "--email",
        "a@example.com",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert result.returncode != 0
    assert "password" in result.stderr and "at least 10 characters" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(migrated, 'SELECT COUNT(*) FROM "user"') == [(0,)]
    assert query(migrated, "SELECT COUNT(*) FROM audit_event") == [(0,)]


def test_missing_password_is_refused(migrated: Path) -> None:
    for args in ((), ("--password-stdin",)):
        result = flowdeck(migrated, "create-user", "--email", "a@example.com", *args)
        assert result.returncode == 2
        assert "--password-stdin" in result.stderr
    assert query(migrated, 'SELECT COUNT(*) FROM "user"') == [(0,)]


def test_duplicate_email_is_refused(migrated: Path) -> None:
    assert _create_admin(migrated).returncode == 0
    again = _create_admin(migrated, email="A@EXAMPLE.COM")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert query(migrated, 'SELECT COUNT(*) FROM "user"') == [(1,)]


def test_create_api_key_prints_the_key_once_and_it_authenticates(migrated: Path) -> None:
    assert _create_admin(migrated).returncode == 0
    result = flowdeck(migrated, "create-api-key", "--email", "a@example.com", "--name", "ci")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fdk_")
    key = lines[0]
    assert key not in result.stderr and "only this once" in result.stderr
    assert key.encode() not in (migrated / "flowdeck.db").read_bytes()
    [(name, prefix)] = query(migrated, "SELECT name, prefix FROM api_key")
    assert name == "ci" and key.startswith(prefix)

    use_data_dir(migrated)
    actor = api_keys.authenticate_api_key(key)
    assert actor.kind == "api_key" and actor.email == "a@example.com" and actor.role == "admin"
    with pytest.raises(AuthenticationFailed):
        api_keys.authenticate_api_key(key[:-1] + ("A" if key[-1] != "A" else "B"))


def test_create_api_key_for_an_unknown_email_fails(migrated: Path) -> None:
    assert _create_admin(migrated).returncode == 0
    result = flowdeck(migrated, "create-api-key", "--email", "who@example.com", "--name", "ci")
    assert result.returncode != 0
    assert "who@example.com" in result.stderr
    assert result.stdout == ""
    assert query(migrated, "SELECT COUNT(*) FROM api_key") == [(0,)]


@pytest.mark.parametrize(
    "command", [["db-upgrade"], ["create-api-key", "--email", "a@b.co", "--name", "ci"]]
)
def test_unwritable_data_dir_is_named(tmp_path: Path, command: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = flowdeck(blocker / "data", *command, cwd=tmp_path)
    assert result.returncode == 2
    assert "FLOWDECK_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["mysql://root@localhost/flowdeck", "flowdeck.db"])
def test_bad_database_url_is_named(data_dir: Path, url: str) -> None:
    result = flowdeck(data_dir, "db-upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (data_dir / "flowdeck.db").exists()


def test_unreachable_database_url_is_named(data_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'flowdeck.db'}"
    result = flowdeck(data_dir, "db-upgrade", env={"DATABASE_URL": url})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
