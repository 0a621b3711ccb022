"""Operations templates: incident response, server health check, backup and verify, the weekly
report by email and recurring maintenance."""

from __future__ import annotations

import email

from app.services import alerts, connections
from tests.integration.smtp_servers import SmtpServers, self_signed_cert
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

    # Recovered by the time of the second look: no escalation, the all-clear instead.
    run.remote.answer("GET /health", (200, {"status": "ok"}))
    calm = await run.finished(await run.webhook(saved, {"title": "Latency spike"}))
    assert statuses(calm)["escalate_ticket"] == "skipped"
    assert statuses(calm)["recovered"] == "succeeded"
    assert len(run.remote.to("PATCH", "/tickets/issues/4711")) == 1
    assert run.slack_texts()[-1] == (
        f"✅ {run.remote.base_url}/health recovered within 1 s; ticket OPS-4711 can be closed."
    )


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


@scenario("backup_and_verify")
async def backup_and_verify(run: Run) -> None:
    run.remote.answer("POST /store/backups", (202, {"id": "bk-20261201", "status": "running"}))
    run.remote.answer(
        "GET /store/backups/bk-20261201", (200, {"status": "completed", "size_bytes": 52428800})
    )
    saved = from_template(
        run.member,
        "backup_and_verify",
        {"backup_api": http_api(run.member, run.remote, "Backups", "/store"),
         "verify_after_s": 1, "min_size_mb": 10, "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    done = await run.finished(await run.start(saved.workflow["id"]))

    assert statuses(done) == {
        "start_backup": "succeeded", "let_it_finish": "succeeded", "fetch_backup": "succeeded",
        "is_good": "succeeded", "record_good": "succeeded", "report_bad": "skipped",
    }  # fmt: skip
    [started] = run.remote.to("POST", "/store/backups")
    assert started["json"]["label"].startswith("flowdeck-20")
    assert len(run.remote.to("GET", "/store/backups/bk-20261201")) == 1
    assert run.slack_texts() == ["💾 Backup bk-20261201 verified: 50.0 MB."]


@scenario("weekly_report")
async def weekly_report(run: Run) -> None:
    run.remote.answer(
        "GET /stats/reports/weekly",
        (200, {"signups": 42, "active_users": 1310, "revenue_eur": 18250.5}),
    )
    servers = SmtpServers(self_signed_cert(run.tmp_path, "templates"), "mail", "unused")
    mail = servers.start()
    try:
        smtp = connections.create_connection(
            run.member,
            {"name": "Mail", "platform": "smtp", "credentials": {"username": "", "password": ""},
             "config": {"host": mail.host, "port": mail.port, "security": "none",
                        "fromAddress": "reports@acme.example"}},
        )  # fmt: skip
        alert = alerts.create_alert(
            run.member,
            {"alertType": "email", "channel": "board@acme.example, ops@acme.example",
             "connectionId": smtp["id"], "events": ["workflow_fail"], "severity": "info",
             "config": {"subject": "{{ title }}"}},
        )  # fmt: skip
        saved = from_template(
            run.member,
            "weekly_report",
            {"metrics_api": http_api(run.member, run.remote, "Stats", "/stats"),
             "report_alert": alert["id"]},
        )  # fmt: skip
        assert saved.workflow["trigger"]["config"]["cron"] == "0 8 * * 1"
        await run.finished(await run.start(saved.workflow["id"]))
    finally:
        servers.stop_all()

    [fetched] = run.remote.to("GET", "/stats/reports/weekly")
    assert fetched["query"] == {"period": "last_7_days"}
    [envelope] = mail.messages
    assert envelope.rcpt_tos == ["board@acme.example", "ops@acme.example"]
    message = email.message_from_bytes(envelope.original_content or b"")
    assert message["Subject"].startswith("Weekly report, week of 20")
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert "• Active users: 1310" in text and "• Revenue eur: 18250.5" in text
    assert "• Signups: 42" in text


@scenario("recurring_maintenance")
async def recurring_maintenance(run: Run) -> None:
    saved = from_template(
        run.member,
        "recurring_maintenance",
        {"ops_api": http_api(run.member, run.remote, "Ops", "/ops"),
         "tasks": ["clear-cache", "rotate-logs", "reindex-search"],
         "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    done = await run.finished(await run.start(saved.workflow["id"]))

    assert set(statuses(done).values()) == {"succeeded"}
    paths = [r["path"] for r in run.remote.to("POST", "/ops/maintenance/", under=True)]
    assert paths == [
        "/ops/maintenance/clear-cache",
        "/ops/maintenance/rotate-logs",
        "/ops/maintenance/reindex-search",
    ]  # one at a time, in the order given
    assert run.slack_texts() == [
        "🔧 Maintenance starting: clear-cache, rotate-logs, reindex-search.",
        "✅ Maintenance done: 3 tasks (clear-cache, rotate-logs, reindex-search) completed.",
    ]
