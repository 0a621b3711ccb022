"""Checking an alert body, camelCase or snake_case, with every problem reported at once. Pure.

A body is `{"workflowId" (null = all), "alertType", "channel", "connectionId"?, "events",
"severity", "minSeverity"?, "name"?, "config"?, "isActive"?}`; the events ticked are the events
sent, `severity` is the label of the messages (colour, emoji, subject prefix), and the optional
`minSeverity` holds back events below it — a ticked event it would always hold back is refused.
`createdBy` (in the original document's example) is accepted and ignored, the creator is
whoever is signed in. The channel's own module says what its `channel` text and `config` must
be; checks that need the database (does the workflow, the connection, the recipient exist?) are
the service's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from app.alerts.base import ChannelType, channel_types
from app.alerts.events import ALERT_EVENTS, EVENT_SEVERITY, AlertEvent, held_back
from app.alerts.messages import build_message
from app.core.config_models import problems_from
from app.core.errors import Problem
from app.core.ids import is_id
from app.core.redact import is_secret_key, mask
from app.core.statuses import Severity
from app.core.templates import TemplateError, render_value
from app.integrations.platforms import snake_keys

FIELDS = ("name", "workflow_id", "alert_type", "channel", "connection_id", "events", "severity",
          "min_severity", "config", "is_active")  # fmt: skip
_IGNORED = {"created_by", "id"}
SEVERITIES = tuple(s.value for s in Severity)
#: Where the encrypted channel URL and secret options live in `Alert.config`.
CHANNEL_ENC = "channel_enc"
ENC_SUFFIX = "_enc"


def public_options(config: dict[str, Any]) -> dict[str, Any]:
    """An alert's stored config without its encrypted entries."""
    return {k: v for k, v in (config or {}).items() if not k.endswith(ENC_SUFFIX)}


@dataclass(frozen=True)
class AlertSpec:
    """A checked alert. `channel` and `secrets` are plaintext: the service encrypts them."""

    name: str = ""
    workflow_id: int | None = None
    alert_type: str = ""
    channel: str = field(default="", repr=False)
    connection_id: int | None = None
    events: tuple[str, ...] = ()
    severity: str = Severity.INFO.value
    min_severity: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    is_active: bool = True

    @property
    def channel_type(self) -> ChannelType | None:
        """The registered channel of `alert_type` (None if unknown)."""
        return channel_types().get(self.alert_type)

    @property
    def channel_is_secret(self) -> bool:
        """A webhook URL of its own (not a path under a connection) authorises posting."""
        ctype = self.channel_type
        return bool(ctype and ctype.secret_channel and self.connection_id is None and self.channel)


