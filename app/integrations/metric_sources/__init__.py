"""Metric sources (Plausible, Umami, Search Console) as connection platforms.

`app.integrations.platforms` merges `SPECS` into the connection platforms. Each source is one
module here, named after its platform, exporting:

- its secrets / config models (subclasses of `app.integrations.platform_fields._Fields`, with
  field descriptions: the connections form is generated from them) and `SPEC`;
- `LABEL` (its name for people) and `METRICS`, the named metrics it measures
  (`app.core.metrics.METRIC_SOURCES` says which source is preferred);
- `async def verify(conn, client) -> VerifyResult`: one real, harmless request;
- `async def measure(client, conn, page, metrics) -> Reading`: the page's numbers over the
  window (`reading.Page`), never raising for what the remote side answered.
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
    from app.integrations.metric_sources.reading import Page, Reading

_MODULES: tuple[str, ...] = ("plausible", "umami", "search_console")

SPECS: dict[str, PlatformSpec] = {}
LABELS: dict[str, str] = {}
Verifier = Callable[["ResolvedConnection", "httpx.AsyncClient"], Awaitable["VerifyResult"]]
Measurer = Callable[
    ["httpx.AsyncClient", "ResolvedConnection", "Page", list[str]], Awaitable["Reading"]
]
VERIFIERS: dict[str, Verifier] = {}
MEASURERS: dict[str, Measurer] = {}


def _register(name: str, module: Any) -> None:
    SPECS[name] = module.SPEC
    LABELS[name] = module.LABEL
    VERIFIERS[name] = module.verify
    MEASURERS[name] = module.measure


for _name in _MODULES:
    _register(_name, importlib.import_module(f"{__name__}.{_name}"))
