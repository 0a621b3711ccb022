"""Shared fixtures: every test gets its own real SQLite file, migrated by Alembic."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="flowdeck-tests-"))
os.environ["FLOWDECK_DATA_DIR"] = str(_SESSION_DIR / "default")
os.environ.setdefault("FLOWDECK_SECRET_KEYS", Fernet.generate_key().decode())
os.environ["FLOWDECK_OUTBOUND_ALLOW"] = "127.0.0.1/32"  # the loopback test servers
os.environ.pop("DATABASE_URL", None)

from app.db.engine import get_engine  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from app.db.settings import get_settings  # noqa: E402


def use_data_dir(data_dir: Path) -> None:
    """Point Flowdeck's settings and engine at `data_dir` (a fresh process would do the same)."""
    get_engine().dispose()
    os.environ["FLOWDECK_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def migrated_template() -> Path:
    template = _SESSION_DIR / "template"
    template.mkdir()
    url = f"sqlite:///{template / 'flowdeck.db'}"
    upgrade(url)
    return template / "flowdeck.db"


@pytest.fixture
def db(tmp_path: Path, migrated_template: Path) -> Iterator[Path]:
    """A fresh, migrated SQLite database for this test, used by every service."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(migrated_template, data_dir / "flowdeck.db")
    use_data_dir(data_dir)
    yield data_dir
    get_engine().dispose()


@pytest.fixture(autouse=True)
def _scheduler_health_reset() -> Iterator[None]:
    """A clock a test started and stopped (often through `startup()`) must not leave
    `/api/health` reporting "stopped" to the tests after it."""
    yield
    from app.engine import health

    health.set_scheduler_state("not started")
