"""The shapes the n8n importer passes between its parts: a node, its context, a result. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.n8n_expressions import Scope, translate_value

BASE = "n8n-nodes-base."


MAX_DEPTH = 64  # levels of nesting in a document (and in JSON text inside it)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` nests dicts and lists more than `limit` levels (walked without recursion,
    so a hostile document cannot exhaust the stack of the code that reads it)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if depth > limit:
            return True
        if isinstance(item, Mapping):
            todo.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            todo.extend((child, depth + 1) for child in item)
    return False


def listed(value: Any) -> list[Any]:
    """`value` if it is a list, else nothing (every parameter of an export may be anything)."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class N8nNode:
    """A node of an n8n export, its fields checked for type."""

    name: str
    type: str
    version: float
    parameters: Mapping[str, Any]
    position: tuple[float, float] | None
    settings: Mapping[str, Any]  # the node's other keys: retryOnFail, onError, disabled, …

    @property
    def short_type(self) -> str:
        return self.type.removeprefix(BASE) if self.type.startswith(BASE) else ""


@dataclass(frozen=True)
class Context:
    """What a mapper may know about the target install and the graph around the node."""

    scope: Scope = Scope()
    connections: Mapping[str, Sequence[str]] = field(default_factory=dict)  # platform → names
    workflows: Mapping[str, int] = field(default_factory=dict)  # Flowdeck workflow name → id
    alerts: Mapping[str, Sequence[int]] = field(default_factory=dict)  # alert type → ids
    timezone: str = "UTC"


@dataclass
class Mapped:
    """A step's type and config, and what the report should say about it."""

    type: str
    config: dict[str, Any]
    untranslated: list[tuple[str, str]] = field(default_factory=list)  # (config path, n8n text)
    attention: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: For a branch step: the Flowdeck outputs each n8n output index leads to.
    outputs: list[list[str]] | None = None


@dataclass(frozen=True)
class Unmapped:
    reason: str


@dataclass
class TriggerMapped:
    """A Flowdeck trigger from an n8n trigger node, and what the report should say."""

    type: str
    config: dict[str, Any]
    attention: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Builder:
    """Translates values for one node, remembering the untranslated ones with their path."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.untranslated: list[tuple[str, str]] = []

    def value(self, raw: Any, path: str) -> Any:
        result = translate_value(raw, self.context.scope)
        self.untranslated.extend((path, text) for text in result.untranslated)
        return result.value

    def mapped(self, kind: str, config: dict[str, Any], **extra: Any) -> Mapped:
        return Mapped(kind, config, self.untranslated, **extra)
