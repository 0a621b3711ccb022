"""`deploy`, `rollback`, `ci_run` and `db_backup` on the real engine: GitHub Actions and GitLab
stand-ins that check the documented shapes and auth, a deploy hook on a loopback server, and
SQLite backups of a real file (with retention); no secret stored."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db.settings import get_settings
from app.engine.runner import Engine
from app.services import connections
from app.services.actor import Actor
from tests.integration.actions.action_helpers import run, stored_text
from tests.integration.conftest import Script
from tests.integration.ops.standins_deploys import (
    GH_TOKEN,
    GL_ACCESS,
    GL_TRIGGER,
    PROJECT,
    REPO,
    WORKFLOW,
    GithubActionsStandIn,
    GitlabStandIn,
)
from tests.integration.social.loopback import serving


@pytest.fixture
def actions_api(member: Actor) -> Iterator[GithubActionsStandIn]:
    with serving(GithubActionsStandIn()) as stand_in:
        connections.create_connection(
            member, {"name": "gh", "platform": "github", "credentials": {"token": GH_TOKEN},
                     "config": {"apiBase": stand_in.base_url, "repo": REPO}})  # fmt: skip
        yield stand_in


@pytest.fixture
def gitlab_api(member: Actor) -> Iterator[GitlabStandIn]:
    with serving(GitlabStandIn()) as stand_in:
        connections.create_connection(
            member, {"name": "gl", "platform": "gitlab",
                     "credentials": {"triggerToken": GL_TRIGGER, "accessToken": GL_ACCESS},
                     "config": {"apiBase": stand_in.base_url, "project": PROJECT}})  # fmt: skip
        yield stand_in


async def test_deploy_and_roll_back_through_github_actions(
    member: Actor, engine: Engine, actions_api: GithubActionsStandIn
) -> None:
    steps = [
        {"id": "deploy", "type": "deploy", "config": {
            "connection": "gh", "workflow": WORKFLOW, "ref": "{{ trigger.version }}",
            "inputs": {"environment": "production", "replicas": 3}}},
        {"id": "rollback", "type": "rollback", "config": {
            "connection": "gh", "workflow": WORKFLOW, "previous_ref": "{{ trigger.previous }}"}},
    ]  # fmt: skip
    execution = await run(
        member, engine, steps, payload={"version": "v2.1.0", "previous": "v2.0.9"}
    )
    assert execution["status"] == "succeeded", execution
    assert actions_api.dispatches == [
        {"ref": "v2.1.0", "inputs": {"environment": "production", "replicas": "3"}},
        {"ref": "v2.0.9"},
    ]
    out = {s["action_id"]: s["output"] for s in execution["steps"]}
    assert (out["deploy"]["action"], out["rollback"]["action"]) == ("deploy", "rollback")
    assert out["rollback"]["ref"] == "v2.0.9" and out["deploy"]["repo"] == REPO

    unknown = await run(member, engine, [{"id": "d", "type": "deploy", "config": {
        "connection": "gh", "workflow": "nope.yml", "ref": "main"}}])  # fmt: skip
    assert "GitHub answered 404: Not Found" in unknown["steps"][0]["error"]
    assert GH_TOKEN not in stored_text()


async def test_ci_run_waits_for_the_github_run_it_started(
    member: Actor, engine: Engine, actions_api: GithubActionsStandIn
) -> None:
    step = {"id": "tests", "type": "ci_run", "config": {
        "connection": "gh", "workflow": WORKFLOW, "ref": "main", "poll_s": 0.2}}  # fmt: skip
    passed = await run(member, engine, [step])
    assert passed["status"] == "succeeded", passed
    output = passed["steps"][0]["output"]
    assert (output["outcome"], output["conclusion"]) == ("passed", "success")
    assert output["polls"] == 2 and output["run_id"] == actions_api.runs[0]["id"]

    actions_api.conclusion = "failure"
    failed = await run(member, engine, [step])
    assert failed["status"] == "failed"
    assert (
        "CI on main failure: https://github.com/acme/shop/actions/runs/"
        in (failed["steps"][0]["error"])
    )


async def test_gitlab_pipeline_trigger_and_its_result(
    member: Actor, engine: Engine, gitlab_api: GitlabStandIn
) -> None:
    deploy = {"id": "deploy", "type": "deploy", "config": {
        "connection": "gl", "ref": "main", "environment": "staging",
        "inputs": {"IMAGE": "shop:2.1"}}}  # fmt: skip
    tests = {"id": "tests", "type": "ci_run", "config": {
        "connection": "gl", "ref": "main", "poll_s": 0.2}}  # fmt: skip
    execution = await run(member, engine, [deploy, tests])
    assert execution["status"] == "succeeded", execution
    assert gitlab_api.triggers[0] == {"token": GL_TRIGGER, "ref": "main",
                                      "variables[IMAGE]": "shop:2.1",
                                      "variables[ENVIRONMENT]": "staging"}  # fmt: skip
    out = {s["action_id"]: s["output"] for s in execution["steps"]}
    assert out["deploy"]["pipeline_id"] in gitlab_api.pipelines
    assert out["tests"]["outcome"] == "passed" and out["tests"]["polls"] == 2
    text = stored_text()
    assert GL_TRIGGER not in text and GL_ACCESS not in text


async def test_a_deploy_hook_gets_the_action_and_ref(
    member: Actor, engine: Engine, http_server: tuple[str, Script]
) -> None:
    base, script = http_server
    connections.create_connection(
        member, {"name": "hook", "platform": "http", "connectionType": "api_key",
                 "credentials": {"apiKey": "hook-key-123456"},
                 "config": {"baseUrl": base + "/deploys"}})  # fmt: skip
    step = {"id": "rb", "type": "rollback", "config": {
        "connection": "hook", "previous_ref": "abc1234", "environment": "prod",
        "path": "/shop"}}  # fmt: skip
    execution = await run(member, engine, [step])
    assert execution["status"] == "succeeded", execution
    [request] = script.requests
    assert request["path"] == "/deploys/shop"
    assert request["headers"]["X-API-Key"] == "hook-key-123456"
    assert json.loads(request["body"]) == {"action": "rollback", "ref": "abc1234",
                                           "environment": "prod", "inputs": {},
                                           "workflow_id": execution["workflow_id"],
                                           "execution_id": execution["id"]}  # fmt: skip
    assert "hook-key-123456" not in stored_text()


@pytest.fixture
def sqlite_root(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    allowed = tmp_path / "sqlite-root"
    allowed.mkdir()
    monkeypatch.setenv("FLOWDECK_SQLITE_ROOTS", str(allowed))
    get_settings.cache_clear()
    yield allowed
    get_settings.cache_clear()


async def test_sqlite_backups_keep_the_newest(
    member: Actor, engine: Engine, sqlite_root: Path
) -> None:
    source = sqlite_root / "shop.db"
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        conn.executemany("INSERT INTO orders (total) VALUES (?)", [(i * 1.5,) for i in range(500)])
    conn.close()
    conn_id = connections.create_connection(
        member, {"name": "shop", "platform": "database",
                 "credentials": {"url": f"sqlite:///{source}"}})["id"]  # fmt: skip
    step = {"id": "backup", "type": "db_backup", "config": {"connection": "shop", "keep": 2}}
    outputs = []
    for _ in range(3):
        execution = await run(member, engine, [step])
        assert execution["status"] == "succeeded", execution
        outputs.append(execution["steps"][0]["output"])
    folder = get_settings().data_dir / "backups" / f"connection-{conn_id}"
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 2 and outputs[2]["kept"] == 2
    assert outputs[2]["removed"] == [Path(outputs[0]["file"]).name]
    assert [Path(o["file"]).name for o in outputs[1:]] == files
    with sqlite3.connect(outputs[2]["file"]) as copy:
        assert copy.execute("SELECT count(*), sum(total) FROM orders").fetchone() == (
            500,
            sum(i * 1.5 for i in range(500)),
        )
    copy.close()
    mode = await asyncio.to_thread(lambda: Path(outputs[2]["file"]).stat().st_mode)
    assert oct(mode & 0o777) == "0o600"

    own = connections.create_connection(
        member, {"name": "own", "platform": "database",
                 "credentials": {"url": "sqlite:////etc/passwd"}})["id"]  # fmt: skip
    refused = await run(member, engine, [{"id": "b", "type": "db_backup",
                                          "config": {"connection": own}}])  # fmt: skip
    assert refused["status"] == "failed" and "SQLite file refused" in refused["steps"][0]["error"]


async def test_a_postgresql_backup_is_a_pg_dump_archive(member: Actor, engine: Engine) -> None:
    from tests.integration.ops.postgres_server import running_postgres

    with running_postgres() as url:
        psql = ["psql", url, "-v", "ON_ERROR_STOP=1", "-c",
                "CREATE TABLE invoices (id serial PRIMARY KEY, total numeric);"
                "INSERT INTO invoices (total) SELECT g FROM generate_series(1, 50) g;"]  # fmt: skip
        await asyncio.to_thread(subprocess.run, psql, check=True, capture_output=True)
        connections.create_connection(
            member, {"name": "pg", "platform": "database", "credentials": {"url": url}}
        )
        step = {"id": "backup", "type": "db_backup", "config": {"connection": "pg"}}
        execution = await run(member, engine, [step])
    assert execution["status"] == "succeeded", execution
    output = execution["steps"][0]["output"]
    assert output["kind"] == "postgresql" and output["file"].endswith(".dump")
    listed = await asyncio.to_thread(
        subprocess.run, ["pg_restore", "--list", output["file"]], capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert "TABLE DATA public invoices" in listed.stdout
