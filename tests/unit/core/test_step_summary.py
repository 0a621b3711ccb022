"""One line per step type: what the workflow page says a step does, and its masked config."""

from __future__ import annotations

import json

import pytest

import app.engine.actions  # noqa: F401  (registers every step type's config model)
from app.core.config_models import action_config_models
from app.core.redact import REDACTED
from app.core.step_summary import DESCRIBERS, MAX_LINE, masked_url, shown_config, summarise

CASES = [
    # api_call: method, URL, connection, query, body, expected status, timeout
    ("api_call", {"url": "https://api.example.com/x"}, "GET https://api.example.com/x"),
    (
        "api_call",
        {
            "method": "post",
            "url": "https://api.example.com/orders",
            "json": {"a": 1},
            "expected_status": [200, 201],
            "timeout_s": 90,
        },
        "POST https://api.example.com/orders · JSON body · expects 200, 201 · timeout 1 min 30 s",
    ),
    (
        "api_call",
        {"method": "PUT", "url": "/v1/items", "connection": "crm", "body": "x", "query": {"q": 1}},
        "PUT /v1/items on connection “crm” · query q · text body",
    ),
    (
        "api_call",
        {"url": "https://u:hunter2@h.example/p?token=abc&page=2", "connection": 4},
        f"GET https://u:{REDACTED}@h.example/p?token={REDACTED}&page=2 on connection 4",
    ),
    ("api_call", {}, "GET (no URL)"),
    ("transform", {"values": {"city": "{{ x }}", "total": 1}}, "Sets city, total"),
    (
        "transform",
        {"values": {k: 1 for k in "abcdef"}},
        "Sets a, b, c, d +2 more",
    ),
    ("transform", {}, "Sets no values"),
    ("delay", {"seconds": 5}, "Waits 5 s"),
    ("delay", {"seconds": 3725}, "Waits 1 h 2 min 5 s"),
    ("delay", {"seconds": "{{ trigger.wait }}"}, "Waits {{ trigger.wait }}"),
    ("wait", {"seconds": 86_400}, "Waits 1 d"),
    ("wait", {"until": "2026-01-01T09:00:00Z"}, "Waits until 2026-01-01T09:00:00Z"),
    ("wait", {"webhook": True, "timeout_s": 3600}, "Waits for a call to its webhook, at most 1 h"),
    ("wait", {"webhook": True}, "Waits for a call to its webhook"),
    (
        "for_each",
        {
            "items": "{{ steps.fetch.output.body.rows }}",
            "step": {"type": "api_call", "config": {"method": "POST", "url": "https://h/x"}},
            "concurrency": 4,
        },
        "For each of {{ steps.fetch.output.body.rows }} (4 at a time): api_call · POST https://h/x",
    ),
    (
        "for_each",
        {"items": [1, 2, 3], "step": {"type": "mystery"}},
        "For each of 3 items: mystery · mystery step",
    ),
    ("if", {"condition": "trigger.amount > 100"}, "If trigger.amount > 100 → true, else false"),
    (
        "switch",
        {"value": "{{ trigger.kind }}", "cases": {"a": "A", "b": "B"}},
        "Switch on {{ trigger.kind }}: a, b, else default",
    ),
    ("merge", {}, "Merges the outputs it depends on into one object"),
    ("merge", {"mode": "append"}, "Merges the outputs it depends on into one list"),
    (
        "approval",
        {"message": "Ship it?", "approvers": ["admin", "bo@x.io"], "timeout_s": 7200},
        "Asks admin, bo@x.io to approve “Ship it?” · rejects after 2 h",
    ),
    (
        "approval",
        {"message": "Ok?", "approvers": [], "timeout_s": 60, "on_timeout": "approve"},
        "Asks nobody to approve “Ok?” · approves after 1 min",
    ),
    ("notify", {"alert": 3, "message": "Done"}, "Sends info “Done” via alert 3"),
    (
        "notify",
        {"connection": "ops slack", "message": "Down!", "severity": "critical"},
        "Sends critical “Down!” via connection “ops slack”",
    ),
    ("notify", {"message": "x"}, "Sends info “x” via (no alert or connection)"),
    ("publish", {}, "Publishes the trigger's article"),
    (
        "publish",
        {"article": 5, "connection": 2, "path": "/posts", "timeout_s": 10},
        "Publishes article 5 to connection 2 at /posts · timeout 10 s",
    ),
    (
        "share",
        {"platforms": ["mastodon"], "connections": [4], "message": "New!", "fail_on_any": True},
        "Shares the trigger's article to mastodon, 4: “New!” · fails if any post fails",
    ),
    ("share", {}, "Shares the trigger's article to no target"),
    (
        "optimize",
        {"keywords": ["cron", "python"], "apply": True},
        "Checks the trigger's article for SEO (keywords cron, python) and applies the fixes",
    ),
    ("optimize", {"article": 2}, "Checks article 2 for SEO, suggests fixes"),
    (
        "monitor",
        {"metrics": ["traffic"], "article": 1, "window_days": 30, "urls": ["https://a", "b"]},
        "Measures traffic of article 1 over 30 days · checks 2 URL(s)",
    ),
    (
        "monitor",
        {"thresholds": {"traffic": {"min": 1}}},
        "Measures ranking, traffic, engagement of the trigger's article over 7 days"
        " · thresholds on traffic",
    ),
    (
        "git_commit",
        {"branch": "site", "connection": "repo"},
        "Commits the trigger's article to branch site of connection “repo”",
    ),
    (
        "send_email",
        {"to": ["a@x.io", "b@x.io"], "subject": "Weekly report"},
        "Emails a@x.io, b@x.io: “Weekly report”",
    ),
    (
        "send_email",
        {"to": "{{ trigger.email }}", "template": "welcome"},
        "Emails {{ trigger.email }} with template welcome",
    ),
    ("orchestration", {"orchestration_id": 4}, "Runs orchestration 4"),
    (
        "orchestration",
        {"orchestration_id": 4, "inputs": {"city": "Oslo"}},
        "Runs orchestration 4 with city",
    ),
    ("sub_workflow", {"workflow_id": 7}, "Runs workflow 7 and waits for its outputs"),
    (
        "sub_workflow",
        {"workflow_id": 7, "wait": False},
        "Starts workflow 7 and goes on without waiting",
    ),
    (
        "script",
        {"code": "import json\n\nprint(json.dumps({}))\n", "memory_mb": 512},
        "Runs a Python script (2 lines; 30 s, 512 MB)",
    ),
    (
        "script",
        {"code": "print(1)", "timeout_s": 120},
        "Runs a Python script (1 line; 2 min, 256 MB)",
    ),
    (
        "database",
        {
            "connection": "warehouse",
            "query": "SELECT id FROM orders WHERE day = :day",
            "params": {"day": 1},
        },
        "Reads database “warehouse”: SELECT id FROM orders WHERE day = :day · params day",
    ),
    (
        "database",
        {"connection": 2, "query": "UPDATE t SET x = 1", "write": True},
        "Reads or writes database 2: UPDATE t SET x = 1",
    ),
    (
        "sms_send",
        {"connection": "twilio", "to": "+4915123456789", "body": "Disk full on db-1"},
        "Texts +4915123456789 via connection “twilio”: “Disk full on db-1”",
    ),
    (
        "ticket_create",
        {"connection": 3, "title": "Fix login", "project": "acme/web", "labels": ["bug"]},
        "Opens a ticket in acme/web on connection 3: “Fix login” · labels bug",
    ),
    (
        "deploy",
        {"connection": "gh", "ref": "v1.2.0", "environment": "production", "workflow": "d.yml"},
        "Deploys v1.2.0 via connection “gh” (workflow d.yml) to production",
    ),
    (
        "rollback",
        {"connection": 2, "previous_ref": "v1.1.9", "inputs": {"reason": "x"}},
        "Rolls back to v1.1.9 via connection 2 · inputs reason",
    ),
    ("ci_run", {"connection": 2, "ref": "main"}, "Runs CI on main via connection 2"),
    ("db_backup", {"connection": "warehouse"}, "Backs up database “warehouse”, keeps the last 7"),
    (
        "incident_create",
        {"title": "API down", "severity": "critical", "assignee": "ana", "mirror": ["pd"]},
        "Opens a critical incident “API down” for ana · mirrored to pd",
    ),
    ("incident_create", {"title": "Slow"}, "Opens a high incident “Slow”"),
    (
        "incident_update",
        {"incident": 4, "status": "acknowledged", "severity": "low"},
        "Updates incident 4: severity, status",
    ),
    ("incident_update", {"note": "looking"}, "Adds a note to the trigger's incident"),
    ("incident_assign", {"assignee": "bo@x.io"}, "Assigns the trigger's incident to bo@x.io"),
    ("incident_assign", {"incident": "db-down", "assignee": ""}, "Unassigns incident db-down"),
    ("incident_escalate", {}, "Escalates the trigger's incident one level"),
    ("incident_escalate", {"severity": "critical"}, "Escalates the trigger's incident to critical"),
    (
        "incident_resolve",
        {"incident": 7, "note": "restarted the pod"},
        "Resolves incident 7: “restarted the pod”",
    ),
    (
        "ssh_command",
        {"connection": "web-1", "command": "df -h /", "check": False},
        "Runs “df -h /” over SSH on connection “web-1” · a non-zero exit does not fail it",
    ),
    (
        "service_restart",
        {"connection": 5, "service": "nginx", "sudo": True},
        "Restarts service nginx on connection 5 (sudo systemctl)",
    ),
    (
        "service_restart",
        {"connection": "api", "service": "worker", "path": "/admin/restart"},
        "Restarts service worker on connection “api” (HTTP /admin/restart)",
    ),
    ("not_a_type", {"a": 1}, "not_a_type step"),
]


