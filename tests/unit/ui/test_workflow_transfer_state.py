"""The import dialog's and the export button's states against a real database.

Handlers are called the way Reflex's event processor calls them (see test_state_guards.py):
a member checks an n8n export (report rows, nothing saved), imports it (a new workflow and a
redirect to it) and exports one; a viewer or a stranger gets nothing and changes nothing.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.services import auth, workflows
from app.ui.states.workflow_transfer import (
    WorkflowExportState,
    WorkflowImportState,
    parse_document,
    rejected_text,
    report_rows,
)
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, database, redirect_target, toasts

people_template = guards.people_template
people = guards.people
FIXTURES = Path(__file__).parents[2] / "fixtures" / "n8n"


async def _tab(token: str, kind: type[rx.State] = WorkflowImportState) -> rx.State:
    root = rx.State()
    root.rx_router_page = PageData(path="/admin/workflows", params={})
    state = await root.get_state(kind)
    sign_in_tab(state, token)
    return state


def _text(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_report_rows_read_every_section() -> None:
    report = {
        "mapped": [
            {
                "node": "Hook",
                "type": "n8n-nodes-base.webhook",
                "step_id": None,
                "as": "trigger:webhook",
            }
        ],
        "unmapped": [{"node": "Code", "type": "n8n-nodes-base.code", "reason": "JavaScript"}],
        "untranslated": [
            {
                "node": "Log",
                "step_id": "log",
                "path": "actions[0].config.url",
                "expression": "{{ x() }}",
            }
        ],
        "attention": [{"node": None, "step_id": None, "message": "choose a signature"}],
    }
    rows = report_rows(report)
    assert rows["mapped"] == [
        {"node": "Hook", "type": "n8n-nodes-base.webhook", "detail": "trigger:webhook"}
    ]
    assert rows["unmapped"][0]["detail"] == "JavaScript"
    assert rows["untranslated"][0] == {
        "node": "Log",
        "type": "actions[0].config.url",
        "detail": "{{ x() }}",
    }
    assert rows["attention"][0]["node"] == "(workflow)"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "Paste"),
        ("{nope", "Not valid JSON"),
        ("[1]", "object"),
        (" " * (1024 * 1024 + 1), "1 MiB"),
    ],
)
def test_parse_document_says_why_not(text: str, why: str) -> None:
    data, message = parse_document(text)
    assert data is None and why in message


async def test_member_checks_then_imports_an_n8n_export(people: People) -> None:
    state = await _tab(people.tokens["member"])
    await call(state, "open_import")
    await call(state, "set_import_text", _text("unmappable_nodes.json"))
    before = database()
    assert await call(state, "preview_import") is None
    assert state.previewed and state.source == "n8n" and state.import_problems == []
    assert {row["node"] for row in state.unmapped} == {
        "Score Leads",
        "Tag Hot",
        "Upsert Contact",
        "Open Issue",
    }
    assert state.untranslated[0]["detail"] == "{{ $input.all().length }}"
    assert database() == before  # a check saves nothing
    result = await call(state, "confirm_import")
    target = redirect_target(result)
    assert target is not None and target.startswith("/admin/workflows/")
    member = auth.authenticate(people.tokens["member"])
    created = workflows.get_workflow(member, int(target.rsplit("/", 1)[1]))
    assert created["name"] == "Enrich leads (with code)" and not state.import_open


async def test_problems_are_shown_by_path_and_import_stays_off(people: People) -> None:
    state = await _tab(people.tokens["member"])
    broken = json.loads(_text("switch_tickets.json"))
    broken["nodes"][1]["parameters"]["url"] = "ftp://nowhere"
    await call(state, "set_import_text", json.dumps(broken))
    await call(state, "preview_import")
    assert not state.previewed
    assert state.import_problems[0]["path"] == "actions[0].config.url"
    assert "Next Ticket" in state.import_problems[0]["message"]
    await call(state, "set_import_text", "{not json")
    await call(state, "preview_import")
    assert state.import_error.startswith("Not valid JSON")


@pytest.mark.parametrize("who", ["viewer", "none"])
async def test_viewers_and_strangers_import_and_export_nothing(people: People, who: str) -> None:
    member = auth.authenticate(people.tokens["member"])
    flow = {
        "name": "x",
        "trigger": {"type": "manual"},
        "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
    }
    workflow_id = workflows.create_workflow(member, flow).workflow["id"]
    before = database()
    state = await _tab(people.tokens[who])
    await call(state, "set_import_text", _text("switch_tickets.json"))
    for handler in ("preview_import", "confirm_import"):
        result = await call(state, handler)
        if who == "viewer":
            assert "viewer" in state.import_error
        else:
            assert redirect_target(result) == "/login"
    exporter = await _tab(people.tokens[who], WorkflowExportState)
    result = await call(exporter, "export_json", workflow_id)
    if who == "viewer":
        assert "viewer" in toasts(result)[0][1]
    else:
        assert redirect_target(result) == "/login"
    assert database() == before


async def test_member_exports_a_download(people: People) -> None:
    member = auth.authenticate(people.tokens["member"])
    flow = {
        "name": "Daily digest",
        "trigger": {"type": "manual"},
        "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
    }
    workflow_id = workflows.create_workflow(member, flow).workflow["id"]
    state = await _tab(people.tokens["member"], WorkflowExportState)
    result = await call(state, "export_json", workflow_id)
    assert isinstance(result, rx.event.EventSpec)
    args = {name._js_expr: value._var_value for name, value in result.args}
    assert args["filename"] == "Daily-digest.flowdeck.json"
    document = json.loads(base64.b64decode(args["url"].split("base64,", 1)[1]))
    assert document["flowdeck_export"] == 1 and document["name"] == "Daily digest"


async def test_a_chosen_file_is_read_and_checked(people: People) -> None:
    state = await _tab(people.tokens["member"])
    chosen = rx.UploadFile(
        file=io.BytesIO(_text("switch_tickets.json").encode()), path=Path("t.json")
    )
    await call(state, "handle_upload", [chosen])
    assert state.previewed and state.source == "n8n"
    assert "Route support tickets" in state.import_text
    huge = rx.UploadFile(file=io.BytesIO(b" " * (1024 * 1024 + 1)), path=Path("big.json"))
    await call(state, "handle_upload", [huge])
    assert not state.previewed and "1 MiB" in state.import_error


@pytest.mark.parametrize(
    ("rejected", "said"),
    [
        ([{"name": "big.json", "size": 9, "codes": ["file-too-large"]}], "“big.json” is larger"),
        ([{"name": "w.txt", "codes": ["file-invalid-type"]}], "“w.txt” is not a .json"),
        ([{"name": "", "codes": ["too-many-files"]}], "one file"),
        ([{"name": 5, "codes": "junk"}], "That file could not be read"),
        ([], "could not be read"),
        ("junk", "could not be read"),
        (["junk"], "could not be read"),
    ],
)
def test_a_refused_file_is_said_in_words(rejected: object, said: str) -> None:
    assert said in rejected_text(rejected)


async def test_a_chosen_file_is_named_and_its_workflow_summed_up(people: People) -> None:
    state = await _tab(people.tokens["member"])
    await call(state, "open_import")
    assert state.import_mode == "file"
    text = _text("manual_set_if_http_loopback.json").encode()
    chosen = rx.UploadFile(file=io.BytesIO(text), path=Path("some/dir/order.json"))
    await call(state, "handle_upload", [chosen])
    assert (state.file_name, state.file_size) == ("order.json", f"{len(text) / 1024:.1f} KiB")
    assert state.previewed and state.import_steps == 3
    assert state.import_name == "Order check: set, branch, call the stock service"
    assert [(r["node"], r["type"]) for r in state.unmapped] == [
        ("Log Empty Order", "n8n-nodes-base.code")
    ]

    empty = rx.UploadFile(file=io.BytesIO(b"  \n"), path=Path("empty.json"))
    await call(state, "handle_upload", [empty])
    assert state.import_error == "The file is empty" and not state.previewed
    assert state.import_steps == 0 and state.import_name == ""

    refused = [{"name": "x.txt", "size": 3, "codes": ["file-invalid-type"]}]
    await call(state, "reject_files", refused)
    assert "x.txt" in state.import_error and state.file_name == ""
    await call(state, "set_import_mode", "paste")
    assert state.import_mode == "paste"
    await call(state, "set_import_mode", ["junk"])
    assert state.import_mode == "file"


async def test_a_signed_webhook_import_shows_its_new_secret_once(people: People) -> None:
    exported = {
        "flowdeck_export": 1,
        "name": "Signed hook",
        "trigger": {"type": "webhook", "config": {"signature": "github"}},
        "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
    }
    state = await _tab(people.tokens["member"])
    await call(state, "open_import")
    await call(state, "set_import_text", json.dumps(exported))
    await call(state, "preview_import")
    result = await call(state, "confirm_import")
    assert redirect_target(result) is None and state.import_open
    assert len(state.secret_once) >= 32 and state.created_id > 0
    assert toasts(result)[0][1].endswith("Copy the webhook secret now.")
    created = state.created_id
    # Closing the dialog (Escape, the overlay) also drops the secret and goes on.
    result = await call(state, "close_import", False)
    assert redirect_target(result) == f"/admin/workflows/{created}"
    assert state.secret_once == "" and state.created_id == 0 and not state.import_open
    assert redirect_target(await call(state, "finish_import")) is None


async def test_the_same_text_sent_again_keeps_the_check(people: People) -> None:
    state = await _tab(people.tokens["member"])
    await call(state, "open_import")
    text = _text("switch_tickets.json")
    await call(state, "set_import_text", text)
    await call(state, "preview_import")
    assert state.previewed
    await call(state, "set_import_text", text)  # the text box's blur flush, after the click
    assert state.previewed and state.mapped
    await call(state, "set_import_text", text + " ")
    assert not state.previewed and state.mapped == []
