"""Who may decide an approval, and the signed decision links: tables, no I/O."""

from __future__ import annotations

import pytest

from app.core.approvers import (
    approver_problem,
    link_token,
    may_decide,
    normalize_approvers,
    read_link,
)

KEY, OLD_KEY = "key-one", "key-zero"


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("alice@example.com", None),
        ("  Alice@Example.COM ", None),
        ("admin", None),
        ("Member", None),
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("viewer", "viewers cannot approve"),
        ("owner", "neither an email nor a role"),
        ("alice@", "not a valid email"),
        ("a b@example.com", "not a valid email"),
        ("x" * 320 + "@example.com", "not a valid email"),
    ],
)
def test_approver_entries(entry: str, problem: str | None) -> None:
    found = approver_problem(entry)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("approvers", "email", "role", "allowed"),
    [
        (["alice@example.com"], "alice@example.com", "member", True),
        (["Alice@Example.com"], "ALICE@example.com", "member", True),
        (["alice@example.com"], "bob@example.com", "member", False),
        (["alice@example.com"], "bob@example.com", "admin", False),  # admins: only if listed
        (["admin"], "bob@example.com", "admin", True),
        (["admin"], "bob@example.com", "member", False),
        (["member"], "bob@example.com", "member", True),
        (["member"], "bob@example.com", "admin", False),
        (["viewer@example.com"], "viewer@example.com", "viewer", False),  # viewers never
        (["member", "viewer"], "v@example.com", "viewer", False),
        ([], "alice@example.com", "admin", False),
        (["alice@example.com"], "", "member", False),
        ([""], "", "member", False),
    ],
)
def test_may_decide(approvers: list[str], email: str, role: str, allowed: bool) -> None:
    assert may_decide(approvers, email=email, role=role) is allowed


def test_normalize_keeps_order_and_drops_duplicates() -> None:
    assert normalize_approvers([" B@x.io", "admin", "b@x.io", "Admin"]) == ["b@x.io", "admin"]


def test_a_link_reads_back_with_any_current_key() -> None:
    token = link_token(12, "approved", 7, OLD_KEY)
    claim = read_link(token, (KEY, OLD_KEY))
    assert claim is not None
    assert (claim.approval_id, claim.decision, claim.user_id) == (12, "approved", 7)
    assert read_link(link_token(12, "rejected", 7, KEY), (KEY,)).decision == "rejected"


def _tampered(token: str) -> list[str]:
    head, mac = token.rsplit(".", 1)
    other = "A" if mac[0] != "A" else "B"
    return [
        token.replace("fda_12.", "fda_13."),  # another approval
        token.replace(".a.", ".r."),  # the other decision
        token.replace(".7.", ".8."),  # another person
        f"{head}.{other}{mac[1:]}",  # another signature
        token[:-1],
        token + "x",
        "",
        "fda_12.a.7." + "A" * 43,
        "../" + token,
    ]


@pytest.mark.parametrize("index", range(9))
def test_forged_or_garbled_links_are_refused(index: int) -> None:
    token = link_token(12, "approved", 7, KEY)
    assert read_link(_tampered(token)[index], (KEY,)) is None


def test_a_link_signed_with_a_retired_key_is_refused() -> None:
    assert read_link(link_token(12, "approved", 7, OLD_KEY), (KEY,)) is None


def test_only_two_decisions_exist() -> None:
    with pytest.raises(ValueError, match="decision"):
        link_token(1, "maybe", 1, KEY)
