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

from app.core.leases import DEFAULT_HEARTBEAT_S, DEFAULT_TTL_S, check_timing
from app.core.redact import is_secret_key

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
    max_step_data_bytes: int = 1_048_576
    env_vars: dict[str, str] = field(default_factory=dict)
    #: Names (without the FLOWDECK_ENV_ prefix) of env vars whose values are secrets: masked
    #: by value wherever a run's data is stored, logged or sent in an alert.
    secret_env_names: frozenset[str] = frozenset()
    #: The public site the articles are read on (`FLOWDECK_SITE_URL`, default `base_url`):
    #: `share` links to `{site_url}/articles/{slug}` (see `app.core.article_links`).
    site_url: str = ""
    #: Directories whose SQLite files `database` connections may open (`FLOWDECK_SQLITE_ROOTS`,
    #: colon-separated; none by default). Flowdeck's own database is refused even there.
    sqlite_roots: tuple[Path, ...] = ()
    #: Directories under which `file_watch` triggers may watch (`FLOWDECK_WATCH_ROOTS`,
    #: colon-separated; none by default).
    watch_roots: tuple[Path, ...] = ()
    #: Every process renews its lease this often (`FLOWDECK_LEASE_HEARTBEAT_S`) ...
    lease_heartbeat_s: int = DEFAULT_HEARTBEAT_S
    #: ... and it runs out this long after the last renewal (`FLOWDECK_LEASE_TTL_S`): then
    #: another process interrupts the runs it left (see `app.core.leases`).
    lease_ttl_s: int = DEFAULT_TTL_S

    @property
    def secret_env_values(self) -> tuple[str, ...]:
        return tuple(self.env_vars[name] for name in self.secret_env_names if self.env_vars[name])

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
        # A name of its own: processes starting together must not remove each other's probe.
        probe = path / f".write-test.{os.getpid()}.{os.urandom(4).hex()}"
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
        return _check_keys(keys, "FLOWDECK_SECRET_KEYS")
    return _key_file(data_dir / "secret.key")


def _check_keys(keys: tuple[str, ...], where: str) -> tuple[str, ...]:
    for index, key in enumerate(keys):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise SettingsError(
                f"{where} entry {index + 1} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from None
    return keys


def _read_key_file(key_file: Path) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in key_file.read_text().split(",") if k.strip())
    if not keys:
        raise SettingsError(f"{key_file} is empty; set FLOWDECK_SECRET_KEYS or remove it")
    return _check_keys(keys, str(key_file))


def _key_file(key_file: Path) -> tuple[str, ...]:
    """The keys in `key_file`, creating it with a new key on first use.

    The new key is written to a private temporary file and then hard-linked into place, so a
    second process starting at the same moment either wins the link or reads a complete file;
    it never sees a half-written key nor replaces the key the first one already uses.
    """
    if key_file.exists():
        return _read_key_file(key_file)
    key = Fernet.generate_key().decode()
    temp = key_file.with_name(f".secret.key.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, key_file)
        except FileExistsError:
            return _read_key_file(key_file)  # another process created it first: use theirs
    finally:
        temp.unlink(missing_ok=True)
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
    env_vars = {
        k.removeprefix("FLOWDECK_ENV_"): v for k, v in env.items() if k.startswith("FLOWDECK_ENV_")
    }
    heartbeat_s, ttl_s = _lease_timing(env)
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
        max_step_data_bytes=_int(
            env, "FLOWDECK_MAX_STEP_DATA_BYTES", 1_048_576, low=1_024, high=64 * 1_048_576
        ),
        env_vars=env_vars,
        secret_env_names=_secret_env_names(env, env_vars),
        site_url=_site_url(env, base_url),
        sqlite_roots=_roots(env, "FLOWDECK_SQLITE_ROOTS"),
        watch_roots=_roots(env, "FLOWDECK_WATCH_ROOTS"),
        lease_heartbeat_s=heartbeat_s,
        lease_ttl_s=ttl_s,
    )


def _lease_timing(env: dict[str, str]) -> tuple[int, int]:
    heartbeat_s = _int(env, "FLOWDECK_LEASE_HEARTBEAT_S", DEFAULT_HEARTBEAT_S, low=1, high=300)
    ttl_s = _int(env, "FLOWDECK_LEASE_TTL_S", DEFAULT_TTL_S, low=3, high=3600)
    problem = check_timing(heartbeat_s, ttl_s)
    if problem:
        raise SettingsError(f"FLOWDECK_LEASE_TTL_S / FLOWDECK_LEASE_HEARTBEAT_S: {problem}")
    return heartbeat_s, ttl_s


def _roots(env: dict[str, str], name: str) -> tuple[Path, ...]:
    """`FLOWDECK_SQLITE_ROOTS` / `FLOWDECK_WATCH_ROOTS`: existing directories, colon-separated,
    resolved."""
    roots = []
    for entry in (e.strip() for e in env.get(name, "").split(":")):
        if not entry:
            continue
        path = Path(entry).expanduser().resolve()
        if not path.is_dir():
            raise SettingsError(f"{name} entry {entry!r} is not a directory")
        roots.append(path)
    return tuple(roots)


def _site_url(env: dict[str, str], base_url: str) -> str:
    """`FLOWDECK_SITE_URL` (an http(s) URL, optionally with `{slug}`), else the base URL."""
    site_url = (env.get("FLOWDECK_SITE_URL") or "").strip() or base_url
    if not site_url.startswith(("http://", "https://")):
        raise SettingsError(f"FLOWDECK_SITE_URL must start with http:// or https://: {site_url}")
    return site_url


def _secret_env_names(env: dict[str, str], env_vars: dict[str, str]) -> frozenset[str]:
    """Env vars whose name says secret (TOKEN, PASSWORD, API_KEY...) or that are listed in
    FLOWDECK_SECRET_ENV (comma-separated names, without the FLOWDECK_ENV_ prefix)."""
    listed = {n.strip() for n in env.get("FLOWDECK_SECRET_ENV", "").split(",") if n.strip()}
    unknown = sorted(listed - env_vars.keys())
    if unknown:
        raise SettingsError(
            f"FLOWDECK_SECRET_ENV names {', '.join(unknown)}, but no FLOWDECK_ENV_<NAME> "
            "variable of that name is set"
        )
    return frozenset(name for name in env_vars if name in listed or is_secret_key(name))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load_settings()
