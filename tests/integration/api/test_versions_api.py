"""Articles, content versions and workflow versions over REST, on a real SQLite file."""

from __future__ import annotations

from typing import Any

import httpx

BASE = "/api/workflow-orchestration"
VERSION_KEYS = {
    "version_number",
    "change_type",
    "commit_hash",
    "parent_hash",
    "change_description",
    "changed_by",
    "created_at",
    "diff",
}


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


async def article(api: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await api.post(f"{BASE}/articles", json={"title": "Hello", **body})
    assert response.status_code == 201, response.text
    return response.json()


async def test_article_crud_with_camelcase(api: httpx.AsyncClient, member) -> None:
    created = await article(
        api,
        title="Ten lessons",
        body="# Lessons",
        tags=["automation"],
        metaDescription="What we learned",
        createdBy="admin-user-id",
    )
    aid = created["id"]
    assert created["slug"] == "ten-lessons" and created["meta_description"] == "What we learned"
    assert created["status"] == "draft" and created["current_version"] == 1
    assert created["created_by"] == member.user_id

    listed = (await api.get(f"{BASE}/articles", params={"search": "lessons"})).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == aid

    changed = await api.put(f"{BASE}/articles/{aid}", json={"metaDescription": "Shorter"})
    assert changed.status_code == 200, changed.text
    assert (
        changed.json()["meta_description"] == "Shorter" and changed.json()["title"] == "Ten lessons"
    )
    assert changed.json()["current_version"] == 2

    error_of(await api.post(f"{BASE}/articles/{aid}/publish"), 409, "conflict")
    ready = await api.put(f"{BASE}/articles/{aid}", json={"status": "ready"})
    assert ready.json()["status"] == "ready"
    published = await api.post(
        f"{BASE}/articles/{aid}/publish", json={"changeDescription": "launch day"}
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_at"]
    history = (await api.get(f"{BASE}/versions/{aid}")).json()
    assert [(v["change_type"], v["change_description"]) for v in history["items"][:2]] == [
        ("published", "launch day"),
        ("edited", "status draft → ready"),
    ]

    assert (await api.delete(f"{BASE}/articles/{aid}")).status_code == 204
    error_of(await api.get(f"{BASE}/articles/{aid}"), 404, "not_found")
    error_of(await api.get(f"{BASE}/versions/{aid}"), 404, "not_found")


async def test_article_input_errors(api: httpx.AsyncClient) -> None:
    missing = error_of(
        await api.post(f"{BASE}/articles", json={"body": "x"}), 422, "validation_failed"
    )
    assert missing["details"][0]["path"] == "title"
    made = await article(api)
    bad = await api.put(f"{BASE}/articles/{made['id']}", json={"status": "gone", "slug": "No!"})
    paths = {d["path"] for d in error_of(bad, 422, "validation_failed")["details"]}
    assert paths == {"status", "slug"}
    error_of(await api.put(f"{BASE}/articles/999", json={"title": "x"}), 404, "not_found")


async def test_create_version_with_the_original_example(api: httpx.AsyncClient) -> None:
    made = await article(api, body="First draft")
    body = {
        "articleId": made["id"],
        "changeDescription": "Updated headline and SEO metadata",
        "changedBy": "editor-user-id",
        "changeType": "edited",
        "metadata": {"workflow": True, "automationId": "workflow-456"},
        "content": {"title": "Hello again", "metaDescription": "SEO"},
    }
    response = await api.post(f"{BASE}/versions", json=body)
    assert response.status_code == 201, response.text
    version = response.json()
    assert version.keys() >= VERSION_KEYS
    assert (version["version_number"], version["change_type"]) == (2, "edited")
    assert version["change_description"] == "Updated headline and SEO metadata"
    assert version["meta"] == {"workflow": True, "automationId": "workflow-456"}
    assert version["snapshot"]["title"] == "Hello again"
    assert version["snapshot"]["meta_description"] == "SEO"
    assert len(version["commit_hash"]) == 64 and version["parent_hash"]

    checkpoint = await api.post(f"{BASE}/versions", json={"articleId": made["id"]})
    assert checkpoint.status_code == 201 and checkpoint.json()["version_number"] == 3

    for bad, status, code in [
        ({"articleId": made["id"], "changeType": "reverted"}, 422, "validation_failed"),
        ({"changeDescription": "no article"}, 422, "validation_failed"),
        ({"articleId": 999}, 404, "not_found"),
        ({"articleId": made["id"], "content": "text"}, 422, "validation_failed"),
    ]:
        error_of(await api.post(f"{BASE}/versions", json=bad), status, code)


async def test_history_compare_revert(api: httpx.AsyncClient) -> None:
    made = await article(api, body="a\nb\nc")
    other = await article(api, title="Other")
    await api.put(f"{BASE}/articles/{made['id']}", json={"body": "a\nB\nc"})
    history = (await api.get(f"{BASE}/versions/{made['id']}")).json()
    assert history["chain_ok"] and history["total"] == 2
    assert all(v.keys() >= VERSION_KEYS for v in history["items"])
    assert [v["version_number"] for v in history["items"]] == [2, 1]

    compared = await api.get(f"{BASE}/versions/{made['id']}/compare", params={"a": 1, "b": 2})
    assert compared.status_code == 200, compared.text
    assert compared.json()["changed_fields"] == ["body"]
    one = (await api.get(f"{BASE}/versions/{made['id']}/1")).json()
    assert one["snapshot"]["body"] == "a\nb\nc"

    foreign = (await api.get(f"{BASE}/versions/{other['id']}")).json()["items"][0]["commit_hash"]
    across = await api.get(f"{BASE}/versions/{made['id']}/compare", params={"a": 1, "b": foreign})
    assert "belongs to article" in error_of(across, 422, "validation_failed")["message"]

    revert = f"{BASE}/versions/{made['id']}/revert"
    error_of(await api.post(revert, json={"version_number": 99}), 404, "not_found")
    error_of(await api.post(revert, json={}), 422, "validation_failed")
    response = await api.post(revert, json={"versionNumber": 1})
    assert response.status_code == 200, response.text
    assert response.json()["article"]["body"] == "a\nb\nc"
    said = response.json()
    assert said["status_kept"] == said["article"]["status"] == "draft"
    assert said["restored_fields"] == ["title", "slug", "body", "meta_description", "tags"]
    assert said["note"].endswith("The status stays draft.")
    assert "note" not in said["version"]
    version = response.json()["version"]
    assert (version["change_type"], version["restored_from"], version["version_number"]) == (
        "reverted",
        1,
        3,
    )
    error_of(await api.post(revert, json={"versionNumber": 1}), 409, "conflict")
    after = (await api.get(f"{BASE}/versions/{made['id']}")).json()
    assert after["total"] == 3 and after["chain_ok"]


def _definition(cron: str = "0 9 * * *", **extra: Any) -> dict[str, Any]:
    actions = [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}]
    trigger = {"type": "schedule", "config": {"cron": cron}}
    return {"name": "digest", "trigger": trigger, "actions": actions, **extra}


async def test_workflow_versions_compare_and_rollback(api: httpx.AsyncClient) -> None:
    wf = (await api.post(f"{BASE}/workflows", json=_definition())).json()["id"]
    await api.put(f"{BASE}/workflows/{wf}", json=_definition("0 10 * * *"))
    await api.put(f"{BASE}/workflows/{wf}", json={"name": "digest v3"})

    page = (await api.get(f"{BASE}/workflows/{wf}/versions")).json()
    assert [v["version_number"] for v in page["items"]] == [3, 2, 1]
    keys = VERSION_KEYS - {"commit_hash", "parent_hash"}
    keys |= {"definition", "change_summary", "restored_from", "reason"}
    assert all(keys <= v.keys() for v in page["items"])
    assert page["items"][1]["change_summary"] == ["schedule 0 9 * * * → 0 10 * * *"]

    compared = await api.get(f"{BASE}/workflows/{wf}/versions/compare", params={"a": 1, "b": 3})
    assert compared.status_code == 200, compared.text
    assert compared.json()["summary"] == [
        "renamed to `digest v3`",
        "schedule 0 9 * * * → 0 10 * * *",
    ]
    original = await api.get(
        f"{BASE}/workflows/{wf}/versions/compare", params={"version_a": 2, "version_b": 3}
    )
    assert original.json()["summary"] == ["renamed to `digest v3`"]
    error_of(await api.get(f"{BASE}/workflows/{wf}/versions/compare"), 422, "validation_failed")
    two = (await api.get(f"{BASE}/workflows/{wf}/versions/2")).json()
    assert two["definition"]["trigger"]["config"]["cron"] == "0 10 * * *"
    error_of(await api.get(f"{BASE}/workflows/{wf}/versions/9"), 404, "not_found")

    rollback = f"{BASE}/workflows/{wf}/rollback"
    no_reason = error_of(
        await api.post(rollback, json={"version_number": 1}), 422, "validation_failed"
    )
    assert no_reason["details"][0]["path"] == "reason"
    error_of(await api.post(rollback, json={"reason": "x"}), 422, "validation_failed")
    error_of(await api.post(rollback, json={"version_number": 8, "reason": "x"}), 404, "not_found")
    assert (await api.get(f"{BASE}/workflows/{wf}")).json()["version"] == 3  # nothing changed

    done = await api.post(rollback, json={"versionNumber": 1, "reason": "v2 fired too late"})
    assert done.status_code == 200, done.text
    version = done.json()["version"]
    assert (version["version_number"], version["restored_from"]) == (4, 1)
    assert version["reason"] == "v2 fired too late"
    assert done.json()["workflow"]["name"] == "digest"

    changes = (await api.get(f"{BASE}/changes", params={"days": 1})).json()
    assert changes["total_changes"] == 4
    assert changes["most_changed"] == [{"workflow_id": wf, "name": "digest", "changes": 4}]
    error_of(await api.get(f"{BASE}/workflows/404/versions"), 404, "not_found")
