"""The published OpenAPI document names a real schema for every answer: each success body
is a named model, each error status the API's error envelope (also for 422)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from app.api import create_api


async def _document(db: Path) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    ]


async def test_every_success_body_is_a_named_model(db: Path) -> None:
    document = await _document(db)
    for name, op in _operations(document):
        success = {s: r for s, r in op["responses"].items() if s.startswith("2") and s != "204"}
        others = [s for s in op["responses"] if s == "204" or s.startswith("3")]
        assert success or others, name
        for status, response in success.items():
            content = response.get("content", {})
            if "application/json" not in content or name == "GET /api/audit/export":
                continue
            schema = content["application/json"]["schema"]
            assert "$ref" in schema, (name, status, schema)


async def test_every_error_status_is_the_error_envelope(db: Path) -> None:
    document = await _document(db)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    for name, op in _operations(document):
        errors = {s: r for s, r in op["responses"].items() if s[0] in "45"}
        health = name in ("GET /api/health", "GET /api/workflows/health")  # 002's path of it
        if not health:
            keyless = name.startswith("POST /api/hooks/") or "/api/approvals/link/" in name
            assert "401" in errors or keyless or "/auth/" in name, name
        for status, response in errors.items():
            if health:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (name, status)
