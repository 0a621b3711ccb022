"""Loopback stand-ins for GitHub Actions and GitLab pipelines, as documented.

GitHub (`Authorization: Bearer <token>`, else 401 "Bad credentials"):
- `POST /repos/{repo}/actions/workflows/{workflow}/dispatches` `{ref, inputs?}`: an unknown
  workflow → 404 "Not Found"; no `ref` → 422; input values must be strings (else 422
  "Invalid request. For 'properties/x', 1 is not a string."); → 204, and a run is queued
  (`event` workflow_dispatch, `head_branch` ref, `created_at` now, `status` queued).
- `GET …/workflows/{workflow}/runs?event=&branch=` → `{"total_count", "workflow_runs"}`; each
  listing moves a run one state on (queued → in_progress → completed with `conclusion`).
GitLab:
- `POST /api/v4/projects/{id}/trigger/pipeline` form `token`, `ref`, `variables[K]`: a wrong
  token → 404 `{"message": "404 Not Found"}`; → 201 the pipeline (`id`, `status` created,
  `ref`, `web_url`).
- `GET /api/v4/projects/{id}/pipelines/{pid}` with `PRIVATE-TOKEN` (else 401 `{"message":
  "401 Unauthorized"}`): each read moves it on (created → running → success or failed).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from tests.integration.social.loopback import Answer, Seen, StandIn

GH_TOKEN = "ghp_DeployTok3nForTheStandIn0000000000"
GL_TRIGGER, GL_ACCESS = "glptt-Tr1ggerTok3nStandIn0000", "glpat-Acc3ssTok3nStandIn00000"
REPO, WORKFLOW, PROJECT = "acme/shop", "deploy.yml", "acme/shop"
_ids = itertools.count(5000)
_DISPATCH = re.compile(r"^/repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/(dispatches|runs)$")


@dataclass
class GithubActionsStandIn(StandIn):
    dispatches: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    conclusion: str = "success"

    def answer(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Bearer {GH_TOKEN}":
            return 401, {}, {"message": "Bad credentials"}
        match = _DISPATCH.match(seen.path)
        if match is None or match.group(1) != REPO or match.group(2) != WORKFLOW:
            return 404, {}, {"message": "Not Found"}
        if match.group(3) == "runs":
            query = parse_qs(seen.query)
            found = [r for r in self.runs if r["head_branch"] == query.get("branch", [""])[0]
                     and r["event"] == query.get("event", [""])[0]]  # fmt: skip
            for run in found:
                self._advance(run)
            return 200, {}, {"total_count": len(found), "workflow_runs": found}
        body = seen.json() or {}
        if not body.get("ref"):
            return 422, {}, {"message": 'Invalid request. "ref" wasn\'t supplied.'}
        for key, value in (body.get("inputs") or {}).items():
            if not isinstance(value, str):
                return 422, {}, {"message": f"Invalid request. For 'properties/{key}', "
                                            f"{value} is not a string."}  # fmt: skip
        self.dispatches.append(body)
        run_id = next(_ids)
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        url = f"https://github.com/{REPO}/actions/runs/{run_id}"
        self.runs.append({"id": run_id, "event": "workflow_dispatch", "head_branch": body["ref"],
                          "created_at": created, "status": "queued", "conclusion": None,
                          "html_url": url})  # fmt: skip
        return 204, {}, b""

    def _advance(self, run: dict[str, Any]) -> None:
        if run["status"] == "queued":
            run["status"] = "in_progress"
        elif run["status"] == "in_progress":
            run["status"], run["conclusion"] = "completed", self.conclusion


@dataclass
class GitlabStandIn(StandIn):
    pipelines: dict[int, dict[str, Any]] = field(default_factory=dict)
    triggers: list[dict[str, str]] = field(default_factory=list)
    result: str = "success"

    def answer(self, seen: Seen) -> Answer:
        project = "acme%2Fshop"
        if seen.method == "POST" and seen.path == f"/api/v4/projects/{project}/trigger/pipeline":
            form = {k: v[0] for k, v in parse_qs(seen.raw.decode()).items()}
            if form.get("token") != GL_TRIGGER:
                return 404, {}, {"message": "404 Not Found"}
            if not form.get("ref"):
                return 400, {}, {"message": {"base": ["Reference not found"]}}
            self.triggers.append(form)
            pid = next(_ids)
            pipeline = {"id": pid, "status": "created", "ref": form["ref"],
                        "web_url": f"https://gitlab.com/{PROJECT}/-/pipelines/{pid}"}  # fmt: skip
            self.pipelines[pid] = pipeline
            return 201, {}, dict(pipeline)
        match = re.match(rf"^/api/v4/projects/{project}/pipelines/(\d+)$", seen.path)
        if seen.method == "GET" and match:
            if seen.headers.get("private-token") != GL_ACCESS:
                return 401, {}, {"message": "401 Unauthorized"}
            pipeline = self.pipelines.get(int(match.group(1)))
            if pipeline is None:
                return 404, {}, {"message": "404 Not found"}
            pipeline["status"] = {"created": "running"}.get(pipeline["status"], self.result)
            return 200, {}, dict(pipeline)
        if seen.method == "GET" and seen.path == f"/api/v4/projects/{project}":
            if seen.headers.get("private-token") != GL_ACCESS:
                return 401, {}, {"message": "401 Unauthorized"}
            return 200, {}, {"id": 42, "path_with_namespace": PROJECT}
        return 404, {}, {"message": "404 Not Found"}
