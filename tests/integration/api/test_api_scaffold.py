"""The REST scaffold through the real FastAPI app on a real, migrated SQLite file.

Covers what every route shares: health, docs, API-key authentication, the error envelope for
401/404/405/413/400/422, and that the /api fallback leaves the Reflex frontend alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from sqlmodel import select

from app.api import create_api
from app.api.errors import install_error_handlers
from app.api.limits import BodySizeLimit
from app.db.engine import get_engine, session_scope
from app.db.models import Workflow
from app.services import api_keys, users
from app.services.actor import SYSTEM

PASSWORD = "s3cret-password"
LIMIT = 1_048_576  # 1 MiB, the default body limit
OVER = b"x" * (LIMIT + 1)


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client(db: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(create_api()) as client:
        yield client


def _user_with_key(email: str = "ops@example.com", role: str = "member") -> tuple[str, int]:
    user = users.create_user(SYSTEM, email=email, role=role, password=PASSWORD)
    key, row = api_keys.create_api_key(SYSTEM, user_id=user.id, name="ci")
    return key, row.id


def _assert_envelope(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


async def _chunks(total: int, fill: bytes = b"y") -> AsyncIterator[bytes]:
    """`total` bytes as a stream: httpx sends it chunked, without Content-Length."""
    sent = 0
    while sent < total:
        chunk = fill * min(64 * 1024, total - sent)
        sent += len(chunk)
        yield chunk


# --- health and docs -------------------------------------------------------------------------


async def test_health_reports_database_and_version(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["version"] == version("flowdeck")
    assert "scheduler" in body


async def test_health_says_degraded_when_the_database_is_unreachable(
    client: httpx.AsyncClient, db: Path
) -> None:
    (db / "flowdeck.db").unlink()
    (db / "flowdeck.db").mkdir()  # a directory where the database file should be
    get_engine().dispose()
    response = await client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"].startswith("database unreachable")


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = await client.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/health", "/api/me"} <= set(paths)
    assert not any("{path" in p for p in paths), "the fallback must stay out of the schema"
    docs = await client.get("/api/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert "/api/openapi.json" in docs.text


# --- authentication --------------------------------------------------------------------------


async def test_me_without_a_key_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/me")
    error = _assert_envelope(response, 401, "unauthenticated")
    assert "Bearer" in error["message"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Bearer fdk_forged-key-that-was-never-issued", "Basic dXNlcjpwYXNz", "Bearer", "fdk_x"],
)
async def test_forged_or_malformed_credentials_are_401(
    client: httpx.AsyncClient, header: str
) -> None:
    _user_with_key()
    response = await client.get("/api/me", headers={"Authorization": header})
    _assert_envelope(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_revoked_key_is_401(client: httpx.AsyncClient) -> None:
    key, key_id = _user_with_key()
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {key}"})).is_success
    api_keys.revoke_api_key(SYSTEM, key_id)
    response = await client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    error = _assert_envelope(response, 401, "unauthenticated")
    assert "revoked" in error["message"]


async def test_key_of_a_deactivated_user_is_401(client: httpx.AsyncClient) -> None:
    key, _ = _user_with_key()
    user_id = users.list_users(SYSTEM)[0].id
    users.set_active(SYSTEM, user_id, False)
    response = await client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    _assert_envelope(response, 401, "unauthenticated")


async def test_valid_key_says_who_is_calling(client: httpx.AsyncClient) -> None:
    key, key_id = _user_with_key(email="Ops@Example.com", role="viewer")
    response = await client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["email"] == "ops@example.com" and body["role"] == "viewer"
    assert body["api_key_id"] == key_id and isinstance(body["id"], int)
    listed = api_keys.list_api_keys(SYSTEM)
    assert listed[0].last_used_at is not None


# --- routing errors --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/nope", "/api/me/extra", "/api/v2/workflows"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_unknown_api_path_is_a_json_404(
    client: httpx.AsyncClient, path: str, method: str
) -> None:
    response = await client.request(method, path)
    error = _assert_envelope(response, 404, "not_found")
    assert path in error["message"]


# A real route that takes a JSON body (the workflows API).
WORKFLOWS = "/api/workflow-orchestration/workflows"
JSON = {"content-type": "application/json"}


def _workflow_count() -> int:
    with session_scope() as session:
        return len(session.exec(select(Workflow)).all())


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    key, _ = _user_with_key(role="admin")
    headers = {**JSON, "Authorization": f"Bearer {key}"}
    response = await client.post(WORKFLOWS, content=b'{"name": ', headers=headers)
    error = _assert_envelope(response, 400, "bad_request")
    assert "JSON" in error["message"]
    assert _workflow_count() == 0


async def test_declared_oversized_json_is_413_before_authentication(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(WORKFLOWS, content=b" " * (LIMIT + 1), headers=JSON)
    _assert_envelope(response, 413, "payload_too_large")


async def test_streamed_oversized_json_is_413(client: httpx.AsyncClient) -> None:
    key, _ = _user_with_key(role="admin")
    headers = {**JSON, "Authorization": f"Bearer {key}"}
    response = await client.post(WORKFLOWS, content=_chunks(LIMIT + 1, b" "), headers=headers)
    _assert_envelope(response, 413, "payload_too_large")
    assert _workflow_count() == 0


class _Item(BaseModel):
    name: str


def _body_app() -> FastAPI:
    """The API's own middleware and error handlers around two stand-in routes.

    They cover what no /api route does yet: one reads the raw body (as the webhook receiver
    will), one lets FastAPI validate a typed body (the workflows API validates in services).
    """
    api = FastAPI()
    install_error_handlers(api)

    @api.post("/api/raw")
    async def raw(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    @api.post("/api/item")
    async def item(body: _Item) -> dict:
        return {"name": body.name}

    api.add_middleware(BodySizeLimit, max_bytes=LIMIT)
    return api


async def test_streamed_oversized_body_is_413_when_a_route_reads_it() -> None:
    async with _client(_body_app()) as client:
        ok = await client.post("/api/raw", content=_chunks(LIMIT))
        assert ok.json() == {"bytes": LIMIT}
        assert "content-length" not in ok.request.headers
        response = await client.post("/api/raw", content=_chunks(LIMIT + 1))
        error = _assert_envelope(response, 413, "payload_too_large")
        assert error["details"] == {"max_bytes": LIMIT}


async def test_invalid_fields_are_422_with_their_paths() -> None:
    async with _client(_body_app()) as client:
        response = await client.post("/api/item", json={"name": 3})
        error = _assert_envelope(response, 422, "validation_failed")
        assert error["details"] == [{"path": "name", "message": "Input should be a valid string"}]
        assert (await client.post("/api/item", json={"name": "ok"})).json() == {"name": "ok"}
