"""The trigger and step types Flowdeck knows, each with its description and config fields
(read from the config model that validates it: `app.core.type_schema`)."""

from __future__ import annotations

from typing import Any

from app.core.config_models import trigger_config_models
from app.core.scripts import ADMIN_ONLY_TYPES
from app.core.type_schema import type_entry
from app.engine.actions import action_types
from app.services.actor import Actor


def trigger_types(actor: Actor) -> list[dict[str, Any]]:
    """Every trigger type; any signed-in person may read them."""
    del actor  # authenticated by the caller; the list holds nothing private
    return [type_entry(name, "", model) for name, model in trigger_config_models.items()]


def step_types(actor: Actor) -> list[dict[str, Any]]:
    """Every registered step (action) type, by name."""
    del actor
    return [
        type_entry(
            name,
            kind.description,
            kind.config_model,
            admin_only=name in ADMIN_ONLY_TYPES,
        )
        for name, kind in sorted(action_types().items())
    ]
