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
    steps,
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


@scenario("project_kickoff")
async def project_kickoff(run: Run) -> None:
    team = ["alice@company.com", "bob@company.com", "carol@company.com"]
    saved = from_template(
        run.member,
        "project_kickoff",
        {"project_name": "Project Alpha", "project_manager": run.member.email,
         "team_members": team},
    )  # fmt: skip
    assert saved.workflow["name"] == "Project Alpha kickoff"
    execution_id = await run.start(saved.workflow["id"])
    await run.waiting(execution_id)
    page = (await run.api.get("/api/workflow-orchestration/approvals")).json()
    [approval] = [a for a in page["items"] if a["execution_id"] == execution_id]
    assert approval["message"].startswith(
        "Kick off Project Alpha with alice@company.com, bob@company.com, carol@company.com?\n"
        "☐ Write the project brief → alice@company.com\n"
        "☐ Set up the repository and tracker → bob@company.com\n"
    )
    await run.approve(execution_id, comment="Go")
    done = await run.finished(execution_id)

    assert statuses(done)["on_hold"] == "skipped"
    hand_out = steps(done)["hand_out"]["output"]
    assert hand_out == [
        {"member": "alice@company.com", "project": "Project Alpha",
         "tasks": ["Write the project brief", "Agree on milestones"]},
        {"member": "bob@company.com", "project": "Project Alpha",
         "tasks": ["Set up the repository and tracker", "Share the communication plan"]},
        {"member": "carol@company.com", "project": "Project Alpha",
         "tasks": ["Book the kickoff meeting"]},
    ]  # fmt: skip
    started = steps(done)["kicked_off"]["output"]
    assert started["status"] == "kicked_off" and started["members"] == 3
    assert started["approved_by"].startswith(run.member.email)
