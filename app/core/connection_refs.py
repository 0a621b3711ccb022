"""Where a workflow definition names connections, and turning ids into names. Pure.

Steps name a connection by id or by name (`connection` of api_call, notify, publish and
git_commit; `connections` of share; `sources` of monitor; the inner step of a for_each the
same way), and so do triggers (`connection` of email). An export or a template must work on
another install, where ids mean nothing, so ids are written as names there, and names are
checked against the install on import.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from app.core.redact import MIN_SECRET_CHARS, is_secret_key

#: Step type → the config fields holding a connection reference (a list for the plural ones).
CONNECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "api_call": ("connection",),
    "database": ("connection",),
    "notify": ("connection",),
    "publish": ("connection",),
    "git_commit": ("connection",),
    "send_email": ("connection",),
    "share": ("connections",),
    "monitor": ("sources",),
    "incident_create": ("mirror",),
    "sms_send": ("connection",),
    "ticket_create": ("connection",),
    "deploy": ("connection",),
    "rollback": ("connection",),
    "ci_run": ("connection",),
    "db_backup": ("connection",),
    "ssh_command": ("connection",),
    "service_restart": ("connection",),
}
#: Trigger type → the config fields holding a connection reference.
TRIGGER_CONNECTION_FIELDS: dict[str, tuple[str, ...]] = {"email": ("connection",)}
Ref = int | str
PLACEHOLDER_START = re.compile(r"\[\[[a-z][a-z0-9_]{0,39}\]\]")


def _steps(definition: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    actions = definition.get("actions")
    for index, action in enumerate(actions if isinstance(actions, list) else []):
        path, step = f"actions[{index}]", action
        while isinstance(step, dict):
            yield path, step
            config = step.get("config")
            if step.get("type") != "for_each" or not isinstance(config, dict):
                break
            path, step = f"{path}.config.step", config.get("step")


def _configs(
    definition: Mapping[str, Any],
) -> Iterator[tuple[str, dict[str, Any], tuple[str, ...]]]:
    """`(path, config, fields naming connections)` of the trigger and of every step."""
    trigger = definition.get("trigger")
    if isinstance(trigger, dict) and isinstance(trigger.get("config"), dict):
        names = TRIGGER_CONNECTION_FIELDS.get(str(trigger.get("type")), ())
        if names:
            yield "trigger.config", trigger["config"], names
    for path, step in _steps(definition):
        config = step.get("config")
        if isinstance(config, dict):
            yield f"{path}.config", config, CONNECTION_FIELDS.get(str(step.get("type")), ())


def connection_refs(definition: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Every connection reference of `definition`, with its path (`actions[1].config.connection`,
    `actions[2].config.connections[0]`, `trigger.config.connection`)."""
    found: list[tuple[str, Any]] = []
    for path, config, names in _configs(definition):
        for name in names:
            value = config.get(name)
            if isinstance(value, list):
                found += [(f"{path}.{name}[{i}]", v) for i, v in enumerate(value)]
            elif value is not None:
                found.append((f"{path}.{name}", value))
    return found


def map_connection_refs(
    definition: Mapping[str, Any], change: Callable[[Any], Any]
) -> dict[str, Any]:
    """A copy of `definition` with each connection reference replaced by `change(ref)`."""
    out = copy.deepcopy(dict(definition))
    for _path, config, names in _configs(out):
        for name in names:
            value = config.get(name)
            if isinstance(value, list):
                config[name] = [change(v) for v in value]
            elif value is not None:
                config[name] = change(value)
    return out


def _as_id(ref: Any) -> int | None:
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref
    if isinstance(ref, str) and ref.strip().isdigit():
        return int(ref)
    return None


def refs_to_names(
    definition: Mapping[str, Any], names_by_id: Mapping[int, str], names: set[str] | None = None
) -> dict[str, Any]:
    """`definition` with connection ids written as the connections' names. A reference that is
    already a name (in `names`, when given) stays; an unknown id stays as it is (the import
    reports it)."""
    known = names or set(names_by_id.values())

    def change(ref: Any) -> Any:
        if isinstance(ref, str) and ref in known:
            return ref
        number = _as_id(ref)
        return names_by_id.get(number, ref) if number is not None else ref

    return map_connection_refs(definition, change)


def missing_connections(
    definition: Mapping[str, Any], names: set[str], ids: set[int] | None = None
) -> list[tuple[str, Any]]:
    """The references naming no connection of the install: `(path, ref)`; templated references
    (`{{ … }}`, resolved when the step runs) are left to the run."""
    missing = []
    for path, ref in connection_refs(definition):
        if isinstance(ref, str) and ("{{" in ref or ref in names):
            continue
        number = _as_id(ref)
        if number is not None and ids is not None and number in ids:
            continue
        missing.append((path, ref))
    return missing


def _literal_secret(value: Any) -> bool:
    if not isinstance(value, str) or len(value.strip()) < MIN_SECRET_CHARS:
        return False
    return "{{" not in value and not PLACEHOLDER_START.search(value)


def literal_secrets(definition: Mapping[str, Any]) -> list[str]:
    """Paths of step config values that look like a secret written in as text (a key such as
    `Authorization`, `api_key`, `password` with a literal value): a template or an export must
    name a connection or `{{ env.NAME }}` instead. Placeholders and templates are fine."""
    found = []
    for path, step in _steps(definition):
        config = step.get("config")
        stack: list[tuple[str, Any]] = [(f"{path}.config", config)]
        while stack:
            where, value = stack.pop()
            if isinstance(value, dict):
                for key, item in value.items():
                    inner = f"{where}.{key}"
                    if key != "step" and is_secret_key(str(key)) and _literal_secret(item):
                        found.append(inner)
                    elif key != "step" or step.get("type") != "for_each":
                        stack.append((inner, item))
            elif isinstance(value, list):
                stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return sorted(found)
