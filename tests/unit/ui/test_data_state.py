"""The Data page's form handlers: only the three settings are taken, typed text is bounded and
a field's error goes once it is edited; the confirmation opens and closes. No service here."""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx

from app.ui.states.data import DataState


def _call(state: Any, name: str, *args: Any) -> Any:
    return type(state).event_handlers[name].fn(state, *args)


@pytest.mark.asyncio
async def test_settings_form_handlers() -> None:
    state = await rx.State().get_state(DataState)
    state.errors = {"keep_days": "Must be a whole number", "keep_last": "Must be between"}
    _call(state, "set_setting", "keep_days", "30")
    assert state.settings["keep_days"] == "30"
    assert state.errors == {"keep_last": "Must be between"}
    _call(state, "set_setting", "keep_last", "9" * 100)
    assert state.settings["keep_last"] == "9" * 20  # bounded; the service names it too big
    _call(state, "set_setting", "secret_field", "x")
    assert "secret_field" not in state.settings
    _call(state, "open_confirm")
    assert state.confirm_open
    _call(state, "set_confirm_open", False)
    assert not state.confirm_open
