"""The `email` trigger's config and its decisions about a mailbox. Pure.

The watcher (`app.engine.triggers.email`) talks IMAP; this module says what to search for,
which of the found messages start a run, how a run is deduplicated (by Message-ID, per
workflow: the execution's dedupe key), which commands mark a handled message, and how long to
wait before reconnecting after an error.

Only unseen, undeleted messages are looked at (a mailbox full of old mail starts nothing);
`after: flag` sets \\Seen and \\Flagged, `after: move` moves the message to `move_to` (MOVE, or
COPY + \\Deleted + EXPUNGE on a server without MOVE).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from app.core.config_models import SpecModel, register_trigger_config

#: IMAP mailbox names Flowdeck accepts (ASCII, no quotes or backslashes: sent quoted as is).
MAILBOX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._/&+-]{0,199}$"
MAX_RECONNECT_S = 300.0


def _connection_ref(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be an imap connection's id or name")
    if isinstance(value, str) and not value.strip():
        raise ValueError("must be an imap connection's id or name")
    if isinstance(value, str) and len(value) > 200:
        raise ValueError("at most 200 characters")
    if isinstance(value, int) and not 1 <= value <= 2**31 - 1:
        raise ValueError("must be an imap connection's id or name")
    return value


class EmailTriggerConfig(SpecModel):
    """Runs for each new message in an IMAP mailbox (IDLE where the server offers it, else
    polling) that passes the filters; the payload is the message (headers, text, HTML,
    attachments' names and sizes). Each Message-ID starts one run; the message is then
    flagged or moved."""

    connection: int | str = Field(
        description="the imap connection (Admin → Connections): name or id"
    )
    mailbox: str = Field("INBOX", pattern=MAILBOX_PATTERN, description="the folder to watch")
    from_contains: str | None = Field(
        None, max_length=200, description="only mail whose From contains this (any case)"
    )
    subject_contains: str | None = Field(
        None, max_length=200, description="only mail whose Subject contains this (any case)"
    )
    has_attachment: bool | None = Field(
        None, description="true: only mail with attachments; false: only without; empty: any"
    )
    after: Literal["flag", "move"] = Field(
        "flag", description="flag: mark it \\Seen and \\Flagged; move: move it to move_to"
    )
    move_to: str | None = Field(
        None,
        pattern=MAILBOX_PATTERN,
        validate_default=True,
        description="the folder handled mail goes to (move only)",
    )
    use_idle: bool = Field(
        True, description="wait with IDLE when the server offers it (false: always poll)"
    )
    poll_s: int = Field(
        60, ge=5, le=3600, description="seconds between checks when polling (no IDLE)"
    )

    @field_validator("connection", mode="before")
    @classmethod
    def _ref(cls, value: Any) -> Any:
        return _connection_ref(value)

    @field_validator("from_contains", "subject_contains")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL")
        return value or None

    @field_validator("move_to")
    @classmethod
    def _move_needs_a_folder(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("after") != "move":
            return value
        if not value:
            raise ValueError("give the folder to move handled mail to (after: move)")
        if value == info.data.get("mailbox"):
            raise ValueError("must be another folder than the watched mailbox")
        return value


register_trigger_config("email", EmailTriggerConfig)


def search_criteria(after: str) -> tuple[str, ...]:
    """The UID SEARCH keys of the messages still to handle."""
    keys = ("UNSEEN", "UNDELETED")
    return (*keys, "UNFLAGGED") if after == "flag" else keys


def quote_mailbox(name: str) -> str:
    """A mailbox name as an IMAP quoted string (names are pattern-checked: nothing to escape)."""
    return f'"{name}"'


def after_commands(
    after: str, move_to: str | None, uid: str, capabilities: set[str] | frozenset[str]
) -> list[tuple[str, ...]]:
    """The UID commands that mark message `uid` handled: `(command, *arguments)`."""
    if after == "flag":
        return [("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Flagged)")]
    target = quote_mailbox(move_to or "")
    if "MOVE" in capabilities:
        return [("MOVE", uid, target)]
    done = [("COPY", uid, target), ("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")]
    # without UIDPLUS a plain EXPUNGE would also drop other messages someone marked \Deleted
    return [*done, ("EXPUNGE", uid)] if "UIDPLUS" in capabilities else done


def dedupe_key(message_id: str | None, uid_validity: str, uid: str) -> str:
    """The execution's dedupe key: the Message-ID (hashed: it may be long), or the message's
    UID within the mailbox's UIDVALIDITY when it has none."""
    ident = (message_id or "").strip()
    source = f"mid:{ident}" if ident else f"uid:{uid_validity}:{uid}"
    return "email:" + hashlib.sha256(source.encode()).hexdigest()[:40]


def reconnect_delay(failures: int) -> float:
    """Seconds before the next connection attempt after `failures` failures in a row."""
    return min(MAX_RECONNECT_S, 2.0 ** min(max(failures, 1), 9))


def matches(
    payload: dict[str, Any],
    *,
    from_contains: str | None,
    subject_contains: str | None,
    has_attachment: bool | None,
) -> bool:
    """Whether a message (its trigger payload) passes the trigger's filters."""
    if from_contains and from_contains.casefold() not in str(payload.get("from")).casefold():
        return False
    subject = str(payload.get("subject") or "")
    if subject_contains and subject_contains.casefold() not in subject.casefold():
        return False
    return has_attachment is None or bool(payload.get("attachments")) == has_attachment
