"""`sms_send` and `ticket_create` on the real engine against Twilio, GitHub, Jira and Linear
stand-ins that check the documented shapes and auth; connections verified; refusals fail the
step with the service's reason; no secret stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.engine.runner import Engine
from app.services import connections
from app.services.actor import Actor
from tests.integration.actions.action_helpers import run, stored_text
from tests.integration.ops.standins_comms import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    GITHUB_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    LINEAR_KEY,
    REPO,
    GithubIssuesStandIn,
    JiraStandIn,
    LinearStandIn,
    TwilioStandIn,
)
from tests.integration.social.loopback import serving

SECRETS = (AUTH_TOKEN, GITHUB_TOKEN, JIRA_TOKEN, LINEAR_KEY)


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    with serving(TwilioStandIn()) as stand_in:
        yield stand_in


@pytest.fixture
def trackers() -> Iterator[tuple[GithubIssuesStandIn, JiraStandIn, LinearStandIn]]:
    with (
        serving(GithubIssuesStandIn()) as github,
        serving(JiraStandIn()) as jira,
        serving(LinearStandIn()) as linear,
    ):
        yield github, jira, linear


def _connect(member: Actor, body: dict) -> int:
    return connections.create_connection(member, body)["id"]


async def test_an_sms_goes_out_through_twilio(
    member: Actor, engine: Engine, twilio: TwilioStandIn
) -> None:
    conn = _connect(member, {"name": "twilio", "platform": "twilio",
                             "credentials": {"authToken": AUTH_TOKEN},
                             "config": {"accountSid": ACCOUNT_SID, "fromNumber": "+15005550006",
                                        "apiBase": twilio.base_url}})  # fmt: skip
    assert (await connections.verify_connection(member, conn))["status"] == "verified"
    steps = [{"id": "sms", "type": "sms_send", "config": {
        "connection": "twilio", "to": "{{ trigger.phone }}",
        "body": "{{ trigger.service }} is down"}}]  # fmt: skip
    execution = await run(member, engine, steps, payload={"phone": "+4915123456789",
                                                           "service": "billing"})  # fmt: skip
    assert execution["status"] == "succeeded", execution
    output = execution["steps"][0]["output"]
    assert output["status"] == "queued" and output["sid"].startswith("SM")
    assert twilio.messages == [{"To": "+4915123456789", "From": "+15005550006",
                                "Body": "billing is down"}]  # fmt: skip

    bad = await run(member, engine, steps, payload={"phone": "0151 not a number",
                                                     "service": "x"})  # fmt: skip
    assert bad["status"] == "failed"
    assert "config.to: must be a phone number in E.164 form" in bad["steps"][0]["error"]
    assert len(twilio.messages) == 1  # refused before sending
    assert all(s not in stored_text() for s in SECRETS)


async def test_tickets_in_github_jira_and_linear(
    member: Actor,
    engine: Engine,
    trackers: tuple[GithubIssuesStandIn, JiraStandIn, LinearStandIn],
) -> None:
    github, jira, linear = trackers
    _connect(member, {"name": "gh", "platform": "github", "credentials": {"token": GITHUB_TOKEN},
                      "config": {"apiBase": github.base_url, "repo": REPO}})  # fmt: skip
    jira_id = _connect(member, {"name": "jira", "platform": "jira", "connectionType": "basic",
                                "credentials": {"apiToken": JIRA_TOKEN},
                                "config": {"siteUrl": jira.base_url, "email": JIRA_EMAIL,
                                           "projectKey": "OPS"}})  # fmt: skip
    linear_id = _connect(member, {"name": "linear", "platform": "linear",
                                  "credentials": {"apiKey": LINEAR_KEY},
                                  "config": {"apiBase": linear.base_url,
                                             "teamId": "team-1"}})  # fmt: skip
    assert (await connections.verify_connection(member, jira_id))["status"] == "verified"
    assert (await connections.verify_connection(member, linear_id))["status"] == "verified"
    body = "Seen at {{ trigger.at }}.\nPaged the on-call.\n\nRunbook: restart."
    ticket = {"title": "{{ trigger.service }} is down", "labels": "incident, sev 1", "body": body}
    steps = [
        {"id": "gh", "type": "ticket_create", "config": {"connection": "gh", **ticket}},
        {"id": "jira", "type": "ticket_create", "config": {"connection": "jira", **ticket}},
        {"id": "linear", "type": "ticket_create", "config": {"connection": "linear", **ticket}},
    ]
    execution = await run(member, engine, steps, payload={"service": "api", "at": "12:40"})

    assert execution["status"] == "succeeded", execution
    out = {s["action_id"]: s["output"] for s in execution["steps"]}
    assert (out["gh"]["key"], out["gh"]["url"]) == ("#1", f"https://github.com/{REPO}/issues/1")
    assert out["jira"]["key"] == "OPS-1"
    assert out["jira"]["url"] == f"{jira.base_url}/browse/OPS-1"
    assert (out["linear"]["key"], out["linear"]["platform"]) == ("ENG-1", "linear")
    rendered = "Seen at 12:40.\nPaged the on-call.\n\nRunbook: restart."
    assert github.issues == [
        {"title": "api is down", "labels": ["incident", "sev 1"], "body": rendered}
    ]
    fields = jira.issues[0]
    assert fields["summary"] == "api is down" and fields["labels"] == ["incident", "sev-1"]
    assert fields["issuetype"] == {"name": "Task"} and fields["project"] == {"key": "OPS"}
    assert fields["description"]["content"] == [
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Seen at 12:40."}, {"type": "hardBreak"},
            {"type": "text", "text": "Paged the on-call."}]},
        {"type": "paragraph", "content": [{"type": "text", "text": "Runbook: restart."}]},
    ]  # fmt: skip
    assert linear.issues == [{"teamId": "team-1", "title": "api is down", "description": rendered}]
    assert all(s not in stored_text() for s in SECRETS)


async def test_a_refused_ticket_fails_with_the_reason(
    member: Actor,
    engine: Engine,
    trackers: tuple[GithubIssuesStandIn, JiraStandIn, LinearStandIn],
) -> None:
    github, jira, _ = trackers
    _connect(member, {"name": "gh", "platform": "github", "credentials": {"token": "ghp_wrong"},
                      "config": {"apiBase": github.base_url}})  # fmt: skip
    _connect(member, {"name": "jira", "platform": "jira", "connectionType": "basic",
                      "credentials": {"apiToken": JIRA_TOKEN},
                      "config": {"siteUrl": jira.base_url, "email": JIRA_EMAIL}})  # fmt: skip
    no_repo = await run(member, engine, [{"id": "t", "type": "ticket_create", "config": {
        "connection": "gh", "title": "x"}}])  # fmt: skip
    assert "project: name the repository" in no_repo["steps"][0]["error"]
    bad_token = await run(member, engine, [{"id": "t", "type": "ticket_create", "config": {
        "connection": "gh", "title": "x", "project": REPO}}])  # fmt: skip
    assert "GitHub answered 401: Bad credentials" in bad_token["steps"][0]["error"]
    wrong_kind = await run(member, engine, [{"id": "t", "type": "sms_send", "config": {
        "connection": "jira", "to": "+15005550006", "body": "x"}}])  # fmt: skip
    assert "is jira, not a Twilio connection" in wrong_kind["steps"][0]["error"]
    assert github.issues == [] and jira.issues == []