@pytest.mark.parametrize(("step_type", "config", "line"), CASES)
def test_summary_line(step_type: str, config: dict, line: str) -> None:
    assert summarise(step_type, config) == line


def test_every_registered_step_type_has_a_describer_and_a_case() -> None:
    registered = set(action_config_models)
    assert registered - set(DESCRIBERS) == set(), "a step type without its summary line"
    assert registered - {case[0] for case in CASES} == set(), "a step type without a test case"


@pytest.mark.parametrize("step_type", sorted(DESCRIBERS))
@pytest.mark.parametrize("config", [None, [], "x", {"url": 5, "values": 3, "cases": [1]}])
def test_broken_configs_still_give_a_line(step_type: str, config: object) -> None:
    line = summarise(step_type, config)
    assert line and len(line) <= MAX_LINE


def test_long_values_are_clipped_to_one_line() -> None:
    line = summarise("notify", {"alert": 1, "message": "word\n" * 500})
    assert len(line) <= MAX_LINE and "\n" not in line and "…" in line


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://h.example/x", "https://h.example/x"),
        ("https://user@h.example/x", "https://user@h.example/x"),
        ("https://user:pw@h.example/x", f"https://user:{REDACTED}@h.example/x"),
        ("https://h/x?api_key=1&q=a", f"https://h/x?api_key={REDACTED}&q=a"),
        ("https://h/x?flag&q=a", "https://h/x?flag&q=a"),
        ("{{ env.BASE }}/x?token=1", "{{ env.BASE }}/x?token=1"),
        ("/relative/path", "/relative/path"),
    ],
)
def test_masked_url(url: str, shown: str) -> None:
    assert masked_url(url) == shown


def test_shown_config_masks_secret_keys_and_url_credentials() -> None:
    config = {
        "url": "https://bot:s3cr3t@api.example.com/x?token=t0k3n",
        "headers": {"Authorization": "Bearer abc123", "Accept": "application/json"},
        "json": {"note": "see https://a:b@c.example/"},
    }
    text = shown_config(config)
    for secret in ("s3cr3t", "t0k3n", "abc123", ":b@"):
        assert secret not in text
    data = json.loads(text)
    assert data["headers"] == {"Authorization": REDACTED, "Accept": "application/json"}


def test_shown_config_is_bounded() -> None:
    text = shown_config({"values": {"big": "x" * 100_000}})
    assert len(text) < 20_100 and text.endswith("more characters]")
