"""The Alerts tab: deleting asks first, form problems land next to their fields."""

from __future__ import annotations

import pytest
import reflex as rx

from app.core.errors import NotFound, Problem
from app.services import alerts, auth
from app.ui.states.alerts import AlertsState, form_errors
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, database, toasts

people_template = guards.people_template
people = guards.people


async def alerts_tab(token: str) -> AlertsState:
    state = await rx.State().get_state(AlertsState)
    sign_in_tab(state, token)
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


def test_form_errors_land_under_their_fields() -> None:
    problems = [
        Problem("config.message", "bad template"),
        Problem("events[1]", "unknown event"),
        Problem("config.subject", "bad subject"),
        Problem("", "no way"),
    ]
    assert form_errors(problems) == {
        "message": "bad template",
        "events": "unknown event",
        "form": "config.subject: bad subject; no way",
    }


async def test_a_bad_message_template_is_shown_next_to_its_field(people: People) -> None:
    tab = await alerts_tab(people.tokens["member"])
    await call(tab, "open_new")
    await call(tab, "set_form", "alert_type", "in_app")
    await call(tab, "set_form", "message", "{{ workflow }} {{ no_such_thing }}")
    before = database()
    await call(tab, "save", {"channel": ""})
    assert "no_such_thing" in tab.errors["message"]
    assert tab.dialog_open and database() == before
    await call(tab, "set_form", "message", "{{ workflow }} needs a look")
    await call(tab, "save", {"channel": ""})
    assert tab.errors == {} and not tab.dialog_open
    member = auth.authenticate(people.tokens["member"])
    [saved] = alerts.list_alerts(member)
    assert saved["config"]["message"] == "{{ workflow }} needs a look"


async def test_in_app_recipients_are_picked_in_the_form(people: People) -> None:
    tab = await alerts_tab(people.tokens["member"])
    await call(tab, "load")
    labels = {p["id"]: p["label"] for p in tab.people}
    # active admins and members (viewers never see the bell), by email
    assert labels == {people.admin_id: "admin@example.com", people.member_id: "member@example.com"}
    await call(tab, "open_new")
    await call(tab, "set_form", "alert_type", "in_app")
    await call(tab, "toggle_recipient", people.member_id, True)
    await call(tab, "toggle_recipient", people.admin_id, True)
    await call(tab, "toggle_recipient", people.admin_id, False)
    await call(tab, "save", {"channel": ""})
    assert tab.errors == {}
    member = auth.authenticate(people.tokens["member"])
    [saved] = alerts.list_alerts(member)
    assert saved["config"]["recipients"] == [people.member_id]

    await call(tab, "open_edit", saved["id"])
    assert tab.recipients == [people.member_id]
    await call(tab, "toggle_recipient", people.member_id, False)
    await call(tab, "save", {"channel": ""})
    [saved] = alerts.list_alerts(member)
    assert "recipients" not in saved["config"]  # none picked: everyone again


async def test_the_label_and_the_optional_minimum_are_two_fields(people: People) -> None:
    tab = await alerts_tab(people.tokens["member"])
    await call(tab, "open_new")
    assert tab.form["min_severity"] == "any"  # every ticked event, by default
    await call(tab, "set_form", "alert_type", "in_app")
    await call(tab, "set_form", "severity", "error")
    await call(tab, "toggle_event", "step_fail", False)
    await call(tab, "toggle_event", "workflow_complete", True)
    await call(tab, "set_form", "min_severity", "error")
    before = database()
    await call(tab, "save", {"channel": ""})  # workflow_complete could never pass "error"
    assert "workflow_complete" in tab.errors["events"] and "never" in tab.errors["min_severity"]
    assert tab.dialog_open and database() == before
    await call(tab, "set_form", "min_severity", "any")
    await call(tab, "save", {"channel": ""})
    assert tab.errors == {} and not tab.dialog_open
    member = auth.authenticate(people.tokens["member"])
    [saved] = alerts.list_alerts(member)
    assert (saved["severity"], saved["min_severity"]) == ("error", None)
    assert saved["events"] == ["workflow_complete", "workflow_fail"]
    assert tab.rows[0]["severity"] == "error" and tab.rows[0]["minimum"] == ""
    await call(tab, "open_edit", saved["id"])
    assert (tab.form["severity"], tab.form["min_severity"]) == ("error", "any")


async def test_a_new_alert_sends_once_per_failure_and_says_what_it_watches(
    people: People,
) -> None:
    tab = await alerts_tab(people.tokens["member"])
    await call(tab, "load")
    await call(tab, "open_new")
    assert tab.events == ["workflow_fail"]  # not step_fail too: one message per failure
    await call(tab, "set_form", "alert_type", "in_app")
    await call(tab, "set_form", "name", "Night shift")
    await call(tab, "save", {"channel": ""})
    [row] = tab.rows
    assert row["watches"] == "Failed runs of every workflow"
    assert row["counts"] == "0 sent · 0 failed"
    await call(tab, "send_test", row["id"])
    [row] = tab.rows
    assert row["last_test"].startswith("Delivered"), row["last_test"]
    assert row["counts"] == "0 sent · 0 failed · tests: 1 sent"  # a test is counted apart
