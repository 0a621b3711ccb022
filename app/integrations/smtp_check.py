"""Checking an SMTP connection: connect, STARTTLS or SSL as configured, log in, quit.

Blocking `smtplib` run in a worker thread. The host goes through the outbound address guard
and the socket is pinned to the checked address, while TLS still verifies the certificate
against the configured host name.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from typing import Any

from app.integrations.credentials import ResolvedConnection
from app.integrations.guard import resolve_checked_sync


class _Pinned:
    """Connect to a checked address; the host name stays the TLS server name (`self._host`).

    The address is given to the constructor because smtplib connects inside `__init__`.
    """

    def __init__(self, pinned_address: str, *args: Any, **kwargs: Any) -> None:
        self.pinned_address = pinned_address
        super().__init__(*args, **kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return super()._get_socket(self.pinned_address, port, timeout)  # type: ignore[misc]


class PinnedSMTP(_Pinned, smtplib.SMTP):
    """Plain SMTP (STARTTLS optional) on a checked address."""


class PinnedSMTPSSL(_Pinned, smtplib.SMTP_SSL):
    """SMTP over implicit TLS (port 465) on a checked address."""


def tls_context(config: dict[str, Any]) -> ssl.SSLContext:
    """The system's trusted CAs, plus `config.ca_pem` when the server uses a private CA."""
    context = ssl.create_default_context()
    if config.get("ca_pem"):
        try:
            context.load_verify_locations(cadata=config["ca_pem"])
        except (ssl.SSLError, ValueError):
            raise ValueError("config.ca_pem is not a valid PEM certificate") from None
    return context


def _session(conn: ResolvedConnection, address: str, context: ssl.SSLContext) -> str:
    """One full check against `address`; returns what went well, raises what went wrong."""
    cfg, creds = conn.config, conn.credentials
    host, port, security = cfg["host"], int(cfg["port"]), cfg.get("security", "starttls")
    timeout = float(cfg.get("timeout_s", 10.0))
    smtp: smtplib.SMTP = (
        PinnedSMTPSSL(address, host, port, timeout=timeout, context=context)
        if security == "ssl"
        else PinnedSMTP(address, host, port, timeout=timeout)
    )
    try:
        smtp.ehlo()
        if security == "starttls":
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
        done = {"ssl": "SSL", "starttls": "STARTTLS", "none": "no TLS"}[security]
        if creds.get("username"):
            smtp.login(creds["username"], creds.get("password", ""))
            done += ", logged in"
            if security == "none":
                done += " (over an unencrypted connection)"
        smtp.noop()
        smtp.quit()
        return f"{host}:{port} answered ({done})"
    finally:
        smtp.close()


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text}".strip()


def check_smtp(conn: ResolvedConnection) -> tuple[bool, str]:
    """(verified, message) for an SMTP connection. Blocking: call it in a thread."""
    host, port = conn.config["host"], int(conn.config["port"])
    try:
        context = tls_context(conn.config)
        addresses = resolve_checked_sync(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return True, _session(conn, address, context)
            except (ConnectionRefusedError, TimeoutError) as exc:
                last = exc  # try the next address of the host
        raise last or OSError(f"no address for {host}")
    except smtplib.SMTPAuthenticationError as exc:
        return False, f"login refused: {_reply(exc)}"
    except smtplib.SMTPNotSupportedError as exc:
        return False, str(exc) or "the server does not support this"
    except smtplib.SMTPResponseException as exc:
        return False, f"SMTP error: {_reply(exc)}"
    except ssl.SSLCertVerificationError as exc:
        return False, f"TLS certificate of {host} not trusted: {exc.verify_message}"
    except ssl.SSLError as exc:
        return False, f"TLS failed with {host}:{port}: {exc.reason or exc}"
    except smtplib.SMTPException as exc:
        return False, f"SMTP error: {exc}"
    except TimeoutError:
        return False, f"{host}:{port} did not answer in time"
    except OSError as exc:
        return False, f"cannot connect to {host}:{port}: {exc.strerror or exc}"
    except ValueError as exc:  # a bad ca_pem
        return False, str(exc)
