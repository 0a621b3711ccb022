"""Operations templates: incident response, server health check, backup and verify, the weekly
report by email and recurring maintenance."""

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


@scenario("incident_response")
async def incident_response(run: Run) -> None:
    run.remote.answer("POST /tickets/issues", (201, {"id": 4711, "key": "OPS-4711"}))
    run.remote.answer("GET /health", (503, {"status": "down"}))
    saved = from_template(
        run.member,
        "incident_response",
        {"ticket_api": http_api(run.member, run.remote, "Ticketing", "/tickets"),
         "slack": slack(run.member, run.counterparts),
         "service_url": run.remote.base_url + "/health", "escalation_wait_s": 1},
    )  # fmt: skip
    alert = {"title": "API is down", "message": "checkout-api answered 503 three times"}
    execution_id = await run.webhook(saved, alert)
    done = await run.finished(execution_id)

    assert statuses(done) == {
        "open_ticket": "succeeded", "announce": "succeeded", "grace_period": "succeeded",
        "recheck": "failed", "still_failing": "succeeded", "escalate_ticket": "succeeded",
        "page_team": "succeeded", "recovered": "skipped",
    }  # fmt: skip
    [ticket] = run.remote.to("POST", "/tickets/issues")
    assert ticket["headers"]["x-api-key"] == API_KEY
    assert ticket["json"]["title"] == "Incident: API is down"
    assert ticket["json"]["description"] == alert["message"]
    [escalation] = run.remote.to("PATCH", "/tickets/issues/4711")
    assert escalation["json"]["priority"] == "urgent"
    announced, paged = run.slack_texts()
    assert "API is down" in announced and "OPS-4711" in announced
    assert paged.startswith("[CRITICAL] 🔥 Still failing after 1 s: ticket OPS-4711")
    assert len(run.remote.to("GET", "/health")) == 1  # checked again only after the wait


@scenario("server_health_check")
async def server_health_check(run: Run) -> None:
    down = (503, {"status": "unavailable"})
    run.remote.answer("GET /healthz", down, (200, {"status": "ok"}))
    run.remote.answer("POST /host/restart", (202, {"restarting": True}))
    saved = from_template(
        run.member,
        "server_health_check",
        {"health_url": run.remote.base_url + "/healthz",
         "server_api": http_api(run.member, run.remote, "Hosting", "/host"),
         "slack": slack(run.member, run.counterparts), "restart_wait_s": 1},
    )  # fmt: skip
    assert saved.workflow["trigger"]["config"]["cron"] == "*/5 * * * *"
    done = await run.finished(await run.start(saved.workflow["id"]))

    assert statuses(done) == {
        "probe": "failed", "is_down": "succeeded", "restart": "succeeded",
        "settle": "succeeded", "verify": "succeeded", "alert": "succeeded",
    }  # fmt: skip
    [restart] = run.remote.to("POST", "/host/restart")
    assert restart["json"]["reason"] == "health check failed"
    assert restart["headers"]["x-api-key"] == API_KEY
    assert len(run.remote.to("GET", "/healthz")) == 2  # the failed probe, the check after
    [text] = run.slack_texts()
    assert text.startswith("[WARNING] ♻️ ") and "was restarted; it answers again (200)" in text
