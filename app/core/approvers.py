"""Who may decide an approval, and the signed one-time links that carry a decision. Pure.

An approval names its approvers as a list of entries: an email (one person) or a role
(`admin`, `member`: everyone with that role). A person may decide when their email is listed
or their role is. Nothing else counts: an admin is NOT an approver unless `admin` (or their
email) is listed, and a viewer never is, whatever the list says (viewers read the status page;
`viewer` is refused as an entry).

A decision link names (approval, decision, approver user) and is signed with HMAC-SHA256 under
a key derived from the app's secret key. It is stored nowhere: the signature proves Flowdeck
issued it; the approval's own status makes it work once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

APPROVER_ROLES: tuple[str, ...] = ("admin", "member")
DECISIONS: tuple[str, ...] = ("approved", "rejected")
MAX_APPROVERS = 50
MAX_COMMENT = 2000

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DECISION_CODE = {"approved": "a", "rejected": "r"}
_CODE_DECISION = {code: decision for decision, code in _DECISION_CODE.items()}
_LINK = re.compile(r"^fda_(\d{1,18})\.([ar])\.(\d{1,18})\.([A-Za-z0-9_-]{43})$")


def approver_problem(entry: str) -> str | None:
    """Why `entry` is not an approver (an email, or `admin` / `member`), or None."""
    text = entry.strip().lower()
    if not text:
        return "must not be empty"
    if text == "viewer":
        return "viewers cannot approve; name admin, member or a person's email"
    if "@" not in text:
        if text in APPROVER_ROLES:
            return None
        return f'"{entry[:80]}" is neither an email nor a role (admin, member)'
    if len(text) > 320 or not _EMAIL.match(text):
        return f'"{entry[:80]}" is not a valid email address'
    return None


def normalize_approvers(entries: Iterable[str]) -> list[str]:
    """Entries trimmed and lowercased, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for entry in entries:
        seen.setdefault(entry.strip().lower(), None)
    return list(seen)


def may_decide(approvers: Sequence[str], *, email: str, role: str) -> bool:
    """Whether a person with `email` and `role` is a named approver (viewers never are)."""
    role = role.strip().lower()
    if role not in APPROVER_ROLES:
        return False
    listed = {entry.strip().lower() for entry in approvers}
    return role in listed or (bool(email.strip()) and email.strip().lower() in listed)


def approver_emails(approvers: Sequence[str]) -> list[str]:
    return [e for e in normalize_approvers(approvers) if "@" in e]


def approver_roles(approvers: Sequence[str]) -> list[str]:
    return [e for e in normalize_approvers(approvers) if e in APPROVER_ROLES]


def comment_problem(comment: str | None) -> str | None:
    if comment is not None and len(comment) > MAX_COMMENT:
        return f"at most {MAX_COMMENT} characters (got {len(comment)})"
    return None


# -- signed decision links --------------------------------------------------------------------


@dataclass(frozen=True)
class LinkClaim:
    """What a genuine decision link says."""

    approval_id: int
    decision: str
    user_id: int


def _mac(key: str, approval_id: int, decision: str, user_id: int) -> str:
    secret = hashlib.sha256(b"flowdeck-approval-link-v1:" + key.encode()).digest()
    text = f"{approval_id}.{_DECISION_CODE[decision]}.{user_id}".encode()
    digest = hmac.new(secret, text, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def link_token(approval_id: int, decision: str, user_id: int, key: str) -> str:
    """The token of "`user_id` decides `decision` on `approval_id`", signed with `key`."""
    if decision not in _DECISION_CODE:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
    mac = _mac(key, approval_id, decision, user_id)
    return f"fda_{approval_id}.{_DECISION_CODE[decision]}.{user_id}.{mac}"


def read_link(token: str, keys: Sequence[str]) -> LinkClaim | None:
    """The claim of a token that one of `keys` signed; None for a forged or garbled one."""
    match = _LINK.match(token) if token and len(token) < 200 else None
    if match is None:
        return None
    approval_id, decision, user_id = int(match[1]), _CODE_DECISION[match[2]], int(match[3])
    given = match[4]
    # Check every key so the time taken does not say which one matched.
    valid = [hmac.compare_digest(given, _mac(k, approval_id, decision, user_id)) for k in keys]
    return LinkClaim(approval_id, decision, user_id) if any(valid) else None
