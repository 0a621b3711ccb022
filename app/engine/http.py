"""The one factory for outbound HTTP clients, as the engine knows it.

It lives in `app.integrations.http` (with the outbound address guard); this module keeps the
engine's import path.
"""

from __future__ import annotations

from app.integrations.guard import OutboundBlocked
from app.integrations.http import USER_AGENT, outbound_client

__all__ = ["USER_AGENT", "OutboundBlocked", "outbound_client"]
