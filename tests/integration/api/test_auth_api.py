"""Browser sign-in over REST: HttpOnly cookies, the form's one-time code, 429 + Retry-After,
sign-out. Through the real ASGI app on a real SQLite file.

The per-address back-off lives for the whole test process: each test calls from an address
of its own (`client=` of the ASGI transport).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from app.api import create_api
from app.core.errors import AuthenticationFailed
from app.db.settings import get_settings
from app.services import auth, users, web_session
from app.services.actor import SYSTEM

PASSWORD = "s3cret-password"
_ADDRESSES = (f"10.40.0.{n}" for n in itertools.count(1))


def _client(address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_api(), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
def admin(db: Path) -> int:
    return users.create_user(SYSTEM, email="admin@example.com", role="admin", password=PASSWORD).id


@pytest.fixture
async def api(admin: int) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(next(_ADDRESSES)) as client:
        yield client


@pytest.fixture
def https_base_url() -> Iterator[None]:
    os.environ["FLOWDECK_BASE_URL"] = "https://flowdeck.example.com"
    get_settings.cache_clear()
    yield
    os.environ.pop("FLOWDECK_BASE_URL")
    get_settings.cache_clear()


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name, as sent (attributes included)."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        found[header.split("=", 1)[0]] = header
    return found


def _attributes(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


async def test_login_sets_httponly_strict_cookies_and_returns_no_token(
    api: httpx.AsyncClient,
) -> None:
    response = await api.post(
        "/api/auth/login", json={"email": "Admin@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"id": 1, "email": "admin@example.com", "name": "", "role": "admin"}
    cookies = _set_cookies(response)
    assert set(cookies) == {"flowdeck_session", "flowdeck_device"}
    for header in cookies.values():
        attributes = _attributes(header)
        assert {"httponly", "samesite=strict", "path=/"} <= attributes
        assert "secure" not in attributes  # the base URL is http here
    token = api.cookies["flowdeck_session"]
    assert token not in response.text
    assert auth.authenticate(token).email == "admin@example.com"


async def test_cookies_are_secure_on_an_https_base_url(
    api: httpx.AsyncClient, https_base_url: None
) -> None:
    response = await api.post(
        "/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    for header in _set_cookies(response).values():
        assert "secure" in _attributes(header)


async def test_wrong_passwords_then_429_with_retry_after(api: httpx.AsyncClient) -> None:
    wrong = {"email": "admin@example.com", "password": "wrong-password"}
    for _ in range(4):
        response = await api.post("/api/auth/login", json=wrong)
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "email or password is wrong"
    response = await api.post(
        "/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"] == {
        "code": "rate_limited",
        "message": "too many attempts; try again in 2 s",
        "details": {"retry_after": 2},
    }
    assert "set-cookie" not in response.headers


async def test_the_device_cookie_spares_its_browser_the_account_back_off(
    api: httpx.AsyncClient,
) -> None:
    good = {"email": "admin@example.com", "password": PASSWORD}
    assert (await api.post("/api/auth/login", json=good)).status_code == 200
    # Strangers elsewhere drive the account into its back-off ...
    async with _client("10.41.0.1") as stranger:
        for _ in range(5):
            await stranger.post("/api/auth/login", json={**good, "password": "nope-nope-no"})
        assert (await stranger.post("/api/auth/login", json=good)).status_code == 429
    # ... while the browser that signed in before (it holds the device cookie) gets in.
    assert (await api.post("/api/auth/login", json=good)).status_code == 200
    api.cookies.delete("flowdeck_device")
    assert (await api.post("/api/auth/login", json=good)).status_code == 429


async def test_the_forms_code_sets_the_cookies_once(api: httpx.AsyncClient, admin: int) -> None:
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    code = web_session.hand_off(token, admin, "/admin/workflows")
    response = await api.get("/api/auth/session", params={"code": code})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/workflows"
    cookies = _set_cookies(response)
    assert cookies["flowdeck_session"].startswith(f"flowdeck_session={token};")
    assert {"httponly", "samesite=strict"} <= _attributes(cookies["flowdeck_device"])
    again = await api.get("/api/auth/session", params={"code": code})
    assert (again.status_code, again.headers["location"]) == (303, "/login")
    assert "set-cookie" not in again.headers
    forged = await api.get("/api/auth/session", params={"code": "x" * 43})
    assert (forged.status_code, forged.headers["location"]) == (303, "/login")


async def test_a_code_names_only_a_local_page() -> None:
    assert web_session.safe_next("https://evil.example.com/") == "/"
    assert web_session.safe_next("//evil.example.com/") == "/"
    assert web_session.safe_next("/status") == "/status"


async def test_logout_ends_the_session_and_clears_the_cookie(api: httpx.AsyncClient) -> None:
    await api.post("/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD})
    token = api.cookies["flowdeck_session"]
    response = await api.post("/api/auth/logout")
    assert response.status_code == 200 and response.json() == {"signed_out": True}
    cleared = _set_cookies(response)["flowdeck_session"]
    assert cleared.startswith('flowdeck_session="";') or cleared.startswith("flowdeck_session=;")
    assert "max-age=0" in _attributes(cleared)
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(token)
    assert "flowdeck_device" in api.cookies  # the browser stays a known device
    again = await api.post("/api/auth/logout")
    assert again.json() == {"signed_out": False}


async def test_bad_bodies_answer_in_the_error_envelope(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/auth/login", json={"email": "a@example.com"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"
    response = await api.post("/api/auth/login", content=b"email=a", headers={"content-type": "x"})
    assert response.status_code in (400, 415)
    assert "error" in response.json()
