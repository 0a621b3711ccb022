"""The `email` trigger against a real Dovecot on a loopback port (STARTTLS with a self-signed
certificate the connection trusts): a matching message starts one run with the message as the
payload, a non-matching one none, the same Message-ID runs once; after-flag and after-move
are seen on the server; IDLE and polling both notice new mail; a server without IDLE and MOVE
is polled and mail moved by COPY + EXPUNGE; a bad connection is a clear error; a pause stops
the watcher."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from email.message import EmailMessage

import aioimaplib
import pytest

from app.core.errors import ValidationFailed
from app.engine.runner import Engine
from app.engine.triggers.email import EmailWatchers
from app.services import connections, executions, workflows
from app.services.actor import Actor
from tests.integration.mail_trigger.dovecot import ImapServer, running_dovecot

STEPS = [{"id": "seen", "type": "transform", "config": {"values": {"s": "{{ trigger.subject }}"}}}]


@pytest.fixture(scope="module")
def dovecot() -> Iterator[ImapServer]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
async def watchers(engine: Engine) -> AsyncIterator[EmailWatchers]:
    found = EmailWatchers()
    await found.start()
    yield found
    await found.stop()


def _connect(member: Actor, server: ImapServer, *, name: str = "mail", **config: object) -> int:
    body = {"name": name, "platform": "imap",
            "credentials": {"password": server.password},
            "config": {"host": "localhost", "port": server.port, "tls": "starttls",
                       "username": server.user, "caPem": server.ca_pem, "timeoutS": 5,
                       **config}}  # fmt: skip
    return connections.create_connection(member, body)["id"]


def _create(member: Actor, **config: object) -> int:
    data = {
        "name": "mail in",
        "trigger": {"type": "email", "config": {"connection": "mail", "poll_s": 5, **config}},
        "actions": STEPS,
    }
    return workflows.create_workflow(member, data).workflow["id"]


def _mail(subject: str, *, sender: str = "Ada <ada@example.com>", mid: str | None = None,
          attachment: bytes | None = None) -> bytes:  # fmt: skip
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Cc"] = sender, "ops@example.com", "b@example.com"
    mail["Subject"], mail["Date"] = subject, "Wed, 02 Dec 2026 10:00:00 +0000"
    mail["Message-ID"] = mid or f"<{subject.replace(' ', '.')}@example.com>"
    mail.set_content(f"Hello, {subject}\n")
    mail.add_alternative(f"<p>Hello, <b>{subject}</b></p>", subtype="html")
    if attachment is not None:
        mail.add_attachment(attachment, maintype="text", subtype="csv", filename="orders.csv")
    return mail.as_bytes()


class Mailbox:
    """A second IMAP client, as the mail server's other side: delivers and looks."""

    def __init__(self, server: ImapServer) -> None:
        self.server = server

    async def _client(self) -> aioimaplib.IMAP4:
        client = aioimaplib.IMAP4(host="127.0.0.1", port=self.server.port, timeout=5)
        await client.wait_hello_from_server()
        await client.login(self.server.user, self.server.password)
        return client

    async def deliver(self, data: bytes, mailbox: str = "INBOX") -> None:
        client = await self._client()
        assert (await client.append(data, mailbox=mailbox)).result == "OK"
        await client.logout()

    async def flags(self, mailbox: str = "INBOX") -> list[str]:
        """The flags of each message in `mailbox` (empty list: the mailbox is empty)."""
        client = await self._client()
        await client.select(f'"{mailbox}"')
        answer = await client.fetch("1:*", "(FLAGS)")
        await client.logout()
        return [bytes(ln).decode() for ln in answer.lines if b"FLAGS" in bytes(ln)]

    async def reset(self, *folders: str) -> None:
        client = await self._client()
        for folder in ("INBOX", *folders):
            if folder != "INBOX":
                await client.create(f'"{folder}"')
            await client.select(f'"{folder}"')
            await client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            await client.expunge()
        await client.logout()


@pytest.fixture
async def mailbox(dovecot: ImapServer) -> Mailbox:
    box = Mailbox(dovecot)
    await box.reset("Done")
    return box


async def _runs(member: Actor, workflow_id: int, count: int, engine: Engine) -> list[dict]:
    async with asyncio.timeout(15):
        while True:
            await engine.drain()
            page = executions.list_executions(
                member, executions.ExecutionFilter(workflow_id=workflow_id)
            )
            if len(page["items"]) >= count:
                runs = sorted(page["items"], key=lambda e: e["id"])
                return [executions.get_execution(member, r["id"]) for r in runs]
            await asyncio.sleep(0.1)


