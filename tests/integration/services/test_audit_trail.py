"""The audit trail: one row per audited action (never a secret), export, prune, append-only."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from app.core.errors import PermissionDenied
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import AuditEvent
from app.services import (
    api_keys,
    articles,
    audit_query,
    auth,
    content_versions,
    executions,
    users,
    workflow_history,
    workflows,
)
from app.services.actor import SYSTEM, Actor

ADMIN_PASSWORD = "admin-password-42"
NEW_USER_PASSWORD = "new-user-password-7"
WEBHOOK_SECRET = "whsec-very-private-0123456789"
APP_ROOT = Path(__file__).resolve().parents[3] / "app"


@dataclass
class World:
    member: Actor
    admin: Actor
    api: httpx.AsyncClient
    secrets: list[str] = field(default_factory=list)

    def workflow(self, actions: list[dict] | None = None, **extra: Any) -> int:
        actions = actions or [{"id": "calc", "type": "transform", "config": {"values": {}}}]
        body = {"name": "audited", "trigger": {"type": "manual"}, "actions": actions, **extra}
        return workflows.create_workflow(self.member, body).workflow["id"]


@pytest.fixture
def admin(db: Path) -> Actor:
    user = users.create_user(
        SYSTEM, email="admin@example.com", role="admin", password=ADMIN_PASSWORD
    )
    return Actor(kind="user", user_id=user.id, email=user.email, role=Role.ADMIN)


@pytest.fixture
def world(api: httpx.AsyncClient, member: Actor, admin: Actor, member_key: str) -> World:
    return World(member, admin, api, ["member-password", ADMIN_PASSWORD, member_key])


Expect = tuple[str, str | None, Any, str]  # action, target type, target id, actor label
Case = Callable[[World], Awaitable[Expect]]


async def _login(w: World) -> Expect:
    auth.login(email="member@example.com", password="member-password", ip="10.0.0.9")
    return "auth.login", "user", w.member.user_id, w.member.email


async def _user_create(w: World) -> Expect:
    user = users.create_user(
        w.admin, email="new@example.com", role="viewer", password=NEW_USER_PASSWORD
    )
    w.secrets.append(NEW_USER_PASSWORD)
    return "user.created", "user", user.id, w.admin.email


async def _role_change(w: World) -> Expect:
    users.change_role(w.admin, w.member.user_id or 0, "viewer")
    return "user.role_changed", "user", w.member.user_id, w.admin.email


async def _deactivate(w: World) -> Expect:
    users.set_active(w.admin, w.member.user_id or 0, False)
    return "user.deactivated", "user", w.member.user_id, w.admin.email


async def _key_create(w: World) -> Expect:
    key, public = api_keys.create_api_key(w.member, user_id=w.member.user_id or 0, name="ci")
    w.secrets.append(key)
    return "api_key.created", "api_key", public.id, w.member.email


async def _key_revoke(w: World) -> Expect:
    key, public = api_keys.create_api_key(w.member, user_id=w.member.user_id or 0, name="old")
    w.secrets.append(key)
    api_keys.revoke_api_key(w.admin, public.id)
    return "api_key.revoked", "api_key", public.id, w.admin.email


async def _wf_create(w: World) -> Expect:
    return "workflow.created", "workflow", w.workflow(), w.member.email


async def _wf_update(w: World) -> Expect:
    wf = w.workflow()
    workflows.update_workflow(w.member, wf, {"description": "now described"})
    return "workflow.updated", "workflow", wf, w.member.email


async def _wf_delete(w: World) -> Expect:
    wf = w.workflow()
    workflows.delete_workflow(w.member, wf)
    return "workflow.deleted", "workflow", wf, w.member.email


async def _wf_pause(w: World) -> Expect:
    wf = w.workflow()
    workflows.set_active(w.member, wf, False)
    return "workflow.paused", "workflow", wf, w.member.email


async def _wf_run(w: World) -> Expect:
    wf = w.workflow()
    await executions.execute_workflow(w.member, wf, payload={"x": 1}, wait_s=5)
    return "workflow.run", "workflow", wf, w.member.email


async def _cancel(w: World) -> Expect:
    wf = w.workflow([{"id": "wait", "type": "delay", "config": {"seconds": 5}}])
    run = await executions.execute_workflow(w.member, wf)
    await asyncio.sleep(0.05)
    await executions.cancel_execution(w.member, run["id"])
    return "execution.cancelled", "execution", run["id"], w.member.email


async def _retry(w: World) -> Expect:
    calc = {"id": "calc", "type": "transform", "config": {"values": {"n": "{{ trigger.n * 2 }}"}}}
    wf = w.workflow([calc])
    failed = await executions.execute_workflow(w.member, wf, payload={}, wait_s=5)
    assert failed["status"] == "failed"
    executions.retry_execution(w.member, failed["id"])
    return "execution.retried", "execution", failed["id"], w.member.email


async def _article_create(w: World) -> Expect:
    article = articles.create_article(w.member, title="Audited")
    return "article.created", "article", article["id"], w.member.email


async def _article_update(w: World) -> Expect:
    article = articles.create_article(w.member, title="Audited")
    articles.update_article(w.member, article["id"], body="changed")
    return "article.updated", "article", article["id"], w.member.email


async def _article_revert(w: World) -> Expect:
    article = articles.create_article(w.member, title="Audited")
    articles.update_article(w.member, article["id"], body="changed")
    content_versions.revert(w.member, article["id"], 1)
    return "article.reverted", "article", article["id"], w.member.email


async def _rollback(w: World) -> Expect:
    wf = w.workflow()
    workflows.update_workflow(w.member, wf, {"description": "v2"})
    workflow_history.rollback(w.member, wf, 1, "v2 was wrong")
    return "workflow.rolled_back", "workflow", wf, w.member.email


async def _webhook_rejected(w: World) -> Expect:
    trigger = {"type": "webhook", "config": {"signature": "flowdeck", "secret": WEBHOOK_SECRET}}
    saved = workflows.create_workflow(
        w.member,
        {
            "name": "hook",
            "trigger": trigger,
            "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
        },
    )
    w.secrets.append(WEBHOOK_SECRET)
    path = saved.workflow["webhook_url"].split("/api/", 1)[1]
    headers = {"x-flowdeck-signature": "t=1,v1=00", "user-agent": "evil/1.0"}
    response = await w.api.post(f"/api/{path}", content=b"{}", headers=headers)
    assert response.status_code == 401, response.text
    return "webhook.rejected", "workflow", saved.workflow["id"], ""


async def _export(w: World) -> Expect:
    "".join(audit_query.export_events(w.admin, fmt="json"))
    return "audit.exported", "audit", None, w.admin.email


async def _prune(w: World) -> Expect:
    audit_query.prune(w.admin, 30)
    return "audit.pruned", "audit", None, w.admin.email


CASES: dict[str, Case] = {
    "login": _login,
    "user create": _user_create,
    "role change": _role_change,
    "deactivate": _deactivate,
    "api key create": _key_create,
    "api key revoke": _key_revoke,
    "workflow create": _wf_create,
    "workflow update": _wf_update,
    "workflow delete": _wf_delete,
    "workflow pause": _wf_pause,
    "workflow run": _wf_run,
    "execution cancel": _cancel,
    "execution retry": _retry,
    "article create": _article_create,
    "article update": _article_update,
    "article revert": _article_revert,
    "rollback": _rollback,
    "webhook rejected": _webhook_rejected,
    "audit export": _export,
    "audit prune": _prune,
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_each_audited_action_writes_its_row_without_secrets(world: World, case: Case) -> None:
    action, target_type, target_id, label = await case(world)
    page = audit_query.list_events(world.admin, audit_query.AuditFilter(action=action))
    assert page["items"], f"no {action} row"
    row = page["items"][0]
    assert (row["target_type"], row["target_id"], row["actor_label"]) == (
        target_type,
        None if target_id is None else str(target_id),
        label,
    )
    everything = json.dumps(audit_query.list_events(world.admin, limit=500)["items"])
    leaked = [s for s in world.secrets if s in everything]
    assert leaked == [], f"secrets in the audit trail: {leaked}"


def _count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_a_member_cannot_prune_read_or_export(db: Path, member: Actor, admin: Actor) -> None:
    articles.create_article(member, title="Something to keep")
    before = _count()
    for attempt in (
        lambda: audit_query.prune(member, 1),
        lambda: audit_query.prune(member, 0),
        lambda: audit_query.list_events(member),
        lambda: audit_query.export_events(member),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert _count() == before


_WRITES = re.compile(
    r"(delete|update)\(\s*AuditEvent|(DELETE\s+FROM|UPDATE)\s+\W?audit_event", re.IGNORECASE
)


def test_only_prune_deletes_audit_rows_and_nothing_updates_them() -> None:
    found = {
        str(path.relative_to(APP_ROOT.parent)): match.group(0)
        for path in APP_ROOT.rglob("*.py")
        for match in _WRITES.finditer(path.read_text())
    }
    assert found == {"app/services/audit_query.py": "delete(AuditEvent"}
