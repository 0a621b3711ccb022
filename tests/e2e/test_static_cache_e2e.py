"""The running app serves its fingerprinted frontend files as immutable, its pages fresh."""

from __future__ import annotations

import re

import httpx


def test_assets_are_cached_for_good_and_pages_are_not(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "immutable" not in page.headers.get("cache-control", "")
        scripts = re.findall(r'["\'](/assets/[\w.\-/]+\.js)["\']', page.text)
        assert scripts, "the page names no /assets/ script"
        asset = client.get(scripts[0])
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
