"""Settings come from the environment once and fail fast on bad values."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
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


def test_a_key_file_that_is_not_a_fernet_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("not-a-key\n")
    with pytest.raises(SettingsError, match=r"secret\.key entry 1 is not a valid Fernet key"):
        load_settings({"FLOWDECK_DATA_DIR": str(tmp_path)})


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    """Eight processes creating the key file at once all end up with the same, whole key."""
    script = (
        "import sys; from app.db.settings import load_settings; "
        "print(load_settings({'FLOWDECK_DATA_DIR': sys.argv[1]}).secret_keys[0])"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE)
        for _ in range(8)
    ]
    keys = {proc.communicate(timeout=60)[0].decode().strip() for proc in procs}
    assert all(proc.returncode == 0 for proc in procs)
    assert keys == {(tmp_path / "secret.key").read_text().strip()}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret")] == []


def test_secret_env_vars_by_name_or_listed(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "FLOWDECK_DATA_DIR": str(tmp_path),
            "FLOWDECK_ENV_REGION": "eu-west",
            "FLOWDECK_ENV_API_TOKEN": "tok-123456",
            "FLOWDECK_ENV_PARTNER": "partner-code-9",
            "FLOWDECK_SECRET_ENV": "PARTNER",
        }
    )
    assert settings.secret_env_names == {"API_TOKEN", "PARTNER"}
    assert sorted(settings.secret_env_values) == ["partner-code-9", "tok-123456"]
    with pytest.raises(SettingsError, match="FLOWDECK_SECRET_ENV names NOPE"):
        load_settings({"FLOWDECK_DATA_DIR": str(tmp_path), "FLOWDECK_SECRET_ENV": "NOPE"})


def test_step_data_cap_is_bounded(tmp_path: Path) -> None:
    base = {"FLOWDECK_DATA_DIR": str(tmp_path)}
    assert load_settings(base).max_step_data_bytes == 1_048_576
    assert (
        load_settings({**base, "FLOWDECK_MAX_STEP_DATA_BYTES": "4096"}).max_step_data_bytes == 4096
    )
    with pytest.raises(SettingsError, match="FLOWDECK_MAX_STEP_DATA_BYTES"):
        load_settings({**base, "FLOWDECK_MAX_STEP_DATA_BYTES": "10"})
