"""Social platforms that `share` (and `notify` with a connection) can post to.

Each platform is one module here, named after the platform (`mastodon`, `discord`, `teams`,
`x`, `linkedin`, `bluesky`), exporting:

- its secrets and config models (subclasses of `platform_fields._Fields`) and `SPEC`, the
  connection's `PlatformSpec` (merged by `app.integrations.platforms` into `SPECS`);
- `LABEL`, the platform's name for people ("Mastodon");
- `async def post(client, conn, post, *, key) -> Delivery`: publish `post` (a
  `app.core.social_text.SocialPost`, fitted to the platform by the module with `fit`); `key`
  is stable per execution, step and connection (send it as an idempotency key where the API
  has one, ignore it otherwise). It never raises for what the remote side answered;
- `async def verify(conn, client) -> VerifyResult`: one real, harmless request.

`app.engine.messaging.post_social` and `app.integrations.verify.verify` dispatch through
`POSTERS` and `VERIFIERS`. A module is registered by adding its name to `_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from app.integrations.platform_fields import PlatformSpec

if TYPE_CHECKING:
    import httpx

    from app.integrations.credentials import ResolvedConnection
    from app.integrations.delivery import Delivery, VerifyResult

_MODULES: tuple[str, ...] = ("mastodon", "discord", "teams", "x", "linkedin", "bluesky")

SPECS: dict[str, PlatformSpec] = {}
LABELS: dict[str, str] = {}
Verifier = Callable[["ResolvedConnection", "httpx.AsyncClient"], Awaitable["VerifyResult"]]
POSTERS: dict[str, Callable[..., Awaitable[Delivery]]] = {}
VERIFIERS: dict[str, Verifier] = {}


def _register(name: str, module: Any) -> None:
    SPECS[name] = module.SPEC
    LABELS[name] = module.LABEL
    POSTERS[name] = module.post
    VERIFIERS[name] = module.verify


for _name in _MODULES:
    _register(_name, importlib.import_module(f"{__name__}.{_name}"))
