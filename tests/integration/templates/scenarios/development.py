"""Development templates: the deployment pipeline, bug triage from GitHub and the API data
sync."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from app.services import connections
from tests.integration.templates.helpers import (
    API_KEY,
    Run,
    from_template,
    http_api,
    scenario,
    slack,
    statuses,
)

GITHUB_TOKEN = "ghp_TemplatesTriageToken0123456789abcdef"


@scenario("deployment_pipeline")
async def deployment_pipeline(run: Run) -> None:
    run.remote.answer("GET /site/health", (200, {"status": "ok"}))
    saved = from_template(
        run.member,
        "deployment_pipeline",
        {"ci": http_api(run.member, run.remote, "CI", "/ci"),
         "smoke_url": run.remote.base_url + "/site/health", "environment": "production",
         "slack": slack(run.member, run.counterparts), "callback_timeout_s": 60},
    )  # fmt: skip
    assert saved.workflow["name"] == "Deploy to production"
    execution_id = await run.start(saved.workflow["id"], {"ref": "v2.4.0"})
    await run.waiting(execution_id)
    [deploy] = run.remote.to("POST", "/ci/deploy")
    assert deploy["json"] == {"ref": "v2.4.0", "environment": "production",
                              "flowdeck_execution_id": execution_id}  # fmt: skip
    assert deploy["headers"]["x-api-key"] == API_KEY
    assert (
        run.remote.to("GET", "/site", under=True) == []
    )  # nothing is smoke-tested before the callback

    await run.call_back(execution_id, {"status": "success", "url": "https://ci.example/run/9"})
    done = await run.finished(execution_id)

    assert statuses(done) == {
        "start_deploy": "succeeded", "ci_callback": "succeeded", "ci_succeeded": "succeeded",
        "smoke_test": "succeeded", "announce": "succeeded", "report_failure": "skipped",
    }  # fmt: skip
    assert len(run.remote.to("GET", "/site/health")) == 1
    [text] = run.slack_texts()
    assert text.startswith("🚀 v2.4.0 is live on production: ")
    assert f"{run.remote.base_url}/site/health answered 200 in " in text

    # The CI reports a failure: nothing is smoke-tested, the failure is reported with its link.
    failed_id = await run.start(saved.workflow["id"], {"ref": "v2.4.1"})
    await run.call_back(failed_id, {"status": "failure", "url": "https://ci.example/run/10"})
    failed = await run.finished(failed_id)
    assert statuses(failed)["smoke_test"] == "skipped"
    assert len(run.remote.to("GET", "/site/health")) == 1
    assert run.slack_texts()[-1] == (
        "[ERROR] ❌ The CI reported failure for v2.4.1 on production. https://ci.example/run/10"
    )


@scenario("api_data_sync")
async def api_data_sync(run: Run) -> None:
    records = [
        {"id": f"c{n}", "name": f"Contact {n}", "email": f"c{n}@example.com"} for n in range(6)
    ]
    run.remote.answer("GET /crm/contacts", (200, {"data": records, "next": None}))
    run.remote.answer("PUT /shop/customers/c3", (502, {"error": "bad gateway"}), (200, {}))
    saved = from_template(
        run.member,
        "api_data_sync",
        {"source": http_api(run.member, run.remote, "CRM", "/crm"), "source_path": "/contacts",
         "target": http_api(run.member, run.remote, "Shop", "/shop"),
         "target_path": "/customers", "concurrency": 3,
         "slack": slack(run.member, run.counterparts)},
    )  # fmt: skip
    done = await run.finished(await run.start(saved.workflow["id"]), limit_s=40)

    assert set(statuses(done).values()) == {"succeeded"}
    written = {r["path"]: r["json"] for r in run.remote.to("PUT", "/shop/customers/", under=True)}
    assert written == {f"/shop/customers/{r['id']}": r for r in records}
    assert len(run.remote.to("PUT", "/shop/customers/c3")) == 2  # the 502 was retried
    assert run.slack_texts() == ["🔄 Synced 6 records from /contacts to /customers."]


def _issue_event(number: int, title: str, body: str) -> dict:
    return {
        "action": "opened",
        "issue": {"number": number, "title": title, "body": body, "user": {"login": "octocat"},
                  "html_url": f"https://github.com/octo-org/site/issues/{number}"},
        "repository": {"full_name": "octo-org/site"},
    }  # fmt: skip


@scenario("bug_triage")
async def bug_triage(run: Run) -> None:
    connections.create_connection(
        run.member,
        {"name": "GitHub", "platform": "github", "credentials": {"token": GITHUB_TOKEN},
         "config": {"apiBase": run.remote.base_url + "/gh", "repo": "octo-org/site"}},
    )  # fmt: skip
    saved = from_template(
        run.member, "bug_triage", {"github": "GitHub", "slack": slack(run.member, run.counterparts)}
    )
    secret = saved.webhook_secret
    assert secret, "a signed webhook gets a secret, shown once"

    async def deliver(event: str, payload: dict, delivery: str) -> int:
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature,
            "content-type": "application/json",
        }
        path = httpx.URL(saved.workflow["webhook_url"]).path
        response = await run.caller.post(path, content=body, headers=headers)
        assert response.status_code in (200, 202), response.text
        return response.json()["execution_id"]

    crash = _issue_event(41, "App crashes on save", "Every time I save, it closes.")
    typo = _issue_event(42, "Typo on the pricing page", None)  # GitHub sends null for no text
    slow = _issue_event(43, "Search is broken for accents", "Results fail to load.")
    runs = [
        await run.finished(await deliver("issues", crash, "d-41")),
        await run.finished(await deliver("issues", typo, "d-42")),
        await run.finished(await deliver("issues", slow, "d-43")),
        await run.finished(await deliver("ping", {"zen": "Keep it simple."}, "d-ping")),
    ]

    assert [statuses(r)["is_new_issue"] for r in runs] == ["succeeded"] * 4
    assert statuses(runs[3])["classify"] == "skipped"  # a ping labels nothing
    labels = {r["path"]: r["json"] for r in run.remote.to("POST", "/gh/repos/", under=True)}
    issues = "/gh/repos/octo-org/site/issues"
    assert labels == {f"{issues}/41/labels": {"labels": ["bug", "priority: critical"]},
                      f"{issues}/42/labels": {"labels": ["needs-triage"]},
                      f"{issues}/43/labels": {"labels": ["bug", "priority: high"]}}  # fmt: skip
    for request in run.remote.to("POST", "/gh/repos/", under=True):
        assert request["headers"]["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert run.slack_texts() == [
        "[CRITICAL] 🐞 Critical bug in octo-org/site: #41 App crashes on save (by octocat) "
        "https://github.com/octo-org/site/issues/41"
    ]
