"""Bluesky: a session from an app password, then one `app.bsky.feed.post` record.

`POST {service}/xrpc/com.atproto.server.createSession` `{"identifier", "password"}` (a handle,
DID or e-mail and an app password) answers `{"accessJwt", "did", "handle", …}`;
`POST /xrpc/com.atproto.repo.createRecord` with `Authorization: Bearer <accessJwt>` and
`{"repo": did, "collection": "app.bsky.feed.post", "record": {"$type", "text", "createdAt",
"facets"}}` answers `{"uri", "cid"}`. Links and hashtags are not detected by Bluesky: they are
facets with UTF-8 byte offsets, which `social_text` computes along with the 300-grapheme fit.
Errors are `{"error", "message"}`; a 429 carries `ratelimit-reset` (epoch seconds). The session
token is kept in memory for reuse (`bluesky_sessions`: createSession is rate-limited hard),
never stored nor shown. The check is createSession.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import Field

from app.core.social_text import Fitted, SocialPost, fit
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields
from app.integrations.social import bluesky_sessions as sessions
from app.integrations.social._http import check_failed, failed, json_of, send
from app.integrations.social._limits import reset_wait

LABEL = "Bluesky"
DEFAULT_SERVICE = "https://bsky.social"
_WAIT = reset_wait("ratelimit-reset")


class BlueskySecrets(_Fields):
    """An app password (Settings → Privacy and security → App passwords), not the account's."""

    app_password: str = Field(
        min_length=1,
        title="App password",
        description="Settings → Privacy and security → App passwords (xxxx-xxxx-xxxx-xxxx); "
        "never the account's own password",
    )


class BlueskyConfig(_Fields):
    """The account that posts and the server (PDS) it lives on."""

    identifier: str = Field(
        min_length=3,
        max_length=253,
        title="Handle",
        description="the account's handle (name.bsky.social), DID or e-mail",
    )
    service: HttpUrl = Field(
        DEFAULT_SERVICE,
        title="Service URL",
        description="https://bsky.social, or the account's own PDS",
    )


SPEC = PlatformSpec(
    ("api_key",), {"api_key": BlueskySecrets}, BlueskyConfig, {"api_key": "app_password"}
)


def _url(conn: ResolvedConnection, method: str) -> str:
    base = str(conn.config.get("service") or DEFAULT_SERVICE).rstrip("/")
    return f"{base}/xrpc/{method}"


def error_detail(data: dict[str, Any]) -> str:
    """The readable part of an XRPC error body."""
    return ": ".join(str(data[k]) for k in ("error", "message") if data.get(k))


async def _session(client: httpx.AsyncClient, conn: ResolvedConnection) -> httpx.Response:
    body = {
        "identifier": str(conn.config.get("identifier") or ""),
        "password": conn.credentials.get("app_password", ""),
    }
    return await send(
        client, "POST", _url(conn, "com.atproto.server.createSession"), json=body, wait_of=_WAIT
    )


def record(fitted: Fitted, now: datetime, post: SocialPost | None = None) -> dict[str, Any]:
    """The `app.bsky.feed.post` record of a fitted text; a post with a link and a title also
    gets the link card (`app.bsky.embed.external`), which Bluesky does not make by itself."""
    data: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": fitted.text,
        "createdAt": now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if fitted.facets:
        data["facets"] = [f.as_record() for f in fitted.facets]
    if post is not None and post.link and post.title:
        card = {"uri": post.link, "title": post.title[:300], "description": ""}
        data["embed"] = {"$type": "app.bsky.embed.external", "external": card}
    return data


def _web_url(uri: str) -> str | None:
    """`at://did/app.bsky.feed.post/rkey` → the post's address on bsky.app."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) == 3 and parts[1] == "app.bsky.feed.post":
        return f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}"
    return None


async def _new_session(
    client: httpx.AsyncClient, conn: ResolvedConnection
) -> sessions.Session | Delivery:
    answer = await _session(client, conn)
    data = json_of(answer)
    if answer.status_code != 200 or not data.get("accessJwt") or not data.get("did"):
        return failed(answer, LABEL, error_detail(data) or "no session", wait_of=_WAIT)
    return sessions.keep(conn, str(data["accessJwt"]), str(data["did"]))


async def _create(
    client: httpx.AsyncClient, conn: ResolvedConnection, session: sessions.Session, rec: dict
) -> httpx.Response:
    body = {"repo": session.did, "collection": "app.bsky.feed.post", "record": rec}
    return await send(
        client,
        "POST",
        _url(conn, "com.atproto.repo.createRecord"),
        json=body,
        headers={"Authorization": f"Bearer {session.access_jwt}"},
        wait_of=_WAIT,
    )


async def post(
    client: httpx.AsyncClient, conn: ResolvedConnection, post: SocialPost, *, key: str = ""
) -> Delivery:
    """Publish `post` as a Bluesky post with link and tag facets; `key` is unused."""
    fitted = fit(post, "bluesky")
    if not fitted.ok:
        return Delivery(False, None, f"Bluesky: {fitted.error}", "error")
    rec = record(fitted, datetime.now(UTC), post)
    session = sessions.kept(conn)
    fresh = session is None
    if session is None:
        made = await _new_session(client, conn)
        if isinstance(made, Delivery):
            return made
        session = made
    response = await _create(client, conn, session, rec)
    if not fresh and json_of(response).get("error") in sessions.REFUSED:
        sessions.forget(conn)  # the kept token expired or the PDS forgot it: sign in again
        made = await _new_session(client, conn)
        if isinstance(made, Delivery):
            return made
        response = await _create(client, conn, made, rec)
    if response.status_code == 200:
        uri = str(json_of(response).get("uri") or "")
        return Delivery(True, 200, text=fitted.text, url=_web_url(uri) if uri else None)
    if json_of(response).get("error") in sessions.REFUSED:
        sessions.forget(conn)
    return failed(response, LABEL, error_detail(json_of(response)), wait_of=_WAIT)


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """createSession: the identifier and app password are accepted."""
    response = await _session(client, conn)
    data = json_of(response)
    if response.status_code == 200 and data.get("accessJwt"):
        if data.get("did"):
            sessions.keep(conn, str(data["accessJwt"]), str(data["did"]))
        who = data.get("handle") or data.get("did") or "the account"
        return VerifyResult(True, f"Bluesky accepted the app password of {who}", 200)
    return check_failed(response, LABEL, error_detail(data))
