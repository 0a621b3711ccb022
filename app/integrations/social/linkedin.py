"""LinkedIn: post with the Posts API `POST /rest/posts` as a member or an organization.

Every request carries `Authorization: Bearer <token>`, `LinkedIn-Version: YYYYMM` (a monthly
version, each supported for about a year) and `X-Restli-Protocol-Version: 2.0.0`. The body
names the author URN (`urn:li:person:…` needs `w_member_social`, `urn:li:organization:…`
`w_organization_social`), the commentary in "little text" (reserved characters escaped,
hashtags as templates: `social_text` does both, within 3000 characters) and a public main-feed
distribution. Success is 201 with the post's URN in `x-restli-id`; errors are
`{"status", "serviceErrorCode", "code", "message"}`. The check is `GET /v2/userinfo`
(OpenID Connect), which also tells whether a person author is the token's member.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import httpx
from pydantic import AfterValidator, Field

from app.core.social_text import SocialPost, fit
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields
from app.integrations.social._http import check_failed, failed, json_of, send

LABEL = "LinkedIn"
DEFAULT_API = "https://api.linkedin.com"
DEFAULT_VERSION = "202609"
_AUTHOR = re.compile(r"urn:li:(person|organization):[A-Za-z0-9_-]+")
_VERSION = re.compile(r"20\d\d(0[1-9]|1[0-2])")


def _author(value: str) -> str:
    if not _AUTHOR.fullmatch(value):
        raise ValueError("must be urn:li:person:<id> or urn:li:organization:<id>")
    return value


def _version(value: str) -> str:
    if not _VERSION.fullmatch(value):
        raise ValueError("must be a year and month, YYYYMM (such as 202609)")
    return value


class LinkedInSecrets(_Fields):
    """An OAuth 2.0 access token of the member who posts (or an admin of the organization)."""

    access_token: str = Field(
        min_length=1,
        title="Access token",
        description="OAuth 2.0 token with w_member_social (or w_organization_social for a "
        "page) and openid profile for the check",
    )


class LinkedInConfig(_Fields):
    """Who posts, and which monthly version of the API is asked for."""

    author: Annotated[str, AfterValidator(_author)] = Field(
        title="Author URN",
        description="who posts: urn:li:person:<id> (the id is 'sub' of /v2/userinfo) or "
        "urn:li:organization:<page id>",
    )
    version: Annotated[str, AfterValidator(_version)] = Field(
        DEFAULT_VERSION,
        title="API version",
        description="LinkedIn-Version header, YYYYMM; each version is served about a year",
    )
    api_base: HttpUrl = Field(
        DEFAULT_API, title="API base URL", description="https://api.linkedin.com"
    )


SPEC = PlatformSpec(
    ("oauth",), {"oauth": LinkedInSecrets}, LinkedInConfig, {"oauth": "access_token"}
)


def _url(conn: ResolvedConnection, path: str) -> str:
    return str(conn.config.get("api_base") or DEFAULT_API).rstrip("/") + path


def _headers(conn: ResolvedConnection) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {conn.credentials.get('access_token', '')}",
        "LinkedIn-Version": str(conn.config.get("version") or DEFAULT_VERSION),
        "X-Restli-Protocol-Version": "2.0.0",
    }


def post_body(author: str, commentary: str) -> dict[str, Any]:
    """The Posts API body of a public text post (the link stays in the text)."""
    return {
        "author": author,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def error_detail(data: dict[str, Any]) -> str:
    """The readable part of a LinkedIn error body."""
    code, message = data.get("code"), data.get("message")
    return ": ".join(str(p) for p in (code, message) if p)


async def post(
    client: httpx.AsyncClient, conn: ResolvedConnection, post: SocialPost, *, key: str = ""
) -> Delivery:
    """Publish `post` on the author's feed; `key` is unused (no idempotency key)."""
    author = str(conn.config.get("author") or "")
    if not author:
        return Delivery(False, None, f"connection {conn.name!r} names no author URN", "error")
    fitted = fit(post, "linkedin")
    if not fitted.ok:
        return Delivery(False, None, f"LinkedIn: {fitted.error}", "error")
    response = await send(
        client,
        "POST",
        _url(conn, "/rest/posts"),
        json=post_body(author, fitted.text),
        headers=_headers(conn),
    )
    if response.status_code in (200, 201):
        urn = response.headers.get("x-restli-id")
        link = f"https://www.linkedin.com/feed/update/{urn}/" if urn else None
        return Delivery(True, response.status_code, text=fitted.text, url=link)
    return failed(response, LABEL, error_detail(json_of(response)))


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """`GET /v2/userinfo`: the token is valid; a person author must be the token's member."""
    response = await client.get(_url(conn, "/v2/userinfo"), headers=_headers(conn))
    if response.status_code != 200:
        return check_failed(response, LABEL, error_detail(json_of(response)))
    data = json_of(response)
    member = f"urn:li:person:{data.get('sub')}" if data.get("sub") else None
    author = str(conn.config.get("author") or "")
    name = f" ({data['name']})" if data.get("name") else ""
    if member and author.startswith("urn:li:person:") and author != member:
        return VerifyResult(
            False,
            f"LinkedIn accepted the token, but it belongs to {member}{name}, not the author "
            f"{author}: posts would be refused",
            200,
        )
    return VerifyResult(True, f"LinkedIn accepted the token of {member or 'the member'}{name}", 200)
