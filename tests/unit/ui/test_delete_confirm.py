"""Deleting from a list page asks first; the service's role check still decides."""

from __future__ import annotations

import pytest
import reflex as rx

from app.core.errors import NotFound
from app.services import alerts, auth
from app.ui.states.alerts import AlertsState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.test_state_guards import People, call, database, toasts

people_template = guards.people_template
people = guards.people


async def alerts_tab(token: str) -> AlertsState:
    state = await rx.State().get_state(AlertsState)
    state.token = token
    return state


def _alert(people: People) -> dict:
    member = auth.authenticate(people.tokens["member"])
    body = {"alertType": "in_app", "name": "Night shift", "events": ["workflow_fail"]}
    return alerts.create_alert(member, body)


async def test_ask_then_confirm_deletes_and_says_so(people: People) -> None:
    alert = _alert(people)
    tab = await alerts_tab(people.tokens["member"])
    await call(tab, "ask_delete", alert["id"], alert["name"])
    assert (tab.delete_id, tab.delete_name) == (alert["id"], "Night shift")
    answer = await call(tab, "confirm_delete")
    assert toasts(answer) == [("success", "Deleted Night shift")]
    assert tab.delete_id == 0
    with pytest.raises(NotFound):
        alerts.get_alert(auth.authenticate(people.tokens["member"]), alert["id"])


async def test_closing_the_dialog_deletes_nothing(people: People) -> None:
    alert = _alert(people)
    tab = await alerts_tab(people.tokens["member"])
    await call(tab, "ask_delete", alert["id"], alert["name"])
    before = database()
    await call(tab, "close_delete", False)
    assert await call(tab, "confirm_delete") is None  # nothing asked any more
    assert database() == before


async def test_a_viewer_forging_the_events_is_refused(people: People) -> None:
    alert = _alert(people)
    tab = await alerts_tab(people.tokens["viewer"])
    before = database()
    await call(tab, "ask_delete", alert["id"], alert["name"])
    [(kind, _message)] = toasts(await call(tab, "confirm_delete"))
    assert kind == "error"
    assert database() == before
