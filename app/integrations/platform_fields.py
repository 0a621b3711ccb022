"""The building blocks of a platform's connection fields, shared by every platform module. Pure.

`_Fields` is the base of every secrets and config model (camelCase or snake_case keys, unknown
keys refused, text stripped); `HttpUrl` an http(s) URL; `PlatformSpec` what a platform's
connection needs. They live here (not in `platforms.py`) so that the platform modules under
`app.integrations.social` and `app.integrations.metric_sources` can import them while
`platforms.py` imports those packages' registries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

#: Names a person may write for a platform, and the platform they mean (`twitter` is `x`).
PLATFORM_ALIASES = {"twitter": "x"}


def canonical_platform(name: str) -> str:
    """The platform `name` means, in lower case, an alias resolved (`Twitter` → `x`)."""
    key = name.strip().lower()
    return PLATFORM_ALIASES.get(key, key)


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value.split("/", 3)[2]) == 0:
        raise ValueError("must be an http:// or https:// URL")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
TestMethod = Literal["GET", "POST", "PUT", "PATCH", "HEAD"]


class _Fields(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        loc_by_alias=False,
        extra="forbid",
        str_strip_whitespace=True,
    )


@dataclass(frozen=True)
class PlatformSpec:
    """A platform: its connection types (default first), and per type its secret fields."""

    types: tuple[str, ...]
    secrets: dict[str, type[_Fields]]
    config: type[_Fields]
    main_secret: dict[str, str]
