"""Deployments, CI runs and backups: the requests, the outcome of a run, retention. Pure.

GitHub Actions: `workflow_dispatch` (`POST /repos/{repo}/actions/workflows/{workflow}/
dispatches` `{ref, inputs}`, 204 without a run id), so the run it started is found by listing
the workflow's `workflow_dispatch` runs on that ref created since the dispatch
(`pick_github_run`). GitLab: a pipeline trigger (`POST /api/v4/projects/{id}/trigger/
pipeline`, form `token`, `ref`, `variables[KEY]`) answers the pipeline with its id.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

MAX_INPUTS = 25  # GitHub's limit for workflow_dispatch inputs (10 before 2025)
#: A run's status → passed / failed / running, per platform.
GITHUB_DONE = "completed"
GITHUB_PASSED = {"success"}
GITLAB_PASSED = {"success"}
GITLAB_FAILED = {"failed", "canceled", "canceling", "skipped"}
BACKUP_NAME = re.compile(r"^\d{8}T\d{6}(\d{6})?Z\.(sqlite|dump)$")


def github_dispatch(repo: str, workflow: str, ref: str, inputs: dict[str, Any]) -> tuple[str, dict]:
    """Path and body of a `workflow_dispatch`; input values are sent as text, as GitHub wants."""
    body: dict[str, Any] = {"ref": ref}
    if inputs:
        body["inputs"] = {k: v if isinstance(v, str) else str(v) for k, v in inputs.items()}
    return f"/repos/{repo}/actions/workflows/{quote(workflow, safe='')}/dispatches", body


def github_runs_path(repo: str, workflow: str) -> str:
    return f"/repos/{repo}/actions/workflows/{quote(workflow, safe='')}/runs"


def gitlab_project(project: str | int) -> str:
    """A project id, or its path URL-encoded (`group/app` → `group%2Fapp`)."""
    return quote(str(project), safe="")


def gitlab_trigger(token: str, ref: str, variables: dict[str, Any]) -> dict[str, str]:
    form = {"token": token, "ref": ref}
    form |= {f"variables[{k}]": v if isinstance(v, str) else str(v) for k, v in variables.items()}
    return form


def pick_github_run(
    runs: list[dict[str, Any]], *, ref: str, since: datetime, known: frozenset[int] = frozenset()
) -> dict | None:
    """The oldest `workflow_dispatch` run on `ref` created at or after `since` that is not one
    of the `known` runs listed before the dispatch (GitHub's `created_at` has whole seconds, so
    `since` is compared at that precision, and a run of the same second is told apart by id)."""
    floor = since.replace(microsecond=0)
    found = [
        r for r in runs
        if r.get("event") == "workflow_dispatch" and r.get("head_branch") == ref
        and r.get("id") not in known
        and _time(r.get("created_at")) is not None and _time(r["created_at"]) >= floor
    ]  # fmt: skip
    return min(found, key=lambda r: (_time(r["created_at"]), r.get("id", 0)), default=None)


def _time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def github_outcome(run: dict[str, Any]) -> str:
    """`running`, `passed` or `failed` for a workflow run."""
    if run.get("status") != GITHUB_DONE:
        return "running"
    return "passed" if run.get("conclusion") in GITHUB_PASSED else "failed"


def gitlab_outcome(pipeline: dict[str, Any]) -> str:
    status = pipeline.get("status")
    if status in GITLAB_PASSED:
        return "passed"
    return "failed" if status in GITLAB_FAILED else "running"


def backup_name(now: datetime, suffix: str) -> str:
    """`20261202T133000123456Z.sqlite`: sortable, one per microsecond."""
    return now.strftime("%Y%m%dT%H%M%S%fZ") + f".{suffix}"


def backups_to_remove(names: list[str], keep: int) -> list[str]:
    """The oldest backups past the newest `keep` (only files named like ours count)."""
    ours = sorted(n for n in names if BACKUP_NAME.match(n))
    return ours[: max(0, len(ours) - keep)]
