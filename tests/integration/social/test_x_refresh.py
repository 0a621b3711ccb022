"""X's two-hour user tokens: a refused token is refreshed once with the single-use refresh
token, the new pair is stored encrypted, concurrent posts refresh once, a refused refresh is
named without secrets."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.social_text import SocialPost
from app.engine.messaging import post_social
from app.integrations.credentials import load_connection
from app.integrations.verify import verify
from app.services import connections
from app.services.actor import Actor
from tests.integration.social.loopback import serving
from tests.integration.social.standins_x import X_CLIENT_ID, X_REFRESH, X_TOKEN, XStandIn

EXPIRED = "x-expired-token-Hw2Ks9Lp4Qr7"


@pytest.fixture
def x_api() -> Iterator[XStandIn]:
    with serving(XStandIn()) as stand_in:
        yield stand_in


def _stored(member: Actor, api: XStandIn, **secrets: str) -> int:
    body = {
        "name": "brand-x",
        "platform": "x",
        "credentials": {"accessToken": EXPIRED, "refreshToken": X_REFRESH, **secrets},
        "config": {"apiBase": api.base_url, "clientId": X_CLIENT_ID},
    }
    return connections.create_connection(member, body)["id"]


async def test_an_expired_token_is_refreshed_and_stored(
    db: Path, member: Actor, x_api: XStandIn
) -> None:
    conn_id = _stored(member, x_api)
    delivery = await post_social(load_connection(conn_id), SocialPost("first"))
    assert delivery.ok, delivery
    assert x_api.refreshes == 1 and x_api.tweets == ["first"]
    [refresh] = x_api.to("/2/oauth2/token")
    assert "authorization" not in refresh.headers  # a public client sends no secret
    stored = load_connection(conn_id).credentials
    assert stored["access_token"] == x_api.token != EXPIRED
    assert stored["refresh_token"] in x_api.refresh_tokens and stored["refresh_token"] != X_REFRESH
    assert connections.get_connection(member, conn_id)["secret_hint"].endswith(x_api.token[-4:])
    again = await post_social(load_connection(conn_id), SocialPost("second"))
    assert again.ok and x_api.refreshes == 1  # the stored token is used as it is


async def test_a_confidential_client_authenticates_the_refresh(
    db: Path, member: Actor, x_api: XStandIn
) -> None:
    x_api.client_secret = "x-client-secret-Zm4Qd8"
    conn_id = _stored(member, x_api, clientSecret="x-client-secret-Zm4Qd8")
    assert (await post_social(load_connection(conn_id), SocialPost("hi"))).ok
    pair = base64.b64encode(f"{X_CLIENT_ID}:x-client-secret-Zm4Qd8".encode()).decode()
    assert x_api.to("/2/oauth2/token")[0].headers["authorization"] == f"Basic {pair}"


async def test_posts_at_once_refresh_once(db: Path, member: Actor, x_api: XStandIn) -> None:
    conn_id = _stored(member, x_api)
    conn = load_connection(conn_id)
    results = await asyncio.gather(*(post_social(conn, SocialPost(f"post {i}")) for i in range(3)))
    assert all(r.ok for r in results), results
    assert x_api.refreshes == 1 and sorted(x_api.tweets) == ["post 0", "post 1", "post 2"]


async def test_a_refused_refresh_is_named_without_secrets(
    db: Path, member: Actor, x_api: XStandIn
) -> None:
    x_api.refresh_tokens = {"some-other-refresh-token"}
    conn_id = _stored(member, x_api)
    delivery = await post_social(load_connection(conn_id), SocialPost("hi"))
    assert not delivery.ok and delivery.status == 401 and delivery.kind == "error"
    assert delivery.error == (
        "X answered 401: the credentials were refused (Unauthorized; refreshing the token "
        "failed (400 invalid_request: Value passed for the token was invalid.))"
    )
    text = str(delivery.as_dict())
    assert EXPIRED not in text and X_REFRESH not in text
    assert load_connection(conn_id).credentials["access_token"] == EXPIRED  # nothing stored


async def test_verify_refreshes_too(db: Path, member: Actor, x_api: XStandIn) -> None:
    conn_id = _stored(member, x_api)
    result = await verify(load_connection(conn_id))
    assert result.ok and "@flowdeck" in result.message and x_api.refreshes == 1


async def test_without_a_refresh_token_a_refused_token_is_just_refused(
    db: Path, member: Actor, x_api: XStandIn
) -> None:
    body = {"name": "plain-x", "platform": "x", "credentials": {"accessToken": EXPIRED},
            "config": {"apiBase": x_api.base_url}}  # fmt: skip
    conn_id = connections.create_connection(member, body)["id"]
    delivery = await post_social(load_connection(conn_id), SocialPost("hi"))
    assert delivery.status == 401 and x_api.to("/2/oauth2/token") == []
    assert X_TOKEN not in str(delivery.as_dict())
