"""The tiny interface every alert channel implements, and the registry of channels by name.

A channel is one module (`slack`, `telegram`, `email`, `webhook`, `in_app`) that registers a
`ChannelType`: its options model (checked when an alert is saved), which connection platforms
it can use, how its `channel` text is checked, and one async `send(target, message)` that
returns a `SendResult` instead of raising for anything the remote side did. Retrying, timing
and recording are the dispatcher's job, so a channel stays a page of code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from app.alerts.messages import MAX_TEMPLATE, AlertMessage
from app.integrations.credentials import ResolvedConnection

#: Seconds one HTTP or SMTP attempt may take before it counts as a timeout.
SEND_TIMEOUT_S = 15.0


class ChannelOptions(BaseModel):
    """Base of a channel's `config` model: camelCase or snake_case in, typos refused.

    `message`, on every channel: a template for the message's main line (see
    `app.alerts.messages.with_template`).
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        loc_by_alias=False,
        extra="forbid",
        str_strip_whitespace=True,
    )

    message: str | None = Field(default=None, max_length=MAX_TEMPLATE)


@dataclass(frozen=True)
class Target:
    """Where one alert sends, with its secrets decrypted. Lives only in memory."""

    alert_id: int
    alert_name: str
    alert_type: str
    channel: str = field(repr=False)  # webhook URL, chat id, addresses, or ""
    options: dict[str, Any]  # the alert's public config
    connection: ResolvedConnection | None = None
    signing_secret: str | None = field(default=None, repr=False)

    def secret_values(self) -> list[str]:
        """Every value that must be masked in stored errors and logs."""
        values = [self.signing_secret or ""]
        if SECRET_CHANNEL.get(self.alert_type) and "://" in self.channel:
            values.append(self.channel)
            path = _path(self.channel)  # servers echo paths in errors; the path is the secret
            values += [path] if len(path) >= 8 else []
        if self.connection is not None:
            values += self.connection.secret_values()
        return [v for v in values if v]


@dataclass(frozen=True)
class SendResult:
    """What one attempt achieved.

    `failure_kind` uses the retry policy's words (`timeout`, `connection`, `http_5xx`,
    `http_429`; anything else is not retried); `retry_after` is the wait the remote asked for.
    `events` are bus events to publish once sent (`notification.created`): channels do not
    import the engine's bus, the dispatcher publishes for them.
    """

    ok: bool
    status_code: int | None = None
    error: str | None = None
    failure_kind: str | None = None
    retry_after: float | None = None
    events: tuple[tuple[str, dict[str, Any]], ...] = ()

    @classmethod
    def failed(
        cls,
        error: str,
        *,
        code: int | None = None,
        kind: str = "error",
        retry_after: float | None = None,
    ) -> SendResult:
        """A failure; `kind` decides whether it is retried."""
        return cls(False, code, error, kind, retry_after)


def http_failure_kind(status_code: int) -> str:
    """How a failed HTTP answer is retried: 429 and 5xx may pass, other 4xx will not."""
    if status_code == 429:
        return "http_429"
    return "http_5xx" if status_code >= 500 else "error"


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def http_url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL with a host, or None. Never echoes it."""
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    return None if ok else "must be an absolute http:// or https:// URL"


SendFn = Callable[[Target, AlertMessage], Awaitable[SendResult]]
#: (channel text, has a connection) -> why it is wrong, or None.
ChannelCheck = Callable[[str, bool], str | None]


@dataclass(frozen=True)
class ChannelType:
    """One alert channel as the rest of Flowdeck sees it."""

    name: str
    label: str
    send: SendFn
    options: type[ChannelOptions]
    check_channel: ChannelCheck
    platforms: tuple[str, ...] = ()  # connection platforms it can send through
    needs_connection: bool = False
    secret_channel: bool = False  # the channel text authorises posting (a webhook URL)
    secret_options: tuple[str, ...] = ()  # option fields stored encrypted
    description: str = ""


_registry: dict[str, ChannelType] = {}
SECRET_CHANNEL: dict[str, bool] = {}


def register(channel: ChannelType) -> ChannelType:
    """Make `channel` available under its name; a second, different one is refused."""
    existing = _registry.get(channel.name)
    if existing is not None and existing is not channel:
        raise ValueError(f"alert channel {channel.name!r} is already registered")
    _registry[channel.name] = channel
    SECRET_CHANNEL[channel.name] = channel.secret_channel
    return channel


def get_channel(name: str) -> ChannelType:
    """The channel registered as `name` (KeyError if none)."""
    return _registry[name]


def channel_types() -> dict[str, ChannelType]:
    """Every registered channel, by name, in registration order."""
    return dict(_registry)
