"""Deployment requests, which CI run a dispatch started and its outcome, backup retention,
and tickets in the shapes GitHub, Jira (ADF) and Linear take."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.core.deploys import (
    backup_name,
    backups_to_remove,
    github_dispatch,
    github_outcome,
    gitlab_outcome,
    gitlab_trigger,
    pick_github_run,
)
from app.core.tickets import adf, jira_fields, linear_issue_create

SINCE = datetime(2026, 12, 2, 13, 0, 0, 700_000, tzinfo=UTC)


def _run(id_: int, created: str, *, ref: str = "main", event: str = "workflow_dispatch") -> dict:
    return {"id": id_, "created_at": created, "head_branch": ref, "event": event}


@pytest.mark.parametrize(
    ("runs", "picked"),
    [
        ([], None),
        ([_run(1, "2026-12-02T12:59:59Z")], None),  # before the dispatch
        ([_run(1, "2026-12-02T13:00:00Z")], 1),  # same second: GitHub has no fractions
        ([_run(2, "2026-12-02T13:00:05Z"), _run(1, "2026-12-02T13:00:01Z")], 1),  # the oldest
        ([_run(1, "2026-12-02T13:00:01Z", ref="dev")], None),
        ([_run(1, "2026-12-02T13:00:01Z", event="push")], None),
        ([{"id": 1, "created_at": "garbage", "head_branch": "main",
           "event": "workflow_dispatch"}], None),
    ],
)  # fmt: skip
def test_pick_github_run(runs: list[dict], picked: int | None) -> None:
    found = pick_github_run(runs, ref="main", since=SINCE)
    assert (found or {}).get("id") == picked


def test_a_run_listed_before_the_dispatch_is_not_the_new_one() -> None:
    same_second = [_run(1, "2026-12-02T13:00:00Z"), _run(2, "2026-12-02T13:00:00Z")]
    assert pick_github_run(same_second, ref="main", since=SINCE)["id"] == 1
    found = pick_github_run(same_second, ref="main", since=SINCE, known=frozenset({1}))
    assert found is not None and found["id"] == 2


@pytest.mark.parametrize(
    ("run", "outcome"),
    [
        ({"status": "queued"}, "running"),
        ({"status": "in_progress"}, "running"),
        ({"status": "completed", "conclusion": "success"}, "passed"),
        ({"status": "completed", "conclusion": "failure"}, "failed"),
        ({"status": "completed", "conclusion": "cancelled"}, "failed"),
    ],
)
def test_github_outcome(run: dict, outcome: str) -> None:
    assert github_outcome(run) == outcome


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("created", "running"), ("pending", "running"), ("running", "running"),
     ("success", "passed"), ("failed", "failed"), ("canceled", "failed"), ("skipped", "failed")],
)  # fmt: skip
def test_gitlab_outcome(status: str, outcome: str) -> None:
    assert gitlab_outcome({"status": status}) == outcome


def test_dispatch_and_trigger_requests() -> None:
    path, body = github_dispatch("acme/shop", "deploy.yml", "v2", {"n": 3, "env": "prod"})
    assert path == "/repos/acme/shop/actions/workflows/deploy.yml/dispatches"
    assert body == {"ref": "v2", "inputs": {"n": "3", "env": "prod"}}
    assert github_dispatch("a/b", "12345", "main", {})[1] == {"ref": "main"}
    form = gitlab_trigger("tok", "main", {"IMAGE": "shop:2", "N": 1})
    assert form == {
        "token": "tok",
        "ref": "main",
        "variables[IMAGE]": "shop:2",
        "variables[N]": "1",
    }


@pytest.mark.parametrize(
    ("names", "keep", "removed"),
    [
        ([], 3, []),
        (["20261201T000000Z.sqlite", "20261202T000000Z.sqlite"], 2, []),
        (["20261203T000000Z.sqlite", "20261201T000000Z.sqlite", "20261202T000000Z.sqlite"], 1,
         ["20261201T000000Z.sqlite", "20261202T000000Z.sqlite"]),
        (["notes.txt", "20261201T000000Z.dump", "20261202T000000Z.dump"], 1,
         ["20261201T000000Z.dump"]),  # a file that is not ours stays
    ],
)  # fmt: skip
def test_backup_retention(names: list[str], keep: int, removed: list[str]) -> None:
    assert backups_to_remove(names, keep) == removed


def test_backup_names_sort_by_time() -> None:
    early = backup_name(datetime(2026, 12, 2, 9, 5, 1, 5, tzinfo=UTC), "sqlite")
    late = backup_name(datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC), "sqlite")
    assert early == "20261202T090501000005Z.sqlite" and early < late
    assert backups_to_remove([late, early], 1) == [early]


def test_adf_paragraphs_and_line_breaks() -> None:
    doc = adf("one\ntwo\n\n\nthree\n")
    assert doc["type"] == "doc" and doc["version"] == 1
    assert doc["content"] == [
        {"type": "paragraph", "content": [{"type": "text", "text": "one"},
                                          {"type": "hardBreak"},
                                          {"type": "text", "text": "two"}]},
        {"type": "paragraph", "content": [{"type": "text", "text": "three"}]},
    ]  # fmt: skip
    assert adf("")["content"] == []


def test_jira_fields_and_linear_mutation() -> None:
    fields = jira_fields(project="OPS", issue_type="Bug", title="t", body="", labels=["a b"])
    assert fields == {"project": {"key": "OPS"}, "issuetype": {"name": "Bug"}, "summary": "t",
                      "labels": ["a-b"]}  # fmt: skip
    request = linear_issue_create(team_id="T", title="t", body="**md**")
    assert "issueCreate(input: $input)" in request["query"]
    assert request["variables"] == {"input": {"teamId": "T", "title": "t", "description": "**md**"}}
