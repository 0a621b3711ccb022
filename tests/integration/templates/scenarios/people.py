"""People templates: onboarding a new user and kicking off a project."""

from __future__ import annotations

from tests.integration.templates.helpers import (
    API_KEY,
    Run,
    from_template,
    http_api,
    scenario,
    slack,
    statuses,
)


@scenario("user_onboarding")
async def user_onboarding(run: Run) -> None:
    run.remote.answer("POST /app/users", (201, {"id": "u_812", "email": "ada@example.com"}))
    run.remote.answer("POST /mail/email", (200, {"MessageID": "m-1", "ErrorCode": 0}))
    saved = from_template(
        run.member,
        "user_onboarding",
        {"app_api": http_api(run.member, run.remote, "App admin", "/app"),
         "email_api": http_api(run.member, run.remote, "Postmark", "/mail"),
         "from_email": "people@acme.example", "company": "Acme",
         "groups": ["everyone", "vpn"], "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    person = {"name": "Ada Lovelace", "email": "ada@example.com", "team": "Engineering"}
    done = await run.finished(await run.webhook(saved, person))

    assert set(statuses(done).values()) == {"succeeded"}
    [account] = run.remote.to("POST", "/app/users")
    assert account["path"] == "/app/users" and account["headers"]["x-api-key"] == API_KEY
    assert account["json"] == person
    [groups] = run.remote.to("POST", "/app/users/u_812/groups")
    assert groups["json"] == {"groups": ["everyone", "vpn"], "team": "Engineering"}
    [email] = run.remote.to("POST", "/mail/email")
    assert email["json"]["from"] == "people@acme.example"
    assert email["json"]["to"] == "ada@example.com"
    assert email["json"]["subject"] == "Welcome to Acme, Ada Lovelace!"
    assert "You are on the Engineering team." in email["json"]["text"]
    [text] = run.slack_texts()
    assert text == "👋 Ada Lovelace joins Acme (Engineering): account created, welcome email sent."
