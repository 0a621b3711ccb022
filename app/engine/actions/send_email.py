"""`send_email`: one email through an SMTP connection (the same delivery as email alerts).

Config: `connection` (an SMTP connection's id or name; left out, the oldest SMTP connection),
`to`, `cc`, `bcc` (one address, several separated by commas, or a list; templated like every
config string, checked after rendering), `subject`, `body` (text), `html`, and `template`: a
built-in email template (`app/catalog/emails/<name>.json`) giving the subject, body and HTML
that are not written in the step. Its templates see the run's context (`trigger`, `steps`,
`workflow`, …) plus `to` (the first recipient) and `name` (the recipient's name when the
trigger payload, or a webhook's body, has one: `customer_data.name`, `customer_name`, `name`).

The connection's password is loaded here, after the runner stored the rendered input, and
handed to the runner to mask; it never reaches the step's data. With no SMTP connection the
step fails with "no SMTP connection: add one under Connections" (and saving the workflow
warns about it, `app.services.workflow_warnings`).
"""

from __future__ import annotations

import asyncio
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlmodel import col, select

from app.alerts.email import _deliver, _smtp_failure
from app.catalog.emails import email_templates
from app.core.config_models import ActionConfig
from app.core.templates import render_value
from app.db.engine import session_scope
from app.db.models import Connection
from app.engine.actions import StepContext, action
from app.engine.failures import ActionFailed
from app.integrations.credentials import ResolvedConnection, find_row, record_use, resolved

NO_CONNECTION = "no SMTP connection: add one under Connections"
MAX_RECIPIENTS = 50
_ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
Addresses = str | list[str]


def addresses(value: Addresses | None) -> list[str]:
    """The addresses in `value`: a list, or one text split at commas and semicolons."""
    items = value if isinstance(value, list) else [value or ""]
    return [a.strip() for item in items for a in re.split(r"[,;]", item) if a.strip()]


def _templated(text: str) -> bool:
    return "{{" in text or "{%" in text


def bad_addresses(found: list[str]) -> list[str]:
    """The entries that are no email address (templates are judged once rendered)."""
    return [a for a in found if not _templated(a) and not _ADDRESS.match(a)]


class SendEmailConfig(ActionConfig):
    """An email: recipients, and subject + body (written, or from a built-in `template`)."""

    connection: int | str | None = None
    to: Addresses
    cc: Addresses | None = None
    bcc: Addresses | None = None
    subject: str | None = Field(None, max_length=998)
    body: str | None = Field(None, max_length=200_000)
    html: str | None = Field(None, max_length=500_000)
    template: str | None = None

    @field_validator("connection", mode="before")
    @classmethod
    def _connection_ref(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
            raise ValueError("must be an SMTP connection's id or name")
        return value

    @field_validator("to", "cc", "bcc")
    @classmethod
    def _addresses(cls, value: Addresses | None) -> Addresses | None:
        found = addresses(value)
        if len(found) > MAX_RECIPIENTS:
            raise ValueError(f"at most {MAX_RECIPIENTS} addresses")
        if bad := bad_addresses(found):
            raise ValueError(f"not an email address: {', '.join(bad[:3])}")
        return value

    @field_validator("template")
    @classmethod
    def _known_template(cls, value: str | None) -> str | None:
        if value is not None and value not in email_templates():
            raise ValueError(
                f"no built-in email template {value!r}: {', '.join(email_templates())}"
            )
        return value

    @model_validator(mode="after")
    def _something_to_send(self) -> SendEmailConfig:
        if not addresses(self.to):
            raise ValueError("to: give one or more email addresses")
        if self.template is None and (
            self.subject is None or (self.body, self.html) == (None, None)
        ):
            raise ValueError("give a subject and a body (or html), or a template")
        return self


def _smtp_connection(ref: int | str | None) -> ResolvedConnection:
    """The SMTP connection `ref`, or the oldest one; `ActionFailed` if there is none."""
    with session_scope() as session:
        if ref is None:
            row = session.exec(
                select(Connection).where(Connection.platform == "smtp").order_by(col(Connection.id))
            ).first()
            if row is None:
                raise ActionFailed(NO_CONNECTION)
        else:
            row = find_row(session, ref)
            if row.platform != "smtp":
                raise ActionFailed(f"connection {row.name!r} is {row.platform}, not SMTP")
        return resolved(row)


def _recipient_name(trigger: Any) -> str | None:
    if not isinstance(trigger, dict):
        return None
    if isinstance(trigger.get("body"), dict):  # a webhook's payload: its JSON body
        trigger = trigger["body"]
    data = trigger.get("customer_data")
    for value in (
        data.get("name") if isinstance(data, dict) else None,
        trigger.get("customer_name"),
        trigger.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _parts(step: StepContext, config: SendEmailConfig, to: list[str]) -> dict[str, str | None]:
    """Subject, body and HTML: as written, else from the template (rendered here)."""
    parts: dict[str, str | None] = {
        "subject": config.subject,
        "body": config.body,
        "html": config.html,
    }
    if config.template is None:
        return parts
    template = email_templates()[config.template]
    context = {**step.context, "to": to[0], "name": _recipient_name(step.context.get("trigger"))}
    for key in ("subject", "body", "html"):
        if parts[key] is None and template.get(key):
            parts[key] = str(render_value(template[key], context))
    if config.body is not None or config.html is not None:  # written text wins over both
        parts["body"], parts["html"] = config.body, config.html
    return parts


def _checked(field: str, value: Addresses | None) -> list[str]:
    found = addresses(value)
    bad = [a for a in found if not _ADDRESS.match(a)]
    if bad:
        raise ActionFailed(f"{field}: not an email address: {', '.join(bad[:3])}")
    return found


def build_message(
    sender: str, to: list[str], cc: list[str], parts: dict[str, str | None]
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, ", ".join(to)
    if cc:
        mail["Cc"] = ", ".join(cc)
    mail["Subject"] = " ".join(str(parts["subject"] or "").split())[:998]
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(parts["body"] or "")
    if parts["html"]:
        mail.add_alternative(parts["html"], subtype="html")
    return mail


@action("send_email", SendEmailConfig, "Send an email through an SMTP connection")
async def run(step: StepContext, config: SendEmailConfig) -> dict[str, Any]:
    to, cc, bcc = _checked("to", config.to), _checked("cc", config.cc), _checked("bcc", config.bcc)
    if not to:
        raise ActionFailed("to: no address after rendering")
    conn = await asyncio.to_thread(_smtp_connection, config.connection)
    step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    parts = await asyncio.to_thread(_parts, step, config, to)
    mail = build_message(conn.config["from_address"], to, cc, parts)
    try:
        await asyncio.to_thread(_deliver, conn, _with_bcc(mail, bcc))
    except (smtplib.SMTPException, OSError) as exc:
        result = _smtp_failure(exc)
        raise ActionFailed(
            f"{conn.name}: {result.error}", kind=result.failure_kind or "error"
        ) from None
    finally:
        await asyncio.to_thread(record_use, conn.id)
    return {
        "connection": conn.name,
        "from": conn.config["from_address"],
        "to": to,
        "cc": cc,
        "bcc": bcc,
        "subject": mail["Subject"],
        "template": config.template,
        "message_id": mail["Message-ID"],
    }


def _with_bcc(mail: EmailMessage, bcc: list[str]) -> EmailMessage:
    """`send_message` sends to every To/Cc/Bcc address and strips the Bcc header itself."""
    if bcc:
        mail["Bcc"] = ", ".join(bcc)
    return mail