async def _until(check: Callable[[], Awaitable[bool]], within_s: float = 10) -> None:
    for _ in range(int(within_s / 0.2)):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"still not true after {within_s} s")


async def _true(value: bool) -> bool:
    return value


async def _last_flagged(mailbox: Mailbox) -> bool:
    return "\\Flagged" in (await mailbox.flags())[-1]


async def _empty(mailbox: Mailbox) -> bool:
    return not await mailbox.flags()


async def _count(member: Actor, workflow_id: int, engine: Engine) -> int:
    await engine.drain()
    page = executions.list_executions(member, executions.ExecutionFilter(workflow_id=workflow_id))
    return len(page["items"])


async def test_a_matching_message_starts_one_run_and_is_flagged(
    member: Actor, engine: Engine, dovecot: ImapServer, mailbox: Mailbox, watchers: EmailWatchers
) -> None:
    conn = _connect(member, dovecot)
    checked = await connections.verify_connection(member, conn)
    assert checked["status"] == "verified", checked
    assert "IDLE" in checked["verification"]["message"]
    wf = _create(member, from_contains="ADA@", subject_contains="invoice", has_attachment=True)
    await watchers.ready(wf)
    assert watchers.problem(wf) is None
    await mailbox.deliver(_mail("Invoice 7", attachment=b"id,qty\n1,3\n"))  # noticed in IDLE
    await mailbox.deliver(_mail("Invoice 8"))  # no attachment: no run
    await mailbox.deliver(_mail("Invoice 9", sender="eve@example.com", attachment=b"x"))
    [run] = await _runs(member, wf, 1, engine)
    assert run["trigger_type"] == "email" and run["status"] == "succeeded"
    payload = run["trigger_payload"]
    assert payload["message_id"] == "<Invoice.7@example.com>"
    assert (payload["from"], payload["from_address"]) == ("Ada <ada@example.com>",
                                                          "ada@example.com")  # fmt: skip
    assert (payload["to"], payload["cc"]) == (["ops@example.com"], ["b@example.com"])
    assert payload["subject"] == "Invoice 7" and payload["date"] == "2026-12-02T10:00:00+00:00"
    assert payload["text"] == "Hello, Invoice 7\n"
    assert payload["html"] == "<p>Hello, <b>Invoice 7</b></p>\n"
    assert payload["attachments"] == [
        {"name": "orders.csv", "size": 11, "content_type": "text/csv"}
    ]
    assert payload["headers"]["Subject"] == "Invoice 7" and payload["mailbox"] == "INBOX"
    assert run["steps"][0]["output"] == {"s": "Invoice 7"}
    await asyncio.sleep(1)
    assert await _count(member, wf, engine) == 1
    flags = await mailbox.flags()
    assert "\\Flagged" in flags[0] and "\\Seen" in flags[0]
    assert all("\\Flagged" not in f for f in flags[1:])  # the others are left alone

    # the same Message-ID again (a second copy): no second run, but it is marked handled
    await mailbox.deliver(_mail("Invoice 7", attachment=b"id,qty\n1,3\n"))
    await _until(lambda: _last_flagged(mailbox))
    assert await _count(member, wf, engine) == 1


async def test_polling_and_after_move_and_a_pause(
    member: Actor, engine: Engine, dovecot: ImapServer, mailbox: Mailbox, watchers: EmailWatchers
) -> None:
    _connect(member, dovecot)
    wf = _create(member, use_idle=False, after="move", move_to="Done")
    await watchers.ready(wf)
    await mailbox.deliver(_mail("Report 1"))
    [run] = await _runs(member, wf, 1, engine)  # the next poll (5 s) finds it
    assert run["trigger_payload"]["subject"] == "Report 1"
    await _until(lambda: _empty(mailbox))
    assert len(await mailbox.flags("Done")) == 1  # moved

    workflows.update_workflow(member, wf, {"is_active": False})
    await watchers.settle()
    assert wf not in watchers.watching()
    await mailbox.deliver(_mail("Report 2"))
    await asyncio.sleep(1)
    assert await _count(member, wf, engine) == 1 and len(await mailbox.flags()) == 1


