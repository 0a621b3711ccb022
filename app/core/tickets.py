"""Tickets as GitHub, Jira Cloud and Linear want them. Pure.

`adf(text)` turns plain text into an Atlassian Document Format document (Jira Cloud's v3 API
takes descriptions only in ADF): a paragraph per blank-line separated block, line breaks as
`hardBreak` nodes. `linear_issue_create` is the GraphQL request for Linear's `issueCreate`
mutation with the values as variables (never pasted into the query).
"""

from __future__ import annotations

from typing import Any

MAX_TITLE = 255
MAX_BODY = 60_000
MAX_LABELS = 20

LINEAR_ISSUE_CREATE = """mutation IssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) {
    success
    issue { id identifier url title }
  }
}"""


def adf(text: str) -> dict[str, Any]:
    """`text` as an ADF document (`{"type": "doc", "version": 1, "content": [...]}`)."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    content = []
    for block in blocks:
        nodes: list[dict[str, Any]] = []
        for n, line in enumerate(block.strip("\n").split("\n")):
            if n:
                nodes.append({"type": "hardBreak"})
            if line:
                nodes.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


def github_issue(title: str, body: str, labels: list[str]) -> dict[str, Any]:
    issue: dict[str, Any] = {"title": title, "body": body}
    if labels:
        issue["labels"] = labels
    return issue


def jira_fields(
    *, project: str, issue_type: str, title: str, body: str, labels: list[str]
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "project": {"key": project},
        "issuetype": {"name": issue_type},
        "summary": title,
    }
    if body.strip():
        fields["description"] = adf(body)
    if labels:  # Jira labels cannot hold spaces
        fields["labels"] = [label.replace(" ", "-") for label in labels]
    return fields


def linear_issue_create(*, team_id: str, title: str, body: str) -> dict[str, Any]:
    issue: dict[str, Any] = {"teamId": team_id, "title": title}
    if body.strip():
        issue["description"] = body  # Linear takes Markdown
    return {"query": LINEAR_ISSUE_CREATE, "variables": {"input": issue}}
