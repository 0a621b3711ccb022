"""What each platform's connection needs, and the check of a connection body. Pure.

A body is `{"name", "platform", "connectionType", "credentials": {...}, "webhookUrl",
"config": {...}}`, camelCase or snake_case. Secret fields (tokens, passwords, webhook URLs —
a Slack, n8n or Zapier webhook URL authorises posting) end up in `credentials`, which is
stored encrypted; everything else in `config`, which is shown. A field put in the wrong half
is moved to its home, so a token typed into `config` is still encrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_snake

from app.core.config_models import problems_from
from app.core.errors import Problem, ValidationFailed
from app.core.sql_access import database_kind
from app.integrations import metric_sources, ops, social
from app.integrations.platform_fields import (
    HttpUrl,
    PlatformSpec,
    TestMethod,
    _Fields,
    canonical_platform,
)

__all__ = ["HttpUrl", "PlatformSpec", "TestMethod", "_Fields"]

CONNECTION_TYPES = ("api_key", "oauth", "webhook", "basic", "smtp", "database", "ssh", "imap")


class WebhookSecrets(_Fields):
    """Slack, n8n, Zapier: the webhook URL authorises posting, so it is a secret."""

    webhook_url: HttpUrl


class TelegramSecrets(_Fields):
    """The bot token from @BotFather (`123456:ABC…`)."""

    bot_token: str = Field(pattern=r"^\d+:[A-Za-z0-9_-]+$", description="from @BotFather")


class TokenSecrets(_Fields):
    """A bearer token (GitHub personal access token, OAuth token pasted by a person)."""

    token: str = Field(min_length=1)


class ApiKeySecrets(_Fields):
    """An API key sent in a header (`config.header_name`)."""

    api_key: str = Field(min_length=1)


class BasicSecrets(_Fields):
    """HTTP basic authentication."""

    username: str = Field(min_length=1)
    password: str = Field(min_length=1)


class SmtpSecrets(_Fields):
    """SMTP login; both empty means the server is used without AUTH."""

    username: str | None = None
    password: str | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> SmtpSecrets:
        if bool(self.username) != bool(self.password):
            raise ValueError("give both username and password, or neither (no login)")
        return self


class DatabaseSecrets(_Fields):
    """A SQLAlchemy URL (its password is in it, so all of it is secret)."""

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="sqlite:////path/file.db (under FLOWDECK_SQLITE_ROOTS), "
        "postgresql+psycopg://user:pass@host/db or mysql+pymysql://…",
    )

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        database_kind(value)
        return value


class DatabaseSettings(_Fields):
    """Nothing to configure: the URL says it all."""


class SlackConfig(_Fields):
    """The text posted by the verification."""

    test_message: str = Field("Flowdeck connection check", min_length=1, max_length=500)


class TelegramConfig(_Fields):
    """Bot API base URL and the chat messages go to when an action names none."""

    api_base: HttpUrl = "https://api.telegram.org"
    default_chat_id: int | str | None = None


class GithubConfig(_Fields):
    """REST API base URL (GitHub Enterprise or a stand-in) and an optional repository."""

    api_base: HttpUrl = "https://api.github.com"
    repo: str | None = Field(None, pattern=r"^[\w.-]+/[\w.-]+$", description="owner/name")


class SmtpConfig(_Fields):
    """Server, port (default by security: 25, 587 STARTTLS, 465 SSL) and sender."""

    host: str = Field(min_length=1, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    ca_pem: str | None = Field(None, description="PEM of an extra CA to trust (private CAs)")
    timeout_s: float = Field(10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _default_port(self) -> SmtpConfig:
        if self.port is None:
            self.port = {"none": 25, "starttls": 587, "ssl": 465}[self.security]
        return self


class WebhookConfig(_Fields):
    """The verification request; `test_path` replaces the path of the webhook URL."""

    test_method: TestMethod = "POST"
    test_path: str | None = Field(None, description="path of the test request, e.g. n8n's")
    test_body: Any = Field(default_factory=lambda: {"test": True})


class HttpConfig(_Fields):
    """A generic HTTP API: base URL, API key header name, verification request."""

    base_url: HttpUrl
    header_name: str = Field("X-API-Key", min_length=1, max_length=100)
    test_method: TestMethod = "GET"
    test_path: str = ""


_WEBHOOK = PlatformSpec(
    ("webhook",), {"webhook": WebhookSecrets}, WebhookConfig, {"webhook": "webhook_url"}
)
SPECS: dict[str, PlatformSpec] = {
    "n8n": _WEBHOOK,
    "zapier": _WEBHOOK,
    "slack": PlatformSpec(
        ("webhook",), {"webhook": WebhookSecrets}, SlackConfig, {"webhook": "webhook_url"}
    ),
    "telegram": PlatformSpec(
        ("api_key",), {"api_key": TelegramSecrets}, TelegramConfig, {"api_key": "bot_token"}
    ),
    "github": PlatformSpec(
        ("oauth", "api_key"),
        {"oauth": TokenSecrets, "api_key": TokenSecrets},
        GithubConfig,
        {"oauth": "token", "api_key": "token"},
    ),
    "smtp": PlatformSpec(("smtp",), {"smtp": SmtpSecrets}, SmtpConfig, {"smtp": "password"}),
    "http": PlatformSpec(
        ("api_key", "basic", "oauth"),
        {"api_key": ApiKeySecrets, "basic": BasicSecrets, "oauth": TokenSecrets},
        HttpConfig,
        {"api_key": "api_key", "basic": "password", "oauth": "token"},
    ),
    "database": PlatformSpec(
        ("database",), {"database": DatabaseSecrets}, DatabaseSettings, {"database": "url"}
    ),
    **social.SPECS,
    **ops.SPECS,
    **metric_sources.SPECS,
}
PLATFORMS = tuple(SPECS)


@dataclass(frozen=True)
class ConnectionSpec:
    """A checked connection: secrets in `credentials`, the rest in `config`."""

    name: str
    platform: str
    connection_type: str
    credentials: dict[str, str]
    config: dict[str, Any]

    @property
    def secret_hint(self) -> str:
        """The last 4 characters of the main secret, if it is long enough to spare them."""
        main = SPECS[self.platform].main_secret.get(self.connection_type, "")
        value = self.credentials.get(main, "")
        return value[-4:] if len(value) >= 12 else ""


def snake_keys(data: dict[str, Any] | None) -> dict[str, Any]:
    """The top-level keys of `data` in snake_case (`webhookUrl` → `webhook_url`)."""
    return {to_snake(str(k)): v for k, v in (data or {}).items()}


def object_problems(data: dict[str, Any]) -> list[Problem]:
    """`credentials` and `config` (snake_case keys) must be objects when given."""
    return [
        Problem(half, "must be an object")
        for half in ("credentials", "config")
        if data.get(half) is not None and not isinstance(data[half], dict)
    ]


def _split(
    spec: PlatformSpec, conn_type: str, data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Credentials and config with each known field moved to its home."""
    secret_names = set(spec.secrets[conn_type].model_fields)
    config_names = set(spec.config.model_fields)
    credentials, config = snake_keys(data.get("credentials")), snake_keys(data.get("config"))
    for name in [k for k in config if k in secret_names]:
        credentials.setdefault(name, config.pop(name))
    for name in [k for k in credentials if k in config_names and k not in secret_names]:
        config.setdefault(name, credentials.pop(name))
    if data.get("webhook_url"):
        credentials["webhook_url"] = data["webhook_url"]
    return credentials, config


