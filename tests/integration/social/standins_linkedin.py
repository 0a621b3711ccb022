"""A loopback stand-in for LinkedIn's Posts API (`POST /rest/posts`) and `GET /v2/userinfo`.

- Auth: `Authorization: Bearer <token>` → else 401 `{"status", "serviceErrorCode": 65600,
  "code": "INVALID_ACCESS_TOKEN", "message"}`.
- Versioned calls need `LinkedIn-Version: YYYYMM` (missing or unknown → 426
  `NONEXISTENT_VERSION`) and `X-Restli-Protocol-Version: 2.0.0` (else 400).
- The body must have the author, commentary, visibility, distribution and lifecycle fields of
  the documentation; an author other than the token's member → 403 `ACCESS_DENIED`; a
  commentary over 3000 characters → 422. The documentation asks for reserved characters to be
  escaped (LinkedIn otherwise loses text silently): this stand-in refuses them with 400 so a
  test sees it. Success: 201, empty body, `x-restli-id: urn:li:share:<n>`.
- `GET /v2/userinfo` → `{"sub", "name", "email"}` of the member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.integration.social.loopback import Answer, Seen, StandIn

LI_TOKEN = "AQV-linkedin-token-6yXq2Pb9Ds4Kf7Wm"
MEMBER_ID = "782bbtaQ"
MEMBER = f"urn:li:person:{MEMBER_ID}"
_REQUIRED = {"author", "commentary", "visibility", "distribution", "lifecycleState"}
_TEMPLATE = re.compile(r"\{hashtag\|\\#\|\w+\}")
_UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*[|{}@\[\]()<>#*_~]")


def error(status: int, code: str, message: str, service_code: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service_code:
        body["serviceErrorCode"] = service_code
    return body


@dataclass
class LinkedInStandIn(StandIn):
    token: str = LI_TOKEN
    member: str = MEMBER
    posts: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            msg = "Invalid access token"
            return 401, {}, error(401, "INVALID_ACCESS_TOKEN", msg, 65600)
        if seen.method == "GET" and seen.path == "/v2/userinfo":
            return 200, {}, {"sub": MEMBER_ID, "name": "Ada Lovelace", "email": "ada@example.com"}
        if seen.method == "POST" and seen.path == "/rest/posts":
            return self._post(seen)
        return 404, {}, error(404, "NOT_FOUND", f"no resource {seen.path}")

    def _post(self, seen: Seen) -> Answer:
        version = seen.headers.get("linkedin-version", "")
        if not re.fullmatch(r"20\d\d(0[1-9]|1[0-2])", version):
            msg = f"Requested version {version or '(none)'} is not active"
            return 426, {}, error(426, "NONEXISTENT_VERSION", msg)
        if seen.headers.get("x-restli-protocol-version") != "2.0.0":
            return 400, {}, error(400, "BAD_REQUEST", "X-Restli-Protocol-Version 2.0.0 required")
        body = seen.json()
        if not isinstance(body, dict) or not set(body) >= _REQUIRED:
            return 422, {}, error(422, "UNPROCESSABLE_ENTITY", "missing required fields")
        if body["author"] != self.member:
            msg = "Not enough permissions to access: partnerApiPostsExternal.CREATE.20240501"
            return 403, {}, error(403, "ACCESS_DENIED", msg, 100)
        commentary = body["commentary"]
        if len(commentary) > 3000:
            msg = "/commentary :: length of commentary exceeds the maximum 3000"
            return 422, {}, error(422, "UNPROCESSABLE_ENTITY", msg)
        if _UNESCAPED.search(_TEMPLATE.sub("", commentary)):
            return (
                400,
                {},
                error(400, "BAD_REQUEST", "commentary has unescaped reserved characters"),
            )
        self.posts.append(body)
        return 201, {"x-restli-id": f"urn:li:share:{7000000000000000000 + len(self.posts)}"}, b""
