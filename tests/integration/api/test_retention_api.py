"""Retention over REST: admins only, per-field 422s, preview and prune, the database numbers."""

from __future__ import annotations

import httpx

from tests.integration.services.retention_data import add_execution, make_workflow


async def test_retention_routes(admin: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    wf = make_workflow("api-retention")
    old = [add_execution(wf, age_days=40) for _ in range(3)]
    assert old
    bad = await admin.put("/api/retention", json={"keepDays": 0, "keepLast": 2_000_000})
    assert bad.status_code == 422
    assert {d["path"] for d in bad.json()["error"]["details"]} == {"keep_days", "keep_last"}
    typed = await admin.put("/api/retention", json={"keepDataDays": "x"})
    assert typed.status_code == 422
    assert [d["path"] for d in typed.json()["error"]["details"]] == ["keep_data_days"]
    cross = await admin.put("/api/retention", json={"keep_days": 7, "keep_data_days": 30})
    assert cross.status_code == 422
    ok = await admin.put("/api/retention", json={"keepDays": 30})
    assert ok.status_code == 200 and ok.json()["keep_days"] == 30
    assert (await admin.get("/api/retention")).json()["keep_last"] is None
    preview = (await admin.get("/api/retention/preview")).json()
    assert preview["executions"] == 3
    assert preview["by_workflow"][0]["workflow_id"] == wf
    pruned = (await admin.post("/api/retention/prune")).json()
    assert pruned["executions_deleted"] == 3 and pruned["finished"]
    database = (await admin.get("/api/retention/database")).json()
    assert database["dialect"] == "sqlite" and database["size_bytes"] > 0
    assert {"table": "execution", "rows": 0} in database["tables"]
    # a member (the `api` client) may not read or change any of it
    for method, path in (
        ("GET", "/api/retention"),
        ("PUT", "/api/retention"),
        ("GET", "/api/retention/preview"),
        ("POST", "/api/retention/prune"),
        ("GET", "/api/retention/database"),
    ):
        answer = await api.request(method, path, json={} if method == "PUT" else None)
        assert answer.status_code == 403, (method, path)
