"""The two tiny HTML pages of a decision link: "confirm" and "done". Everything is escaped:
the message and the workflow name come from users."""

from __future__ import annotations

from html import escape
from typing import Any

from app.core.approvers import MAX_COMMENT

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;"
    "color:#222}textarea{width:100%;min-height:5rem}button{font-size:1rem;padding:.5rem 1rem;"
    "margin-top:.75rem}.muted{color:#666}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def link_page(info: dict[str, Any]) -> str:
    """What the link would do, and a form that does it (POST to the same address)."""
    verb = "Approve" if info["decision"] == "approved" else "Reject"
    facts = (
        f"<p>{escape(info['message'])}</p>"
        f'<p class="muted">Workflow {escape(info["workflow_name"])}, execution '
        f"{int(info['execution_id'])}; as {escape(info['approver'])}.</p>"
    )
    if info["state"] == "decided":
        by = f" by {info['decided_by_label']}" if info.get("decided_by_label") else ""
        return _page("Already decided", facts + f"<p>It was {escape(info['status'] + by)}.</p>")
    if info["state"] == "expired":
        return _page("This link expired", facts + "<p>The approval's deadline has passed.</p>")
    form = (
        f'<form method="post"><label for="comment">Comment (optional)</label>'
        f'<textarea id="comment" name="comment" maxlength="{MAX_COMMENT}"></textarea>'
        f'<button type="submit" id="confirm">{verb}</button></form>'
    )
    return _page(f"{verb} this step?", facts + form)


def result_page(title: str, text: str) -> str:
    return _page(title, f"<p>{escape(text)}</p>")
