"""Loopback stand-ins for Twilio's Messages API, GitHub Issues, Jira Cloud and Linear, as
documented; each checks the auth and the request shape and answers as the service does.

- Twilio: `POST /2010-04-01/Accounts/{sid}/Messages.json`, basic auth SID:token (else 401
  code 20003), form-encoded `To`, `From`, `Body`; a To that is not E.164 → 400 code 21211;
  → 201 the message (`sid` SM…, `status` queued, `num_segments`). `GET …/{sid}.json` → 200.
- GitHub: `POST /repos/{owner}/{repo}/issues` with `Authorization: Bearer <token>` (else 401
  "Bad credentials"), JSON `title` (required, else 422 "Validation Failed"), `body`, `labels`
  → 201 `{id, number, html_url, title}`; an unknown repository → 404 "Not Found".
- Jira: `POST /rest/api/3/issue`, basic auth email:token (else 401), `fields.project.key`,
  `fields.issuetype.name`, `fields.summary` and an ADF `fields.description`
  (`{"type": "doc", "version": 1, ...}`, else 400 with `errors.description`) → 201
  `{id, key, self}`. `GET /rest/api/3/myself` → 200 `{displayName}`.
- Linear: `POST /graphql` with `Authorization: <API key>` (no Bearer; else 400 with an
  AUTHENTICATION_ERROR), an `issueCreate` mutation with `variables.input.teamId` and `title`
  → `{"data": {"issueCreate": {"success": true, "issue": {...}}}}`; `viewer` queries answered.
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.integration.social.loopback import Answer, Seen, StandIn

ACCOUNT_SID = "AC" + "3f" * 16
AUTH_TOKEN = "tw1l1o-auth-t0ken-9f8e7d6c5b4a3"
GITHUB_TOKEN = "ghp_IssuesTok3nForTheStandIn000000000"
JIRA_EMAIL, JIRA_TOKEN = "ops@example.com", "ATATT3xJiraApiTok3nStandIn42"
LINEAR_KEY = "lin_api_L1nearKeyForTheStandIn0000000000"
REPO = "acme/api"
_ids = itertools.count(100)


def _basic(seen: Seen) -> tuple[str, str] | None:
    auth = seen.headers.get("authorization", "")
    if not auth.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
    return user, password


@dataclass
class TwilioStandIn(StandIn):
    messages: list[dict[str, str]] = field(default_factory=list)

    def answer(self, seen: Seen) -> Answer:
        if _basic(seen) != (ACCOUNT_SID, AUTH_TOKEN):
            return 401, {}, {"code": 20003, "message": "Authenticate", "status": 401}
        account = f"/2010-04-01/Accounts/{ACCOUNT_SID}"
        if seen.method == "GET" and seen.path == f"{account}.json":
            return 200, {}, {"sid": ACCOUNT_SID, "friendly_name": "Ops", "status": "active"}
        if seen.method != "POST" or seen.path != f"{account}/Messages.json":
            return 404, {}, {"code": 20404, "message": "The requested resource was not found"}
        if not seen.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return 400, {}, {"code": 21000, "message": "form encoding expected"}
        form = {k: v[0] for k, v in parse_qs(seen.raw.decode()).items()}
        if not re.match(r"^\+[1-9]\d{6,14}$", form.get("To", "")):
            message = f"The 'To' number {form.get('To')} is not a valid phone number."
            return 400, {}, {"code": 21211, "message": message, "status": 400}
        if not form.get("Body") or not form.get("From"):
            return 400, {}, {"code": 21602, "message": "Message body is required.", "status": 400}
        self.messages.append(form)
        sid = f"SM{next(_ids):032x}"
        return 201, {}, {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"],
                         "body": form["Body"], "num_segments": "1"}  # fmt: skip


@dataclass
class GithubIssuesStandIn(StandIn):
    issues: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Bearer {GITHUB_TOKEN}":
            return 401, {}, {"message": "Bad credentials"}
        if seen.method != "POST" or not seen.path.endswith("/issues"):
            return 404, {}, {"message": "Not Found"}
        if seen.path != f"/repos/{REPO}/issues":
            return 404, {}, {"message": "Not Found"}
        body = seen.json() or {}
        if not body.get("title"):
            return 422, {}, {"message": "Validation Failed",
                             "errors": [{"field": "title", "code": "missing_field"}]}  # fmt: skip
        number = len(self.issues) + 1
        self.issues.append(body)
        url = f"https://github.com/{REPO}/issues/{number}"
        return 201, {}, {"id": next(_ids), "number": number, "html_url": url,
                         "title": body["title"]}  # fmt: skip


@dataclass
class JiraStandIn(StandIn):
    issues: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, seen: Seen) -> Answer:
        if _basic(seen) != (JIRA_EMAIL, JIRA_TOKEN):
            return 401, {}, {"errorMessages": ["Client must be authenticated"], "errors": {}}
        if seen.method == "GET" and seen.path == "/rest/api/3/myself":
            return 200, {}, {"accountId": "5b10", "displayName": "Ops Bot"}
        if (seen.method, seen.path) != ("POST", "/rest/api/3/issue"):
            return 404, {}, {"errorMessages": ["not found"], "errors": {}}
        fields = (seen.json() or {}).get("fields") or {}
        errors = {}
        if not (fields.get("project") or {}).get("key"):
            errors["project"] = "Specify a valid project ID or key"
        if not (fields.get("issuetype") or {}).get("name"):
            errors["issuetype"] = "Specify an issue type"
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        description = fields.get("description")
        if description is not None and (
            not isinstance(description, dict)
            or description.get("type") != "doc"
            or description.get("version") != 1
        ):
            errors["description"] = "Operation value must be an Atlassian Document."
        if errors:
            return 400, {}, {"errorMessages": [], "errors": errors}
        self.issues.append(fields)
        key = f"{fields['project']['key']}-{len(self.issues)}"
        issue_id = str(next(_ids))
        return 201, {}, {"id": issue_id, "key": key,
                         "self": f"{self.base_url}/rest/api/3/issue/{issue_id}"}  # fmt: skip


@dataclass
class LinearStandIn(StandIn):
    issues: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != LINEAR_KEY:
            error = {"message": "Authentication required, not authenticated",
                     "extensions": {"code": "AUTHENTICATION_ERROR"}}  # fmt: skip
            return 400, {}, {"errors": [error]}
        if (seen.method, seen.path) != ("POST", "/graphql"):
            return 404, {}, {"errors": [{"message": "not found"}]}
        request = seen.json() or {}
        query = str(request.get("query") or "")
        if "viewer" in query:
            return 200, {}, {"data": {"viewer": {"id": "u1", "name": "Ops Bot"}}}
        if "issueCreate(input: $input)" not in query:
            return 400, {}, {"errors": [{"message": "Cannot query field"}]}
        issue = (request.get("variables") or {}).get("input") or {}
        if not issue.get("teamId") or not issue.get("title"):
            return 400, {}, {"errors": [{"message": "Argument Validation Error",
                                         "extensions": {"code": "INVALID_INPUT"}}]}  # fmt: skip
        self.issues.append(issue)
        number = len(self.issues)
        created = {"id": f"lin-{number}", "identifier": f"ENG-{number}", "title": issue["title"],
                   "url": f"https://linear.app/acme/issue/ENG-{number}"}  # fmt: skip
        return 200, {}, {"data": {"issueCreate": {"success": True, "issue": created}}}
