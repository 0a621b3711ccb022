"""Loopback stand-ins for PagerDuty's Events API v2 and Opsgenie's Alert API, as documented.

PagerDuty (`POST /v2/enqueue`): the body must carry the known `routing_key` (else 400
`{"status": "invalid event", "message": "Event object is invalid", "errors": ["Invalid routing
key"]}`), an `event_action` of trigger / acknowledge / resolve, and for `trigger` a `payload`
with `summary` (≤ 1024), `source` and a `severity` of critical / error / warning / info; a
`dedup_key` is needed to acknowledge or resolve. Accepted → 202 `{"status": "success",
"message": "Event processed", "dedup_key"}`; the alerts are kept by dedup key.

Opsgenie: `Authorization: GenieKey <key>` on every request (else 401 `{"message": "Key
format is not valid!"}` or 403 for an unknown key). `POST /v2/alerts` needs `message`
(≤ 130); `PUT /v2/alerts/{alias}/priority`, `POST …/acknowledge`, `…/notes`, `…/close` need
`identifierType=alias` and a known alias (else 404 `{"message": "Alert with alias … does not
exist"}`; the real API processes asynchronously, the stand-in at once). Accepted → 202
`{"result": "Request will be processed", "took": 0.01, "requestId"}`. `GET /v2/alerts` → 200.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from tests.integration.social.loopback import Answer, Seen, StandIn

ROUTING_KEY = "R0ut1ngKeyPagerDutyE2v2a9b8c7d6"
GENIE_KEY = "eb243592-faa2-4ba2-a551-1afdf565c889"
_ids = itertools.count(1)


@dataclass
class PagerDutyStandIn(StandIn):
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answer(self, seen: Seen) -> Answer:
        if (seen.method, seen.path) != ("POST", "/v2/enqueue"):
            return 404, {}, {"error": "not found"}
        body = seen.json() or {}
        errors = self._errors(body)
        if errors:
            invalid = {"status": "invalid event", "message": "Event object is invalid"}
            return 400, {}, {**invalid, "errors": errors}
        key, action = body.get("dedup_key") or f"pd-{next(_ids)}", body["event_action"]
        alert = self.alerts.setdefault(key, {"status": "triggered", "events": []})
        alert["events"].append(action)
        if action == "trigger":
            alert.update(status="triggered", severity=body["payload"]["severity"],
                         summary=body["payload"]["summary"])  # fmt: skip
        else:
            alert["status"] = {"acknowledge": "acknowledged", "resolve": "resolved"}[action]
        return 202, {}, {"status": "success", "message": "Event processed", "dedup_key": key}

    @staticmethod
    def _errors(body: dict[str, Any]) -> list[str]:
        if body.get("routing_key") != ROUTING_KEY:
            return ["Invalid routing key"]
        action = body.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            return ["'event_action' is invalid (must be one of trigger, acknowledge, resolve)"]
        if action != "trigger":
            return [] if body.get("dedup_key") else ["'dedup_key' is missing"]
        payload = body.get("payload") or {}
        problems = [f"'payload.{k}' is missing" for k in ("summary", "source", "severity")
                    if not payload.get(k)]  # fmt: skip
        if payload.get("severity") not in (None, "critical", "error", "warning", "info"):
            problems.append("'payload.severity' is invalid")
        if len(str(payload.get("summary") or "")) > 1024:
            problems.append("'payload.summary' is too long")
        return problems


_ALIAS_PATH = re.compile(r"^/v2/alerts/([^/]+)/(priority|acknowledge|notes|close)$")


@dataclass
class OpsgenieStandIn(StandIn):
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answer(self, seen: Seen) -> Answer:
        auth = seen.headers.get("authorization", "")
        if not auth.startswith("GenieKey "):
            return 401, {}, {"message": "Key format is not valid!", "took": 0.0}
        if auth != f"GenieKey {GENIE_KEY}":
            return 403, {}, {"message": "You are not authorized", "took": 0.0}
        accepted = {"result": "Request will be processed", "took": 0.01,
                    "requestId": f"req-{next(_ids)}"}  # fmt: skip
        if seen.method == "GET" and seen.path == "/v2/alerts":
            return 200, {}, {"data": [], "took": 0.01, "requestId": "list"}
        body = seen.json() or {}
        if seen.method == "POST" and seen.path == "/v2/alerts":
            message = str(body.get("message") or "")
            if not message or len(message) > 130:
                errors = {"message": "Message can not be empty or > 130"}
                return 422, {}, {"message": "Request body is not processable", "errors": errors}
            alias = body.get("alias") or f"og-{next(_ids)}"
            alert = self.alerts.setdefault(alias, {"notes": [], "count": 0})
            alert.update(status="open", priority=body.get("priority", "P3"), message=message)
            alert["count"] += 1
            return 202, {}, accepted
        match = _ALIAS_PATH.match(seen.path)
        if match is None or "identifierType=alias" not in seen.query:
            return 404, {}, {"message": "Could not find the alert (identifierType=id)"}
        alias, verb = match.groups()
        if alias not in self.alerts:
            return 404, {}, {"message": f"Alert with alias [{alias}] does not exist"}
        alert = self.alerts[alias]
        if verb == "priority":
            if seen.method != "PUT" or body.get("priority") not in ("P1", "P2", "P3", "P4", "P5"):
                return 422, {}, {"message": "Priority should be one of [P1, P2, P3, P4, P5]"}
            alert["priority"] = body["priority"]
        elif verb == "acknowledge":
            alert["status"] = "acked"
        elif verb == "close":
            alert["status"] = "closed"
        else:
            if not body.get("note"):
                return 422, {}, {"message": "Note can not be empty"}
            alert["notes"].append(body["note"])
        return 202, {}, accepted