def channel_hint(url: str) -> str:
    """`https://hooks.slack.com/…••••1234`: the host and the last characters, never the path."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
        origin = f"{parts.scheme}://{host}{port}" if host else ""
    except ValueError:
        origin = ""
    return f"{origin}/…{mask(url)}" if origin else mask(url)


def _optional_id(value: Any, path: str, problems: list[Problem]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if is_id(value):
        return value
    problems.append(Problem(path, "must be a positive whole number (an id) or null"))
    return None


def _events(value: Any, problems: list[Problem]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        problems.append(Problem("events", f"required: a list of {', '.join(ALERT_EVENTS)}"))
        return ()
    chosen: list[str] = []
    for index, item in enumerate(value):
        if item not in ALERT_EVENTS:
            problems.append(
                Problem(f"events[{index}]", f"must be one of {', '.join(ALERT_EVENTS)}")
            )
        elif item not in chosen:
            chosen.append(item)
    return tuple(chosen)


def _min_severity(value: Any, events: tuple[str, ...], problems: list[Problem]) -> str | None:
    """The optional minimum; refused when it would always hold back a ticked event."""
    if value is None or value == "":
        return None
    if value not in SEVERITIES:
        problems.append(Problem("min_severity", f"must be null or one of {', '.join(SEVERITIES)}"))
        return None
    for kind in held_back(events, value):
        problems.append(
            Problem(
                f"events[{events.index(kind)}]",
                f"{kind} is {EVENT_SEVERITY[kind].value}: min_severity {value} would never let "
                "it through; untick it or lower min_severity",
            )
        )
    if held_back(events, value):
        problems.append(
            Problem(
                "min_severity",
                f"{value} would hold back ticked events: this alert would never send them",
            )
        )
    return value


def _sample_message() -> Any:
    event = AlertEvent("workflow_fail", 1, 1, datetime.now(UTC), "Example", "failed", "step")
    return build_message(event, base_url="http://localhost")


def _options(ctype: ChannelType, raw: Any, problems: list[Problem]) -> tuple[dict, dict]:
    """The channel's checked options, with its secret options taken out."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.append(Problem("config", "must be an object"))
        return {}, {}
    given = snake_keys(raw)
    for key in [k for k in given if is_secret_key(k) and k not in ctype.secret_options]:
        del given[key]
        where = "a connection (connectionId)" if ctype.platforms else "nowhere in an alert"
        problems.append(Problem(f"config.{key}", f"secrets belong in {where}, not in config"))
    try:
        checked = ctype.options.model_validate(given).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        problems += problems_from(exc, "config")
        return {}, {}
    secrets = {k: str(checked.pop(k)) for k in ctype.secret_options if checked.get(k)}
    for key in ("subject", "message"):  # templates: refused now rather than at send time
        if checked.get(key):
            try:
                render_value(checked[key], _sample_message().template_context())
            except TemplateError as exc:
                problems.append(Problem(f"config.{key}", exc.message))
    return checked, secrets


def parse_alert(data: dict[str, Any]) -> tuple[AlertSpec, list[Problem]]:
    """The alert in `data` and every problem found (fields with problems keep defaults)."""
    data = snake_keys(data)
    problems = [
        Problem(key, "unknown field") for key in data if key not in FIELDS and key not in _IGNORED
    ]
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        problems.append(Problem("name", "must be text"))
        name = ""
    name = (name or "").strip()
    if len(name) > 200:
        problems.append(Problem("name", "at most 200 characters"))
    workflow_id = _optional_id(data.get("workflow_id"), "workflow_id", problems)
    connection_id = _optional_id(data.get("connection_id"), "connection_id", problems)
    alert_type = data.get("alert_type")
    ctype = channel_types().get(alert_type) if isinstance(alert_type, str) else None
    if ctype is None:
        problems.append(Problem("alert_type", f"must be one of {', '.join(channel_types())}"))
    channel = data.get("channel")
    if channel is not None and not isinstance(channel, str | int):
        problems.append(Problem("channel", "must be text"))
        channel = ""
    channel = str(channel if channel is not None else "").strip()
    if len(channel) > 2000:
        problems.append(Problem("channel", "at most 2000 characters"))
    options: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    if ctype is not None:
        if why := ctype.check_channel(channel, connection_id is not None):
            problems.append(Problem("channel", why))
        if ctype.needs_connection and connection_id is None:
            kinds = " or ".join(ctype.platforms)
            problems.append(Problem("connection_id", f"required: the id of a {kinds} connection"))
        if connection_id is not None and not ctype.platforms:
            problems.append(Problem("connection_id", f"{ctype.label} alerts use no connection"))
        options, secrets = _options(ctype, data.get("config"), problems)
    events = _events(data.get("events"), problems)
    severity = data.get("severity", Severity.INFO.value)
    if severity not in SEVERITIES:
        problems.append(Problem("severity", f"must be one of {', '.join(SEVERITIES)}"))
        severity = Severity.INFO.value
    min_severity = _min_severity(data.get("min_severity"), events, problems)
    is_active = data.get("is_active", True)
    if not isinstance(is_active, bool):
        problems.append(Problem("is_active", "must be true or false"))
        is_active = True
    spec = AlertSpec(
        name=name,
        workflow_id=workflow_id,
        alert_type=ctype.name if ctype else "",
        channel=channel,
        connection_id=connection_id,
        events=events,
        severity=severity,
        min_severity=min_severity,
        options=options,
        secrets=secrets,
        is_active=is_active,
    )
    return spec, problems
