"""The one settings object, read from the environment once.

Nothing else in Flowdeck reads `os.environ`. Bad values stop start-up with a message that
names the variable, so a typo in a deployment is found before the first request.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet

log = logging.getLogger("flowdeck.settings")


class SettingsError(RuntimeError):
    """A setting has a bad value; the message names the environment variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_keys: tuple[str, ...]
    base_url: str
    port: int
    max_concurrent_executions: int = 8
    session_ttl_hours: int = 24 * 7
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    min_password_length: int = 10
    webhook_max_body_bytes: int = 1_048_576
    outbound_allow: tuple[str, ...] = field(default_factory=tuple)
    audit_retention_days: int = 0
    env_vars: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _int(env: dict[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _data_dir(env: dict[str, str]) -> Path:
    path = Path(env.get("FLOWDECK_DATA_DIR") or "./data").expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise SettingsError(
            f"FLOWDECK_DATA_DIR {str(path)!r} is not a writable directory: {exc.strerror}"
        ) from None
    return path


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'flowdeck.db'}"
    known = ("sqlite://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://")
    if not url.startswith(known):
        raise SettingsError(
            "DATABASE_URL must start with sqlite:/// or postgresql+psycopg://, "
            f"got a URL with scheme {url.split(':', 1)[0]!r}"
        )
    return url


def _secret_keys(env: dict[str, str], data_dir: Path) -> tuple[str, ...]:
    raw = env.get("FLOWDECK_SECRET_KEYS", "").strip()
    if raw:
        keys = tuple(k.strip() for k in raw.split(",") if k.strip())
        for index, key in enumerate(keys):
            try:
                Fernet(key.encode())
            except (ValueError, TypeError):
                raise SettingsError(
                    f"FLOWDECK_SECRET_KEYS entry {index + 1} is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from None
        return keys
    key_file = data_dir / "secret.key"
    if key_file.exists():
        keys = tuple(k.strip() for k in key_file.read_text().split(",") if k.strip())
        if not keys:
            raise SettingsError(f"{key_file} is empty; set FLOWDECK_SECRET_KEYS or remove it")
        return keys
    key = Fernet.generate_key().decode()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    log.warning(
        "FLOWDECK_SECRET_KEYS is not set: generated a new key into %s (mode 0600). "
        "Back it up: stored credentials cannot be read without it.",
        key_file,
    )
    return (key,)


def _outbound_allow(env: dict[str, str]) -> tuple[str, ...]:
    entries = tuple(e.strip() for e in env.get("FLOWDECK_OUTBOUND_ALLOW", "").split(",") if e)
    for entry in entries:
        if "/" in entry:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise SettingsError(
                    f"FLOWDECK_OUTBOUND_ALLOW entry {entry!r} is not a valid CIDR"
                ) from None
    return entries


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from `env` (the process environment by default), failing fast."""
    env = dict(os.environ if env is None else env)
    data_dir = _data_dir(env)
    port = _int(env, "PORT", 3000, low=1, high=65535)
    base_url = (env.get("FLOWDECK_BASE_URL") or f"http://localhost:{port}").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(f"FLOWDECK_BASE_URL must start with http:// or https://: {base_url}")
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        secret_keys=_secret_keys(env, data_dir),
        base_url=base_url,
        port=port,
        max_concurrent_executions=_int(
            env, "FLOWDECK_MAX_CONCURRENT_EXECUTIONS", 8, low=1, high=256
        ),
        session_ttl_hours=_int(env, "FLOWDECK_SESSION_TTL_HOURS", 24 * 7, low=1, high=24 * 365),
        min_password_length=_int(env, "FLOWDECK_MIN_PASSWORD_LENGTH", 10, low=8, high=128),
        outbound_allow=_outbound_allow(env),
        audit_retention_days=_int(env, "FLOWDECK_AUDIT_RETENTION_DAYS", 0, low=0, high=36500),
        env_vars={
            k.removeprefix("FLOWDECK_ENV_"): v
            for k, v in env.items()
            if k.startswith("FLOWDECK_ENV_")
        },
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load_settings()
