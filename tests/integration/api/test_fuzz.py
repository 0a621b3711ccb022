"""Schemathesis against the real API, in process (no network): every operation of the published
OpenAPI document, positive and negative cases, a bounded number of examples each.

Each operation gets a fresh, migrated SQLite file with a little data (a workflow, an article, a
connection, an alert) so that small ids reach real rows, an admin API key, and the engine
running on the event loop that serves the requests. The outbound allow list is emptied for the
run: no generated URL can reach anything, loopback included, and every call has a deadline.

Besides conformance of the answers, the schema must tell the truth about requests: what it
forbids is refused (`negative_data_rejection`) and what it allows is accepted
(`positive_data_acceptance`: 2xx, or 401/403/404/409/429). Rules no request schema can state
are listed in NOT_EXPRESSIBLE, each skipping that one check for that one operation.

Runs are derandomized (the same cases each time, so CI is stable); set FLOWDECK_FUZZ_EXAMPLES
to explore more (the default, 25 per operation, takes one to two minutes on two cores).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from starlette.types import Receive, Scope, Send

from app.core.statuses import Role
from app.db.settings import get_settings
from app.engine import runtime
from app.engine.runner import Engine
from app.services import (
    alerts,
    api_keys,
    articles,
    connections,
    orchestrations,
    users,
    workflows,
)
from app.services.actor import SYSTEM, Actor
from tests.integration.api.deployed import deployed_api

MAX_EXAMPLES = int(os.environ.get("FLOWDECK_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,  # a method the path does not take: 405 with Allow
    allow_header_conformance,  # OPTIONS: Allow lists the documented methods
    negative_data_rejection,  # a request the schema forbids is refused (4xx)
    positive_data_acceptance,  # one it allows is accepted (2xx, or 401/403/404/409)
]

# Rules that no JSON Schema of the request can state; only the one check they upset is skipped
# for only these operations (everything else, negative data included, is still checked).
NOT_EXPRESSIBLE: dict[str, tuple[Any, str]] = {
    "POST /api/workflow-orchestration/workflows": (
        positive_data_acceptance,
        "an action's type must be a registered action type and its config is checked against "
        "that type's model (values may be templates, typed only once rendered); action ids are "
        "slugs, unique within the workflow, and the graph must be sound",
    ),
    "PUT /api/workflow-orchestration/workflows/{workflow_id}": (
        positive_data_acceptance,
        "as for POST, and a partial body is judged merged with the stored definition",
    ),
    "POST /api/workflow-orchestration/workflows/{workflow_id}/versions": (
        positive_data_acceptance,
        "workflow_data is a definition judged as on PUT (merged with the stored one)",
    ),
    "POST /api/workflow-orchestration/workflows/import": (
        positive_data_acceptance,
        "the body is a whole document (a Flowdeck export or an n8n export) mapped to a definition "
        "that is then validated like a create: no schema of the document can say which map",
    ),
    "POST /api/workflow-orchestration/connections": (
        positive_data_acceptance,
        "which credentials/config keys and webhookUrl a connection takes depends on platform and "
        "connectionType together, and on values (a valid host, URL, bot token)",
    ),
    "PUT /api/workflow-orchestration/connections/{connection_id}": (
        positive_data_acceptance,
        "as for POST, and a partial body is judged against the stored connection's platform",
    ),
    "POST /api/workflow-orchestration/alerts": (
        positive_data_acceptance,
        "channel, connectionId and config keys depend on alertType (empty for slack with a "
        "connection, a chat id for telegram, addresses for email), and connectionId must exist",
    ),
    "PUT /api/workflow-orchestration/alerts/{alert_id}": (
        positive_data_acceptance,
        "as for POST, and a partial body is judged against the stored alert's type",
    ),
    "GET /api/workflow-orchestration/executions": (
        positive_data_acceptance,
        "cursor is opaque: only a next_cursor the API returned is valid, any other string is a 422",
    ),
    "POST /api/workflow-orchestration/orchestrations": (
        positive_data_acceptance,
        "call ids are slugs unique within the orchestration, depends_on must name other calls "
        "without a cycle (and, in listed-order modes, earlier ones), templates must parse, a URL "
        "without a connection must be absolute, and secret-named headers may not hold literals",
    ),
    "PUT /api/workflow-orchestration/orchestrations/{orchestration_id}": (
        positive_data_acceptance,
        "as for POST, and a partial body is judged merged with the stored definition",
    ),
    "GET /api/workflow-orchestration/orchestrations/{orchestration_id}/runs": (
        positive_data_acceptance,
        "cursor is opaque: only a next_cursor the API returned is valid, any other string is a 400",
    ),
    "POST /api/automation/workflows/{workflow_id}/nodes": (
        positive_data_acceptance,
        "config.action_type picks the step type (003's names or a registered type) and the rest "
        "of config is checked against that type's model",
    ),
    "POST /api/automation/workflows/{workflow_id}/edges": (
        positive_data_acceptance,
        "source and target must be nodes of that workflow, and the edge must not close a cycle",
    ),
    "PUT /api/workflow-orchestration/workflows/{workflow_id}/sample-payload": (
        positive_data_acceptance,
        "the payload is at most 64 KiB of JSON and nests at most 32 levels (bytes and depth of "
        "an open object are not expressible)",
    ),
    "GET /api/audit/events": (
        positive_data_acceptance,
        "until must be after since (a rule between two parameters)",
    ),
    "GET /api/audit/export": (
        positive_data_acceptance,
        "until must be after since (a rule between two parameters)",
    ),
    "POST /api/workflow-orchestration/workflows/import-bundle": (
        positive_data_acceptance,
        "each document of the bundle is a whole export validated like a create",
    ),
    "POST /api/workflow-orchestration/templates": (
        positive_data_acceptance,
        "the body is a whole template document (its workflow validated like a create, every "
        "[[placeholder]] naming a variable and every variable used) or a workflow_id to save",
    ),
    "POST /api/workflow-orchestration/templates/import": (
        positive_data_acceptance,
        "as for saving a template: a whole document whose workflow is validated like a create",
    ),
    "POST /api/workflow-orchestration/workflows/from-template": (
        positive_data_acceptance,
        "which variables are required, and their types, depend on the template named",
    ),
    "POST /api/workflows/from-template": (
        positive_data_acceptance,
        "which variables are required, and their types, depend on the template named",
    ),
    "POST /api/automation/templates/{template_id}/use": (
        positive_data_acceptance,
        "which variables are required, and their types, depend on the template in the path",
    ),
    "GET /api/analytics/workflows/{workflow_id}/performance": (
        positive_data_acceptance,
        "start and end go together, end after start, at most 366 days apart (rules between "
        "two parameters)",
    ),
    "PUT /api/retention": (
        positive_data_acceptance,
        "keepDataDays must be at most keepDays (a rule between two keys)",
    ),
    "POST /api/audit/prune": (
        positive_data_acceptance,
        "olderThanDays may be left out only when FLOWDECK_AUDIT_RETENTION_DAYS is set: a rule "
        "on the server's configuration, not on the request",
    ),
    # The original documents' paths (app.api.routes.original_002 / original_004): the same
    # endpoints as above, so the same rules.
    "POST /api/workflows/": (
        positive_data_acceptance,
        "as for POST /api/workflow-orchestration/workflows (the same endpoint)",
    ),
    "PUT /api/workflows/{workflow_id}": (
        positive_data_acceptance,
        "as for PUT /api/workflow-orchestration/workflows/{workflow_id} (the same endpoint)",
    ),
    "POST /api/workflows/{workflow_id}/versions": (
        positive_data_acceptance,
        "workflow_data is a definition judged as on PUT (merged with the stored one)",
    ),
    "POST /api/custom-workflows/{workflow_id}/versions": (
        positive_data_acceptance,
        "workflow_data is a definition judged as on PUT (merged with the stored one)",
    ),
    "GET /api/workflows/{workflow_id}/executions": (
        positive_data_acceptance,
        "cursor is opaque: only a next_cursor the API returned is valid, any other string is a 422",
    ),
    "GET /api/audit/workflows": (
        positive_data_acceptance,
        "end_date must be after start_date, and each must be a real date or time (rules on "
        "values); a member may name only their own user_id",
    ),
}


class _ApiWithEngine:
    """The REST API; the first request of a test starts an engine on the serving loop."""

    def __init__(self) -> None:
        self.api = deployed_api()
        self.engine: Engine | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.wanted = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.wanted and self.engine is None:
            self.loop = asyncio.get_running_loop()
            self.engine = Engine(max_concurrent=4)
            runtime.install(self.engine)
            await self.engine.start()
        await self.api(scope, receive, send)

    def stop_engine(self) -> None:
        self.wanted = False
        if self.engine is not None and self.loop is not None:
            asyncio.run_coroutine_threadsafe(self.engine.stop(), self.loop).result(timeout=30)
            runtime.install(None)
        self.engine = None


APP = _ApiWithEngine()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


def _seed(admin: Actor) -> None:
    """One of each thing, so that id 1 exists for every kind."""
    flow = {
        "name": "seeded",
        "trigger": {"type": "manual"},
        "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
    }
    workflows.create_workflow(admin, flow)
    articles.create_article(admin, title="Seeded article", body="text", status="ready")
    connection = {
        "name": "seeded hook",
        "platform": "http",
        "connection_type": "api_key",
        "credentials": {"api_key": "secret-token-1234"},
        "config": {"base_url": "https://example.invalid"},
    }
    connections.create_connection(admin, connection)
    alerts.create_alert(
        admin,
        {"alert_type": "in_app", "channel": "", "events": ["workflow_fail"], "severity": "error"},
    )
    calls = [{"id": "ping", "url": "https://example.invalid/ping", "timeoutS": 2}]
    orchestrations.create_orchestration(admin, {"name": "seeded", "calls": calls})


@pytest.fixture
def admin_key(db: Path) -> Iterator[str]:
    saved = os.environ.get("FLOWDECK_OUTBOUND_ALLOW")
    os.environ["FLOWDECK_OUTBOUND_ALLOW"] = ""  # nothing outbound, loopback included
    get_settings.cache_clear()
    user = users.create_user(SYSTEM, email="fuzz@example.com", role="admin", password="p" * 12)
    admin = Actor(kind="user", user_id=user.id, email=user.email, role=Role.ADMIN)
    _seed(admin)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id, name="fuzz")
    APP.wanted = True
    try:
        yield key
    finally:
        APP.stop_engine()
        if saved is None:
            os.environ.pop("FLOWDECK_OUTBOUND_ALLOW", None)
        else:
            os.environ["FLOWDECK_OUTBOUND_ALLOW"] = saved
        get_settings.cache_clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, admin_key: str) -> None:
    headers = {"Authorization": f"Bearer {admin_key}"}
    skipped = NOT_EXPRESSIBLE.get(case.operation.label)
    checks = [check for check in CHECKS if not skipped or check is not skipped[0]]
    case.call_and_validate(headers=headers, checks=checks, timeout=30)
