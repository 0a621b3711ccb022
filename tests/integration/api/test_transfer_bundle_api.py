"""A bulk export (a bundle) moves to another install as a file: POST …/workflows/import-bundle
checks every document first (nothing created on any problem), then creates each."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from app.db.engine import get_engine

BASE = "/api/workflow-orchestration"


def count() -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM workflow")).scalar_one()


async def make(api: httpx.AsyncClient, name: str) -> int:
    step = {"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}
    body = {"name": name, "trigger": {"type": "manual"}, "actions": [step]}
    answer = await api.post(f"{BASE}/workflows", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def test_a_bulk_export_imports_as_a_bundle(api: httpx.AsyncClient) -> None:
    ids = [await make(api, "first"), await make(api, "second")]
    exported = await api.post(f"{BASE}/workflows/bulk", json={"action": "export", "ids": ids})
    assert exported.status_code == 200, exported.text
    bundle = exported.json()["export"]
    single = await api.post(f"{BASE}/workflows/import", json=bundle)
    assert single.status_code == 422 and "import-bundle" in single.text
    before = count()
    checked = await api.post(f"{BASE}/workflows/import-bundle?dry_run=true", json=bundle)
    assert checked.status_code == 200 and checked.json()["count"] == 2
    assert count() == before
    bad = {**bundle, "workflows": [bundle["workflows"][0], {**bundle["workflows"][1],
                                                            "actions": []}]}  # fmt: skip
    refused = await api.post(f"{BASE}/workflows/import-bundle", json=bad)
    assert refused.status_code == 422
    paths = [p["path"] for p in refused.json()["error"]["details"]]
    assert paths and all(p.startswith("workflows[1].actions") for p in paths), paths
    assert count() == before
    made = await api.post(f"{BASE}/workflows/import-bundle", json=bundle)
    assert made.status_code == 201, made.text
    assert [w["name"] for w in made.json()["workflows"]] == ["first", "second"]
    assert count() == before + 2
    empty = await api.post(f"{BASE}/workflows/import-bundle", json={"workflows": []})
    assert empty.status_code == 422
