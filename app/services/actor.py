"""Who is acting: a signed-in person, an API key, or Flowdeck itself.

Every service function takes an `Actor` and checks the role here, so a forged websocket event
and a REST call meet the same wall.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import PermissionDenied
from app.core.portable import bounded_label
from app.core.statuses import Role

LABEL_MAX = 320  # audit_event.actor_label, approval.decided_by_label


@dataclass(frozen=True)
class Actor:
    kind: str  # "user", "api_key" or "system"
    user_id: int | None
    email: str
    role: Role
    api_key_id: int | None = None
    ip: str | None = None
    user_agent: str | None = None

    @property
    def label(self) -> str:
        """Who this is, as the audit trail and approvals store it: within `LABEL_MAX`
        characters (their columns' size); an API key's label keeps its `(API key N)`."""
        if self.kind == "api_key":
            return bounded_label(self.email, f" (API key {self.api_key_id})", LABEL_MAX)
        return bounded_label(self.email, "", LABEL_MAX)

    def require(self, *roles: Role) -> None:
        """Raise PermissionDenied unless this actor has one of `roles`."""
        if self.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise PermissionDenied(f"this needs the {allowed} role; you are {self.role.value}")

    def require_admin(self) -> None:
        self.require(Role.ADMIN)

    def require_member(self) -> None:
        self.require(Role.ADMIN, Role.MEMBER)


SYSTEM = Actor(kind="system", user_id=None, email="flowdeck", role=Role.ADMIN)
