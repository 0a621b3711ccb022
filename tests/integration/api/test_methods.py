"""OPTIONS and 405 on every API path: `Allow` names exactly the methods the path takes.

The expected methods come from the published OpenAPI document, so a route added later is
covered without touching this test.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.integration.api.deployed import deployed_api

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
async def client(db: Path) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=deployed_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def _documented(client: httpx.AsyncClient) -> dict[str, set[str]]:
    """{concrete path: documented methods}, path parameters filled with 1."""
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    return {
        re.sub(r"\{[^}]+\}", "1", path): {m.upper() for m in ops} & METHODS
        for path, ops in paths.items()
    }


async def test_options_on_api_me_is_204_with_get_and_options(client: httpx.AsyncClient) -> None:
    response = await client.options("/api/me")
    assert response.status_code == 204, response.text
    assert response.headers["allow"] == "GET, OPTIONS"
    assert response.content == b""


async def test_options_on_every_path_lists_exactly_its_methods(
    client: httpx.AsyncClient,
) -> None:
    documented = await _documented(client)
    assert len(documented) > 30
    for path, methods in documented.items():
        response = await client.options(path)
        assert response.status_code == 204, (path, response.text)
        allowed = set(response.headers["allow"].split(", "))
        assert allowed == methods | {"OPTIONS"}, path


async def test_a_method_a_path_does_not_take_is_405_with_the_same_allow(
    client: httpx.AsyncClient,
) -> None:
    for path, methods in (await _documented(client)).items():
        for method in sorted(METHODS - methods):
            response = await client.request(method, path)
            assert response.status_code == 405, (method, path, response.text)
            assert set(response.headers["allow"].split(", ")) == methods | {"OPTIONS"}
            assert response.json()["error"]["code"] == "method_not_allowed"


async def test_options_on_an_unknown_path_is_404(client: httpx.AsyncClient) -> None:
    response = await client.options("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "allow" not in response.headers


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
async def test_a_method_no_route_names_stays_in_the_api(
    client: httpx.AsyncClient, method: str
) -> None:
    """Not the web app's HTML: the API's own 405 with the path's methods."""
    response = await client.request(method, "/api/me")
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "GET, OPTIONS"
    assert response.json()["error"]["code"] == "method_not_allowed"
