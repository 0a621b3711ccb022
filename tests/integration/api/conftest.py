"""Fixtures of the API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.integration.api.deployed import admin_client


@pytest.fixture
async def admin(db: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The deployed API, called with a new admin's key."""
    async for client in admin_client():
        yield client
