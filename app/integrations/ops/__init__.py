"""Operations platforms (incident mirrors, messaging, tickets, CI, hosts) as connections.

`app.integrations.platforms` merges `SPECS` into the connection platforms and
`app.integrations.verify` dispatches to `VERIFIERS`. Each platform is one module here, named
after it, exporting its secrets and config models (subclasses of
`platform_fields._Fields`; the connections form is generated from them), `SPEC`, `LABEL` and
`async def verify(conn, client) -> VerifyResult` (one real request; what it sends is said in
the module's docstring). Every base URL is in the connection's config, so the same code talks
to the real service or to a stand-in on loopback. The actions that use them live in
`app.engine.actions`.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from app.integrations.platform_fields import PlatformSpec

if TYPE_CHECKING:
    import httpx

    from app.integrations.credentials import ResolvedConnection
    from app.integrations.delivery import VerifyResult

_MODULES: tuple[str, ...] = (
    "pagerduty",
    "opsgenie",
    "twilio",
    "jira",
    "linear",
    "gitlab",
    "ssh",
    "imap",
)

SPECS: dict[str, PlatformSpec] = {}
LABELS: dict[str, str] = {}
Verifier = Callable[["ResolvedConnection", "httpx.AsyncClient"], Awaitable["VerifyResult"]]
VERIFIERS: dict[str, Verifier] = {}


def _register(name: str, module: Any) -> None:
    SPECS[name] = module.SPEC
    LABELS[name] = module.LABEL
    VERIFIERS[name] = module.verify


for _name in _MODULES:
    _register(_name, importlib.import_module(f"{__name__}.{_name}"))
