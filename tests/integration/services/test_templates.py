"""Template service on a real database: listing, using, saving (versions), import, export,
and the workflow export's connections by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.config_models import action_config_models
from app.core.connection_refs import CONNECTION_FIELDS
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.db.engine import get_engine
from app.engine.runner import Engine
from app.services import connections, executions, templates, workflow_transfer, workflows
from app.services.actor import Actor
from app.services.template_catalog import load_catalog

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
VIEWER = Actor(kind="user", user_id=None, email="v@example.com", role=Role.VIEWER)


@pytest.fixture(autouse=True)
def fixture_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWDECK_TEMPLATES_DIR", str(FIXTURES))


def count(table: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()


def http_connection(member: Actor, base_url: str, name: str = "status-api") -> int:
    body = {"name": name, "platform": "http", "connectionType": "api_key",
            "credentials": {"apiKey": "k-123456789"}, "config": {"baseUrl": base_url}}  # fmt: skip
    return connections.create_connection(member, body)["id"]


def paths(exc: ValidationFailed) -> dict[str, str]:
    return {p.path: p.message for p in exc.problems}


def test_fixture_catalog_loads_without_problems() -> None:
    catalog = load_catalog()
    assert {"fixture_status_check", "fixture_lead_intake"} <= set(catalog.templates)
    assert catalog.problems == {}


def test_connection_fields_match_the_step_configs() -> None:
    """Every config field taking a connection reference is walked (a new one would be missed)."""
    found: dict[str, tuple[str, ...]] = {}
    for kind, model in action_config_models.items():
        for name, info in model.model_fields.items():
            text = f"{info.annotation} {info.metadata}"
            if "_connection_ref" in text or name == "connection":
                found[kind] = (*found.get(kind, ()), name)
    assert found == CONNECTION_FIELDS


def test_list_filters_and_roles(member: Actor) -> None:
    everything = templates.list_templates(member)
    ids = [t["id"] for t in everything]
    assert "fixture_status_check" in ids and "fixture_lead_intake" in ids
    sales = templates.list_templates(member, category="sales")
    assert [t["id"] for t in sales if t["id"].startswith("fixture")] == ["fixture_lead_intake"]
    assert all(t["category"] == "sales" for t in sales)
    found = templates.list_templates(member, search="status CHECK")
    assert [t["id"] for t in found] == ["fixture_status_check"]
    assert found[0]["step_types"] == ["api_call", "transform"] and found[0]["builtin"]
    assert templates.list_templates(member, origin="saved") == []
    with pytest.raises(ValidationFailed) as caught:
        templates.list_templates(member, category="fun")
    assert "category" in paths(caught.value)
    with pytest.raises(PermissionDenied):
        templates.list_templates(VIEWER)


def test_get_and_unknown(member: Actor) -> None:
    got = templates.get_template(member, "fixture_lead_intake")
    assert got["workflow"]["trigger"]["type"] == "webhook" and got["uses"] == 0
    with pytest.raises(NotFound):
        templates.get_template(member, "no_such_template")
    with pytest.raises(NotFound):
        templates.get_template(member, 99)


async def test_from_template_creates_a_workflow_that_runs(
    member: Actor, engine: Engine, http_server
) -> None:
    base_url, script = http_server
    conn_id = http_connection(member, base_url)
    values = {"api": conn_id, "site_url": "https://shop.example", "owners": "a@x.io; b@x.io"}
    saved = templates.create_from_template(member, "fixture_status_check", values)
    workflow = saved.workflow
    assert workflow["name"] == "Status of https://shop.example" and workflow["is_active"]
    assert workflow["actions"][0]["config"]["connection"] == "status-api"  # a name, not the id
    started = await executions.execute_workflow(member, workflow["id"])
    await engine.drain()
    execution = executions.get_execution(member, started["id"])
    assert execution["status"] == "succeeded", execution
    sent = json.loads(script.requests[0]["body"])
    assert sent == {"site": "https://shop.example", "limit": 3, "owners": ["a@x.io", "b@x.io"]}
    assert templates.get_template(member, "fixture_status_check")["uses"] == 1
    with get_engine().connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM audit_event")).scalars().all()
    assert "workflow.created_from_template" in actions


def test_from_template_problems_are_per_variable_and_nothing_is_created(
    member: Actor, http_server
) -> None:
    http_connection(member, http_server[0])
    connections.create_connection(
        member, {"name": "ops-slack", "platform": "slack",
                 "credentials": {"webhookUrl": "https://hooks.slack.com/services/T/B/x"}}
    )  # fmt: skip
    before = count("workflow")
    cases = [
        ({}, {"variables.api": "required", "variables.site_url": "required",
              "variables.owners": "required"}),
        ({"api": "status-api", "site_url": "shop", "owners": "nope", "limit": 40},
         {"variables.site_url": "must be a web address", "variables.owners": "email",
          "variables.limit": "at most 10"}),
        ({"api": "missing", "site_url": "https://a.io", "owners": "a@x.io"},
         {"variables.api": "no connection named 'missing'"}),
        ({"api": "ops-slack", "site_url": "https://a.io", "owners": "a@x.io"},
         {"variables.api": "must be a http connection"}),
    ]  # fmt: skip
    for values, expected in cases:
        with pytest.raises(ValidationFailed) as caught:
            templates.create_from_template(member, "fixture_status_check", values)
        found = paths(caught.value)
        assert set(found) == set(expected), found
        assert all(words in found[path] for path, words in expected.items()), found
    assert count("workflow") == before


def webhook_workflow(member: Actor, conn_id: int) -> int:
    data = {
        "name": "Ping the API",
        "description": "Pings.",
        "trigger": {"type": "webhook", "config": {"signature": "flowdeck", "secret": "s" * 32}},
        "actions": [
            {"id": "ping", "type": "api_call", "config": {"connection": conn_id, "url": "/ping"}}
        ],
    }
    return workflows.create_workflow(member, data).workflow["id"]


def test_save_as_template_versions_and_holds_no_secret(member: Actor, http_server) -> None:
    conn_id = http_connection(member, http_server[0])
    wf = webhook_workflow(member, conn_id)
    first = templates.save_template(member, {"workflow_id": wf, "category": "development"})
    assert (first["id"], first["version"], first["builtin"]) == ("ping_the_api", 1, False)
    assert first["workflow"]["actions"][0]["config"]["connection"] == "[[http_connection]]"
    assert first["variables"][0]["default"] == "status-api"
    assert "secret" not in first["workflow"]["trigger"]["config"]
    second = templates.save_template(member, {"workflow_id": wf, "category": "development"})
    assert (second["id"], second["version"]) == ("ping_the_api", 2)
    assert count("workflow_template") == 1 and count("workflow_template_version") == 2
    exported = json.dumps(templates.export_template(member, "ping_the_api"))
    assert "s" * 32 not in exported and "k-123456789" not in exported
    assert '"status-api"' in exported
    # the saved template is used like a built-in: its connection variable has a default
    made = templates.create_from_template(member, first["saved_id"], {}, name="Mine")
    assert made.workflow["name"] == "Mine"
    assert made.workflow["actions"][0]["config"]["connection"] == "status-api"
    listed = templates.list_templates(member, origin="saved")
    assert [(t["id"], t["version"], t["uses"]) for t in listed] == [("ping_the_api", 2, 1)]


def test_a_literal_secret_is_refused_with_its_path(member: Actor) -> None:
    document = json.loads((FIXTURES / "fixture_lead_intake.json").read_text())
    document["workflow"]["actions"].append(
        {"id": "call", "type": "api_call",
         "config": {"url": "https://a.io", "headers": {"Authorization": "Bearer abcdef123"}}}
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        templates.save_template(member, document)
    assert "secret" in paths(caught.value)["workflow.actions[1].config.headers.Authorization"]
    assert count("workflow_template") == 0


def test_import_lists_every_problem_and_stores_nothing(member: Actor) -> None:
    audited = count("audit_event")
    document = json.loads((FIXTURES / "fixture_status_check.json").read_text())
    document["category"] = "fun"
    document["variables"][1]["type"] = "colour"
    document["workflow"]["actions"][0]["config"]["method"] = "FETCH"
    document["workflow"]["name"] = "[[nobody]]"
    with pytest.raises(ValidationFailed) as caught:
        templates.import_template(member, document)
    found = paths(caught.value)
    assert {"category", "variables[1].type", "workflow.name"} <= set(found), found
    assert count("workflow_template") == 0 and count("audit_event") == audited
    document = json.loads((FIXTURES / "fixture_status_check.json").read_text())
    document["workflow"]["actions"][0]["config"]["method"] = "FETCH"
    with pytest.raises(ValidationFailed) as caught:
        templates.import_template(member, document)
    assert "workflow.actions[0].config.method" in paths(caught.value)
    imported = templates.import_template(member, json.loads(
        (FIXTURES / "fixture_status_check.json").read_text()))  # fmt: skip
    assert imported["id"] == "fixture_status_check_2"  # the built-in keeps its id


def test_workflow_export_names_connections_and_import_relinks_them(
    member: Actor, http_server
) -> None:
    conn_id = http_connection(member, http_server[0])
    wf = webhook_workflow(member, conn_id)
    exported = workflow_transfer.export_workflow(member, wf)
    assert exported["actions"][0]["config"]["connection"] == "status-api"
    assert "secret" not in exported["trigger"]["config"]
    again = workflow_transfer.import_workflow(member, exported)
    assert again["actions"][0]["config"]["connection"] == "status-api"
    exported["actions"][0]["config"]["connection"] = "elsewhere-api"
    exported["actions"].append({"id": "bad", "type": "nope"})
    with pytest.raises(ValidationFailed) as caught:
        workflow_transfer.import_workflow(member, exported)
    found = paths(caught.value)
    assert "'elsewhere-api'" in found["actions[0].config.connection"]
    assert "actions[1].type" in found


def test_uses_are_counted_when_people_use_a_template_at_once(member: Actor) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def use(_: int) -> int:
        return templates.create_from_template(member, "fixture_lead_intake", {}).workflow["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(use, range(4)))
    assert len(set(made)) == 4
    assert templates.get_template(member, "fixture_lead_intake")["uses"] == 4
