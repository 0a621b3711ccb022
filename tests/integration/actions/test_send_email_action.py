"""`send_email` on the real engine, through SMTP connections to real SMTP servers (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from app.core.errors import ValidationFailed
from app.engine.runner import Engine
from app.services import connections, workflows
from app.services.actor import Actor
from tests.integration.actions.action_helpers import run, stored_text
from tests.integration.smtp_servers import MailServer, SmtpServers, self_signed_cert

USER, PASSWORD = "sender", "send-Email-Pa55-w0rd-7"


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[Callable[..., MailServer]]:
    servers = SmtpServers(self_signed_cert(tmp_path, "send_email"), USER, PASSWORD)
    yield lambda: servers.start(login=True, login_required=True)
    servers.stop_all()


def _smtp(member: Actor, mail: MailServer, name: str, password: str = PASSWORD) -> dict:
    body = {"name": name, "platform": "smtp",
            "credentials": {"username": USER, "password": password},
            "config": {"host": mail.host, "port": mail.port, "security": "none",
                       "fromAddress": f"{name}@example.com"}}  # fmt: skip
    return connections.create_connection(member, body)


def _email(**config: object) -> list[dict]:
    return [{"id": "mail", "type": "send_email", "config": config}]


def _received(mail: MailServer, index: int = -1):  # noqa: ANN202
    return message_from_bytes(mail.messages[index].content, policy=default)


async def test_written_email_to_lists_cc_and_bcc_through_the_named_connection(
    engine: Engine, member: Actor, mail_server: Callable[..., MailServer]
) -> None:
    first, second = mail_server(), mail_server()
    _smtp(member, first, "first")
    _smtp(member, second, "second")
    result = await run(
        member,
        engine,
        _email(
            connection="second",
            to=["{{ trigger.who }}", "b@example.com"],
            cc="c@example.com; d@example.com",
            bcc="{{ trigger.hidden }}",
            subject="Release {{ trigger.version }}",
            body="Version {{ trigger.version }} is out.",
            html="<p>Version <b>{{ trigger.version }}</b> is out.</p>",
        ),
        payload={"who": "a@example.com", "hidden": "e@example.com", "version": "2.4"},
    )
    assert result["status"] == "succeeded", result
    assert first.messages == []
    [envelope] = second.messages
    assert sorted(envelope.rcpt_tos) == [f"{x}@example.com" for x in "abcde"]
    message = _received(second)
    assert message["Subject"] == "Release 2.4" and message["Bcc"] is None
    assert (
        message["To"] == "a@example.com, b@example.com" and message["From"] == "second@example.com"
    )
    assert message.get_body(("plain",)).get_content().strip() == "Version 2.4 is out."
    assert "<b>2.4</b>" in message.get_body(("html",)).get_content()
    output = result["steps"][0]["output"]
    assert output["connection"] == "second" and output["bcc"] == ["e@example.com"]
    assert PASSWORD not in stored_text()


async def test_without_a_connection_the_oldest_smtp_one_and_the_welcome_template(
    engine: Engine, member: Actor, mail_server: Callable[..., MailServer]
) -> None:
    mail = mail_server()
    _smtp(member, mail, "oldest")
    result = await run(
        member,
        engine,
        _email(to="{{ trigger.customer_email }}", template="welcome_email"),
        payload={"customer_email": "new@example.com", "customer_name": "Grace"},
    )
    assert result["status"] == "succeeded", result
    message = _received(mail)
    assert message["Subject"] == "Welcome, Grace!"
    assert "Hello Grace," in message.get_body(("plain",)).get_content()
    assert "Hello Grace," in message.get_body(("html",)).get_content()
    assert result["steps"][0]["output"]["connection"] == "oldest"


async def test_failures_say_why(
    engine: Engine, member: Actor, mail_server: Callable[..., MailServer]
) -> None:
    no_connection = await run(member, engine, _email(to="a@example.com", template="welcome_email"))
    [step] = no_connection["steps"]
    assert (step["status"], step["error"]) == (
        "failed",
        "no SMTP connection: add one under Connections",
    )
    mail = mail_server()
    _smtp(member, mail, "wrong", password="not-the-Password-1")
    bad_render = await run(
        member,
        engine,
        _email(to="{{ trigger.to }}", subject="s", body="b"),
        payload={"to": "not an address"},
    )
    assert bad_render["steps"][0]["status"] == "failed"
    assert "not an email address: not an address" in bad_render["steps"][0]["error"]
    refused = await run(member, engine, _email(to="a@example.com", subject="s", body="b"))
    assert refused["steps"][0]["status"] == "failed"
    assert "login refused: 535" in refused["steps"][0]["error"]
    assert mail.messages == [] and "not-the-Password-1" not in stored_text()
    connections.create_connection(
        member, {"name": "hook", "platform": "slack", "webhookUrl": "https://example.com/hook/x1"}
    )
    not_smtp = await run(member, engine, _email(connection="hook", to="a@example.com",
                                                subject="s", body="b"))  # fmt: skip
    assert not_smtp["steps"][0]["error"] == "connection 'hook' is slack, not SMTP"


def test_the_workflow_is_checked_on_save_and_warned_about_without_smtp(
    member: Actor, mail_server: Callable[..., MailServer]
) -> None:
    def save(**config: object) -> workflows.Saved:
        body = {"name": "mail", "trigger": {"type": "manual"}, "actions": _email(**config)}
        return workflows.create_workflow(member, body)

    with pytest.raises(ValidationFailed) as caught:
        save(to="x", template="nope", bcc=[f"u{i}@example.com" for i in range(51)])
    problems = {p.path: p.message for p in caught.value.problems}
    assert problems["actions[0].config.to"] == "not an email address: x"
    assert "no built-in email template 'nope'" in problems["actions[0].config.template"]
    assert problems["actions[0].config.bcc"] == "at most 50 addresses"
    with pytest.raises(ValidationFailed) as caught:
        save(to="a@example.com", subject="only a subject")
    assert "give a subject and a body" in str(caught.value.problems)

    warned = save(to="{{ trigger.email }}", template="welcome_email")
    assert warned.warnings == [
        {"path": "actions[0].config.connection",
         "message": "no SMTP connection: add one under Connections"}
    ]  # fmt: skip
    smtp = _smtp(member, mail_server(), "mailer")
    assert save(to="a@example.com", template="welcome_email").warnings == []
    assert save(to="a@example.com", template="welcome_email", connection=smtp["id"]).warnings == []
    named = save(to="a@example.com", template="welcome_email", connection="missing")
    assert named.warnings[0]["message"] == "no SMTP connection 'missing': add it under Connections"