async def test_a_bad_connection_is_a_clear_error(
    member: Actor, engine: Engine, dovecot: ImapServer, mailbox: Mailbox, watchers: EmailWatchers
) -> None:
    conn = _connect(member, dovecot, name="mail", ca_pem=None)  # the server's cert: untrusted
    checked = await connections.verify_connection(member, conn)
    assert checked["status"] == "failed"
    assert "not trusted" in checked["verification"]["message"]
    wf = _create(member)
    await _until(lambda: _true(watchers.problem(wf) is not None))
    assert "not trusted" in (watchers.problem(wf) or "")

    wrong = connections.create_connection(member, {
        "name": "wrong", "platform": "imap", "credentials": {"password": "nope-nope"},
        "config": {"host": "127.0.0.1", "port": dovecot.port, "tls": "none",
                   "username": dovecot.user}})["id"]  # fmt: skip
    checked = await connections.verify_connection(member, wrong)
    assert checked["status"] == "failed" and "login refused" in checked["verification"]["message"]

    with pytest.raises(ValidationFailed) as info:
        _create(member, connection="missing")
    assert "create an imap connection" in (info.value.for_path("trigger.config.connection") or "")


async def test_a_server_without_idle_and_move_is_polled_and_mail_moved_by_copy(
    member: Actor, engine: Engine, watchers: EmailWatchers
) -> None:
    with running_dovecot(idle=False, move=False) as older:
        box = Mailbox(older)
        await box.reset("Done")
        conn = _connect(member, older)
        checked = await connections.verify_connection(member, conn)
        assert "polling (no IDLE)" in checked["verification"]["message"]
        wf = _create(member, after="move", move_to="Done")  # use_idle on, but not offered
        await watchers.ready(wf)
        await box.deliver(_mail("Old server"))
        [run] = await _runs(member, wf, 1, engine)
        assert run["trigger_payload"]["subject"] == "Old server"
        await _until(lambda: _empty(box))  # copied, marked deleted and expunged
        [moved] = await box.flags("Done")
        assert "\\Deleted" not in moved


async def test_a_big_batch_is_handled_a_hundred_at_a_time(
    member: Actor, engine: Engine, dovecot: ImapServer, mailbox: Mailbox, watchers: EmailWatchers
) -> None:
    for n in range(104):  # more than one sweep takes; all fail the From filter
        await mailbox.deliver(_mail(f"Bulk {n}", sender="list@example.com"))
    await mailbox.deliver(_mail("Bulk last", sender="ada@example.com"))
    _connect(member, dovecot)
    wf = _create(member, from_contains="ada@")  # in IDLE: the second sweep must not wait
    [run] = await _runs(member, wf, 1, engine)
    assert run["trigger_payload"]["subject"] == "Bulk last"


async def test_a_lost_server_is_noticed_and_the_watcher_connects_again(
    member: Actor, engine: Engine, watchers: EmailWatchers
) -> None:
    with running_dovecot() as first:
        _connect(member, first)
        wf = _create(member)  # in IDLE
        await watchers.ready(wf)
        port, was = first.port, first
    await _until(lambda: _true(watchers.problem(wf) is not None))  # at once, not after IDLE
    # (in IDLE it is 'closed the connection'; in the middle of a command, 'did not answer')
    assert re.search("closed the connection|did not answer", watchers.problem(wf) or "")
    with running_dovecot(port=port, like=was) as second:  # back (with an empty mailbox)
        await Mailbox(second).deliver(_mail("After the restart"))
        [run] = await _runs(member, wf, 1, engine)
        assert run["trigger_payload"]["subject"] == "After the restart"
        await _until(lambda: _true(watchers.problem(wf) is None))  # once the sweep is done


async def test_a_move_the_server_refuses_is_an_error_and_runs_once(
    member: Actor, engine: Engine, dovecot: ImapServer, mailbox: Mailbox, watchers: EmailWatchers
) -> None:
    _connect(member, dovecot)
    wf = _create(member, after="move", move_to="Nowhere")  # no such folder on the server
    await watchers.ready(wf)
    await mailbox.deliver(_mail("Unmovable"))
    await _until(lambda: _true(watchers.problem(wf) is not None))
    assert "UID MOVE refused" in (watchers.problem(wf) or "")
    await asyncio.sleep(3)  # it connected again (2 s) and met the message again: no new run
    assert await _count(member, wf, engine) == 1
    assert len(await mailbox.flags()) == 1  # still there, for the next try
