"""The `email` trigger: one IMAP watcher per active email workflow (`aioimaplib`, asyncio).

Watchers start with the app and stop with it, and follow `workflow.changed` like the
file_watch ones (pause stops, resume starts, an edit takes the new config). A watcher logs in
with the workflow's imap connection, selects the mailbox and sweeps it: UID SEARCH for unseen
mail (`app.core.email_trigger.search_criteria`), fetches each new message, shapes its payload
(`app.core.email_messages`), and when it passes the filters starts one run deduplicated by its
Message-ID (the execution's dedupe key: the same Message-ID twice, also in two copies or after
a reconnect, runs once), then flags or moves it. Between sweeps it waits in IDLE when the
server offers it (and `use_idle` is on), else `poll_s` seconds. Any error closes the connection
and it tries again after a growing delay (2 s … 5 min); the last error is logged and kept in
`problem(workflow_id)`. Messages that fail the filters are left alone (only their header is
fetched when From or Subject already fails, once per connection); a big batch is handled 100
messages at a time, one sweep after the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from app.core.email_messages import (
    fetched_message,
    fetched_size,
    message_payload,
    uid_validity,
)
from app.core.email_trigger import (
    after_commands,
    dedupe_key,
    matches,
    quote_mailbox,
    reconnect_delay,
    search_criteria,
)
from app.engine.bus import EventBus, bus
from app.engine.runtime import start_run
from app.engine.triggers.watchers import Watched, WorkflowWatchers
from app.integrations import credentials
from app.integrations.ops import imap

log = logging.getLogger("flowdeck.triggers")
TRIGGER_TYPE = "email"
IDLE_REFRESH_S = 300.0  # RFC 2177: re-issue IDLE well within 29 minutes
MAX_MESSAGE_BYTES = 25_000_000  # bigger messages: headers only
MAX_PER_SWEEP = 100
MAX_REMEMBERED = 10_000


def _connection(ref: int | str) -> credentials.ResolvedConnection:
    conn = credentials.load_connection(ref)
    if conn.platform != "imap":
        raise imap.ImapProblem(f"connection {conn.name!r} is {conn.platform}, not an imap one")
    return conn


def _parse(data: bytes) -> dict[str, Any]:
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return message_payload(parsed)


class EmailWatchers(WorkflowWatchers):
    """Every email workflow's watcher, kept in step with the workflows."""

    trigger_type = TRIGGER_TYPE
    noun = "mailbox watcher"
    ready_timeout_s = 15.0  # until it has swept the mailbox once
    cancel_on_stop = True  # it may be waiting in IDLE or on the server

    def __init__(self, events: EventBus = bus) -> None:
        super().__init__(events)
        self._problems: dict[int, str] = {}

    def problem(self, workflow_id: int) -> str | None:
        """The last error of the workflow's watcher (None once it is connected again)."""
        return self._problems.get(workflow_id)

    def _starting(self, watched: Watched) -> None:
        self._problems.pop(watched.id, None)

    # -- one watcher ---------------------------------------------------------------------------

    async def _watch(self, watched: Watched, _stop: asyncio.Event) -> None:
        failures = 0
        while True:
            conn: credentials.ResolvedConnection | None = None
            try:
                conn = await asyncio.to_thread(_connection, watched.config["connection"])
                async with imap.session(conn) as (client, capabilities):
                    await self._serve(watched, client, capabilities)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # a problem still recorded: no sweep went through since the last failure
                failures = failures + 1 if watched.id in self._problems else 1
                why = imap.describe_error(exc, conn) if conn else str(exc)
                self._problems[watched.id] = why
                delay = reconnect_delay(failures)
                log.warning("workflow %s: mailbox watcher: %s (again in %.0f s)",
                            watched.id, why, delay)  # fmt: skip
                await asyncio.sleep(delay)

    async def _serve(self, watched: Watched, client: Any, capabilities: frozenset[str]) -> None:
        config = watched.config
        mailbox = str(config.get("mailbox") or "INBOX")
        selected = await client.select(quote_mailbox(mailbox))
        imap.expect_ok(selected, f"selecting mailbox {mailbox!r}")
        validity = uid_validity(selected.lines)
        use_idle = bool(config.get("use_idle", True)) and "IDLE" in capabilities
        poll_s = float(config.get("poll_s") or 60)
        log.info("workflow %s: watching mailbox %s (%s)", watched.id, mailbox,
                 "IDLE" if use_idle else f"every {poll_s:g} s")  # fmt: skip
        looked_at: set[str] = set()
        while True:
            more = await self._sweep(watched, client, capabilities, validity, looked_at)
            self._problems.pop(watched.id, None)  # a whole sweep went through
            ready = self._ready.get(watched.id)
            if ready is not None:
                ready.set()
            if more:
                continue  # the rest of a big batch first
            if use_idle:
                await self._idle(client)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(client.lost.wait(), poll_s)
            if client.lost.is_set():
                raise imap.ImapProblem("the server closed the connection")

    @staticmethod
    async def _idle(client: Any) -> None:
        idle = await imap.unless_lost(client, client.idle_start(timeout=IDLE_REFRESH_S),
                                      client.timeout)  # fmt: skip
        push = asyncio.ensure_future(client.wait_server_push(timeout=IDLE_REFRESH_S + 5))
        lost = asyncio.ensure_future(client.lost.wait())
        try:
            await asyncio.wait({push, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in (push, lost):
                waiting.cancel()
        if client.lost.is_set():
            idle.cancel()
            return
        client.idle_done()
        await asyncio.wait_for(idle, client.timeout)

    async def _sweep(self, watched: Watched, client: Any, capabilities: frozenset[str],
                     validity: str, looked_at: set[str]) -> bool:  # fmt: skip
        """Handle up to `MAX_PER_SWEEP` messages not looked at yet; True if more are waiting."""
        config = watched.config
        after = str(config.get("after") or "flag")
        found = imap.expect_ok(
            await client.uid_search(*search_criteria(after), charset=None), "SEARCH"
        )
        waiting = [u for line in found.lines[:-1] for u in bytes(line).decode().split()
                   if u.isdigit() and u not in looked_at]  # fmt: skip
        if len(looked_at) + len(waiting) > MAX_REMEMBERED:
            looked_at.clear()  # (those left unseen are looked at once more)
        for uid in waiting[:MAX_PER_SWEEP]:
            looked_at.add(uid)
            payload = await self._fetch(client, uid, config)
            if payload is None or not matches(
                payload,
                from_contains=config.get("from_contains"),
                subject_contains=config.get("subject_contains"),
                has_attachment=config.get("has_attachment"),
            ):
                continue
            payload = {**payload, "mailbox": str(config.get("mailbox") or "INBOX"), "uid": int(uid)}
            key = dedupe_key(payload.get("message_id"), validity, uid)
            await asyncio.to_thread(start_run, watched, trigger_type=TRIGGER_TYPE,
                                    payload=payload, dedupe_key=key)  # fmt: skip
            for command, *args in after_commands(after, config.get("move_to"), uid, capabilities):
                imap.expect_ok(await client.uid(command, *args), f"UID {command}")
        return len(waiting) > MAX_PER_SWEEP

    @staticmethod
    async def _fetch(client: Any, uid: str, config: dict[str, Any]) -> dict[str, Any] | None:
        """The message's payload; only its header when that already fails the From and
        Subject filters (or when the message is over `MAX_MESSAGE_BYTES`). None: it is gone."""
        head = imap.expect_ok(
            await client.uid("fetch", uid, "(RFC822.SIZE BODY.PEEK[HEADER])"), "FETCH"
        )
        size, data = fetched_size(head.lines), fetched_message(head.lines)
        if size is None or data is None:
            return None  # gone meanwhile
        payload = await asyncio.to_thread(_parse, data)
        header_filters = {
            "from_contains": config.get("from_contains"),
            "subject_contains": config.get("subject_contains"),
        }
        if size <= MAX_MESSAGE_BYTES and matches(payload, **header_filters, has_attachment=None):
            whole = imap.expect_ok(await client.uid("fetch", uid, "(BODY.PEEK[])"), "FETCH")
            data = fetched_message(whole.lines)
            if data is None:
                return None
            payload = await asyncio.to_thread(_parse, data)
        return {**payload, "size": size}
