"""Twilio Programmable Messaging: `POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json`.

HTTP basic auth with the Account SID as the user and the auth token as the password; the
body is form-encoded `To`, `From` (a Twilio number, E.164) and `Body` (≤ 1600 characters).
Twilio answers 201 with the message (`sid`, `status` "queued", `to`, `from`, `num_segments`),
400 `{"code", "message", "more_info", "status"}` (21211 invalid To, 21606 From not yours),
401 code 20003 for bad credentials. The check is `GET …/Accounts/{AccountSid}.json`, which
reads the account and sends nothing.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field

from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.ops._http import delivered, json_of
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields

LABEL = "Twilio"
DEFAULT_BASE = "https://api.twilio.com"
E164 = r"^\+[1-9]\d{6,14}$"


class TwilioSecrets(_Fields):
    """The account's auth token (Console → Account info)."""

    auth_token: str = Field(min_length=1, max_length=200, title="Auth token")


class TwilioConfig(_Fields):
    """The account, the number messages come from, where requests go."""

    account_sid: str = Field(pattern=r"^AC[0-9a-fA-F]{32}$", title="Account SID")
    from_number: str = Field(pattern=E164, title="From number", description="E.164: +15005550006")
    api_base: HttpUrl = Field(DEFAULT_BASE, title="API base URL")


SPEC = PlatformSpec(
    ("api_key",), {"api_key": TwilioSecrets}, TwilioConfig, {"api_key": "auth_token"}
)


def _auth(conn: ResolvedConnection) -> httpx.BasicAuth:
    return httpx.BasicAuth(conn.config["account_sid"], conn.credentials["auth_token"])


def _account_url(conn: ResolvedConnection, tail: str) -> str:
    base = conn.config.get("api_base") or DEFAULT_BASE
    return join_url(base, f"/2010-04-01/Accounts/{conn.config['account_sid']}{tail}")


def _detail(response: httpx.Response) -> str:
    data = json_of(response)
    if isinstance(data, dict) and data.get("message"):
        return f"{data['message']} (code {data.get('code')})"
    return ""


async def send_sms(
    client: httpx.AsyncClient, conn: ResolvedConnection, *, to: str, body: str, sender: str
) -> tuple[Delivery, dict[str, Any]]:
    """One message; the delivery and Twilio's message (its `sid`, `status`, segments)."""
    response = await client.post(
        _account_url(conn, "/Messages.json"),
        data={"To": to, "From": sender, "Body": body},
        auth=_auth(conn),
    )
    data = json_of(response)
    return delivered(response, LABEL, _detail(response)), data if isinstance(data, dict) else {}


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    response = await client.get(_account_url(conn, ".json"), auth=_auth(conn))
    data = json_of(response)
    if response.is_success and isinstance(data, dict):
        name = data.get("friendly_name") or conn.config["account_sid"]
        return VerifyResult(True, f"Twilio account {name} ({data.get('status')})", 200)
    result = delivered(response, LABEL, _detail(response))
    return VerifyResult(False, result.error or "refused", response.status_code)
