"""The frontend's fingerprinted files are served as immutable; pages and the API are not."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from app.api.static_cache import IMMUTABLE, ImmutableAssets, is_fingerprinted


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/assets/DynamicIcon-CwXvUWuh.js", True),
        ("/assets/fonts/KaTeX_AMS-Regular-BQhdFMY1.woff2", True),
        ("/assets/", False),
        ("/assets", False),
        ("/admin/workflows", False),
        ("/api/assets/x.js", False),
        ("/assets/../admin.html", False),
    ],
)
def test_which_paths_are_fingerprinted(path: str, expected: bool) -> None:
    assert is_fingerprinted(path) is expected


@pytest.fixture
def client(tmp_path: Path) -> httpx.AsyncClient:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app-Ab12Cd34.js").write_text("console.log(1)")
    (tmp_path / "admin.html").write_text("<html></html>")
    site = Starlette(
        routes=[
            Route("/api/health", lambda _request: PlainTextResponse("ok")),
            Mount("/", StaticFiles(directory=tmp_path, html=True)),
        ]
    )
    transport = httpx.ASGITransport(app=ImmutableAssets(site))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_an_asset_is_immutable_and_the_rest_is_not(client: httpx.AsyncClient) -> None:
    async with client:
        asset = await client.get("/assets/app-Ab12Cd34.js")
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == IMMUTABLE.decode()
        assert asset.headers.get_list("cache-control") == [IMMUTABLE.decode()]
        assert (await client.head("/assets/app-Ab12Cd34.js")).headers["cache-control"]

        missing = await client.get("/assets/gone-00000000.js")
        assert missing.status_code == 404
        assert "cache-control" not in missing.headers  # a 404 must not stick in a cache

        page = await client.get("/admin.html")
        assert page.status_code == 200 and "cache-control" not in page.headers
        assert "cache-control" not in (await client.get("/api/health")).headers
