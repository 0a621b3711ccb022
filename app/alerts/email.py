"""Email: a text + HTML message over SMTP, through an SMTP connection.

Blocking `smtplib` runs in a worker thread (aiosmtplib is not a dependency). The host goes
through the outbound address guard and the socket is pinned to the checked address, exactly as
the connection check does; STARTTLS or SSL as the connection says. A temporary refusal (4xx)
or a dropped connection is retried; a refused login or recipient (5xx) is not.
"""

from __future__ import annotations

import asyncio
import html
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from app.alerts.base import (
    SEND_TIMEOUT_S,
    ChannelOptions,
    ChannelType,
    SendResult,
    Target,
    register,
)
from app.alerts.messages import AlertMessage
from app.core.templates import TemplateError, render_value
from app.integrations.credentials import ResolvedConnection
from app.integrations.guard import resolve_checked_sync
from app.integrations.smtp_check import PinnedSMTP, PinnedSMTPSSL, tls_context

_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
DEFAULT_SUBJECT = "[Flowdeck] {{ severity | upper }}: {{ title }}"
_COLOUR = {"info": "#2563eb", "warning": "#d97706", "error": "#dc2626", "critical": "#7f1d1d"}


class EmailOptions(ChannelOptions):
    """The subject line, a template over the message (see `AlertMessage.template_context`)."""

    subject: str | None = None


def recipients(channel: str) -> list[str]:
    """The addresses in `channel`, split at commas or semicolons."""
    return [a.strip() for a in re.split(r"[,;]", channel) if a.strip()]


def subject_for(message: AlertMessage, template: str | None) -> str:
    """The rendered subject; a template that fails at send time falls back to the default."""
    try:
        text = str(render_value(template or DEFAULT_SUBJECT, message.template_context()))
    except TemplateError:
        text = str(render_value(DEFAULT_SUBJECT, message.template_context()))
    return " ".join(text.split())[:250]


def render_html(message: AlertMessage) -> str:
    """The HTML part: severity, title, summary and a table of facts, all escaped."""
    esc = html.escape
    colour = _COLOUR.get(message.severity, "#374151")
    rows = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{esc(k)}</th>'
        f'<td style="white-space:pre-wrap">{esc(v)}</td></tr>'
        for k, v in message.facts
    )
    note = f"<p><em>{esc(message.note)}</em></p>" if message.note else ""
    link = (
        f'<p><a href="{esc(message.link)}">{esc(message.link_label)}</a></p>'
        if message.link
        else ""
    )
    return (
        '<html><body style="font-family:sans-serif">'
        f'<p style="color:{colour};font-weight:bold">{esc(message.severity.upper())}</p>'
        f"<h2>{esc(message.title)}</h2><p>{esc(message.summary)}</p>{note}"
        f"<table>{rows}</table>{link}</body></html>"
    )


def build_email(
    message: AlertMessage, *, sender: str, to: list[str], subject_template: str | None
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, ", ".join(to)
    mail["Subject"] = subject_for(message, subject_template)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["X-Flowdeck-Event"] = message.event
    mail.set_content(message.text())
    mail.add_alternative(render_html(message), subtype="html")
    return mail


def _deliver(conn: ResolvedConnection, mail: EmailMessage) -> None:
    """Connect (to each checked address in turn), secure, log in, send. Blocking."""
    cfg, creds = conn.config, conn.credentials
    host, port, security = cfg["host"], int(cfg["port"]), cfg.get("security", "starttls")
    timeout = min(float(cfg.get("timeout_s", SEND_TIMEOUT_S)), SEND_TIMEOUT_S)
    context = tls_context(cfg)
    last: Exception | None = None
    for address in resolve_checked_sync(host, port):
        try:  # the constructor connects, to the checked address
            smtp = (
                PinnedSMTPSSL(address, host, port, timeout=timeout, context=context)
                if security == "ssl"
                else PinnedSMTP(address, host, port, timeout=timeout)
            )
        except (ConnectionRefusedError, TimeoutError) as exc:
            last = exc  # try the host's next address
            continue
        try:
            smtp.ehlo()
            if security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if creds.get("username"):
                smtp.login(creds["username"], creds.get("password", ""))
            smtp.send_message(mail)
            smtp.quit()
            return
        finally:
            smtp.close()
    raise last or OSError(f"no address for {host}")


def _smtp_failure(exc: Exception) -> SendResult:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        code = codes[0] if codes else None
        kind = "connection" if code and 400 <= code < 500 else "error"
        return SendResult.failed(
            f"recipients refused: {', '.join(exc.recipients)}", code=code, kind=kind
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        kind = "connection" if 400 <= exc.smtp_code < 500 else "error"  # 4xx: try again later
        what = "login refused" if isinstance(exc, smtplib.SMTPAuthenticationError) else "SMTP error"
        return SendResult.failed(
            f"{what}: {exc.smtp_code} {reply}".strip(), code=exc.smtp_code, kind=kind
        )
    if isinstance(exc, ssl.SSLError):
        return SendResult.failed(f"TLS failed: {getattr(exc, 'reason', None) or exc}")
    if isinstance(exc, TimeoutError):
        return SendResult.failed("the SMTP server did not answer in time", kind="timeout")
    if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
        exc, smtplib.SMTPException
    ):
        return SendResult.failed(f"SMTP connection failed: {exc}", kind="connection")
    return SendResult.failed(f"SMTP error: {exc}")  # e.g. no STARTTLS: retrying will not help


async def send(target: Target, message: AlertMessage) -> SendResult:
    """Build the email and send it from a worker thread."""
    conn = target.connection
    if conn is None:
        return SendResult.failed("the alert's SMTP connection no longer exists")
    mail = build_email(
        message,
        sender=conn.config["from_address"],
        to=recipients(target.channel),
        subject_template=target.options.get("subject"),
    )
    try:
        await asyncio.to_thread(_deliver, conn, mail)
    except (smtplib.SMTPException, OSError) as exc:
        return _smtp_failure(exc)
    return SendResult(True, 250)


def check_channel(channel: str, has_connection: bool) -> str | None:
    """One to 50 email addresses."""
    addresses = recipients(channel)
    if not addresses:
        return "required: one or more email addresses, separated by commas"
    if len(addresses) > 50:
        return "at most 50 addresses"
    bad = [a for a in addresses if not _ADDRESS.match(a)]
    return f"not an email address: {', '.join(bad[:3])}" if bad else None


CHANNEL = register(
    ChannelType(
        name="email",
        label="Email",
        send=send,
        options=EmailOptions,
        check_channel=check_channel,
        platforms=("smtp",),
        needs_connection=True,
        description="Text + HTML email through an SMTP connection",
    )
)