def parse_connection(data: dict[str, Any]) -> ConnectionSpec:
    """Check a whole connection body (snake_case or camelCase); every problem at once."""
    data = snake_keys(data)
    problems: list[Problem] = []
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append(Problem("name", "required"))
    elif len(name) > 200:
        problems.append(Problem("name", "at most 200 characters"))
    platform = canonical_platform(str(data.get("platform") or ""))
    spec = SPECS.get(platform)
    if spec is None:
        problems.append(Problem("platform", f"must be one of {', '.join(PLATFORMS)}"))
        raise ValidationFailed(problems)
    conn_type = str(data.get("connection_type") or spec.types[0])
    if conn_type not in spec.types:
        allowed = ", ".join(spec.types)
        problems.append(Problem("connection_type", f"{platform} connections use {allowed}"))
        raise ValidationFailed(problems)
    if not_objects := object_problems(data):
        raise ValidationFailed(problems + not_objects)
    credentials, config = _split(spec, conn_type, data)
    if data.get("webhook_url") and "webhook_url" not in spec.secrets[conn_type].model_fields:
        problems.append(Problem("webhook_url", f"{platform} connections have no webhook URL"))
        credentials.pop("webhook_url", None)
    checked: dict[str, dict[str, Any]] = {}
    for half, model, values in (
        ("credentials", spec.secrets[conn_type], credentials),
        ("config", spec.config, config),
    ):
        try:
            checked[half] = model.model_validate(values).model_dump(mode="json")
        except ValidationError as exc:
            problems += problems_from(exc, half)
    if problems:
        raise ValidationFailed(problems)
    return ConnectionSpec(
        name=name,
        platform=platform,
        connection_type=conn_type,
        credentials={k: str(v) for k, v in checked["credentials"].items() if v not in (None, "")},
        config={k: v for k, v in checked["config"].items() if v is not None},
    )


def secret_field_names(platform: str, connection_type: str) -> list[str]:
    """The secret fields of a platform's connection type (for forms)."""
    return list(SPECS[platform].secrets[connection_type].model_fields)
