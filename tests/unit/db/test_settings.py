"""Settings come from the environment once and fail fast on bad values."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app.db.settings import SettingsError, load_settings


def test_defaults_generate_a_private_key_file(tmp_path: Path) -> None:
    settings = load_settings({"FLOWDECK_DATA_DIR": str(tmp_path)})
    key_file = tmp_path / "secret.key"
    assert settings.database_url == f"sqlite:///{tmp_path / 'flowdeck.db'}"
    assert settings.port == 3000 and settings.base_url == "http://localhost:3000"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert settings.secret_keys == (key_file.read_text().strip(),)
    # A second start reads the same key instead of making a new one.
    assert load_settings({"FLOWDECK_DATA_DIR": str(tmp_path)}).secret_keys == settings.secret_keys


def test_keys_from_environment_newest_first(tmp_path: Path) -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings = load_settings(
        {"FLOWDECK_DATA_DIR": str(tmp_path), "FLOWDECK_SECRET_KEYS": f"{new}, {old}"}
    )
    assert settings.secret_keys == (new, old)
    assert not (tmp_path / "secret.key").exists()


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"FLOWDECK_SECRET_KEYS": "not-a-key"}, "FLOWDECK_SECRET_KEYS"),
        ({"FLOWDECK_BASE_URL": "ftp://host"}, "FLOWDECK_BASE_URL"),
        ({"FLOWDECK_OUTBOUND_ALLOW": "10.0.0.0/99"}, "FLOWDECK_OUTBOUND_ALLOW"),
        ({"FLOWDECK_MAX_CONCURRENT_EXECUTIONS": "0"}, "FLOWDECK_MAX_CONCURRENT_EXECUTIONS"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        load_settings({"FLOWDECK_DATA_DIR": str(tmp_path), **env})


def test_unwritable_data_dir_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SettingsError, match="FLOWDECK_DATA_DIR"):
        load_settings({"FLOWDECK_DATA_DIR": str(blocker / "sub")})
