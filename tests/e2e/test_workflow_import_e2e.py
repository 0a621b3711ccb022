"""Import and export in a real browser: an n8n export file brought over, checked, imported and
run against a loopback server; a workflow exported as a JSON download; a bad file refused."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

FIXTURE = Path(__file__).parents[1] / "fixtures" / "n8n" / "manual_set_if_http_loopback.json"
TEMPLATE_URL = "http://127.0.0.1:9/"  # the fixture's placeholder: the discard port
FILE_INPUT = "#workflow-import-file input[type=file]"
SHOTS = Path("/tmp/flowdeck-shots")


class _StockService(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _StockService

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.seen.append(self.path)
        body = json.dumps({"reserved": True, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def stock_service() -> Iterator[_StockService]:
    server = _StockService(("127.0.0.1", 0), _Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _workflow_count(api: httpx.Client) -> int:
    return api.get("/workflows", params={"limit": 1}).raise_for_status().json()["total"]


def _open_import(page: Page) -> Locator:
    page.goto("/admin/workflows")
    page.get_by_test_id("import-workflow").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_an_n8n_file_is_checked_imported_and_runs(
    admin_page: Page, stock_service: _StockService, tmp_path: Path
) -> None:
    page = admin_page
    port = stock_service.server_address[1]
    text = FIXTURE.read_text(encoding="utf-8")
    assert TEMPLATE_URL in text
    export = tmp_path / "order-check.json"
    export.write_text(text.replace(TEMPLATE_URL, f"http://127.0.0.1:{port}/"), encoding="utf-8")

    dialog = _open_import(page)
    page.set_input_files(FILE_INPUT, str(export))
    mapped = dialog.get_by_test_id("import-mapped")
    expect(mapped).to_have_count(4)  # the manual trigger and three steps
    for name in ("Set Order", "Has Items?", "Reserve Stock"):
        expect(mapped.filter(has_text=name)).to_have_count(1)
    unmapped = dialog.get_by_test_id("import-unmapped")
    expect(unmapped).to_have_count(1)
    expect(unmapped).to_contain_text("Log Empty Order")
    expect(unmapped).to_contain_text("n8n-nodes-base.code")
    expect(dialog.get_by_test_id("import-file-name")).to_have_text("order-check.json")
    expect(dialog.get_by_test_id("import-summary")).to_contain_text(
        "Ready to import Order check: set, branch, call the stock service with 3 steps; "
        "1 node is left out"
    )
    _shot(page, "import-preview.png")

    dialog.get_by_test_id("import-confirm").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(
        page.get_by_text("Order check: set, branch, call the stock service").first
    ).to_be_visible()

    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    expect(page.get_by_test_id("execution-status")).to_contain_text("succeeded", timeout=30_000)
    assert stock_service.seen == ["/stock/A-1001"]


def test_export_json_downloads_the_workflow(
    admin_page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    page = admin_page
    steps = [
        {"id": "greet", "type": "transform", "config": {"values": {"hello": "world"}}},
        {"id": "check", "type": "if", "config": {"condition": "1 == 1"}},
    ]
    created = api.post(
        "/workflows",
        json={"name": "E2E exported / digest", "trigger": {"type": "manual"}, "actions": steps},
    ).raise_for_status()
    workflow_id = created.json()["id"]

    page.goto(f"/admin/workflows/{workflow_id}")
    with page.expect_download() as download:
        page.get_by_test_id("export-workflow").click()
    exported = download.value
    assert exported.suggested_filename == "E2E-exported---digest.flowdeck.json"
    document = json.loads(Path(exported.path()).read_text(encoding="utf-8"))
    assert document["flowdeck_export"] == 1
    assert document["exported_from"] == {"workflow_id": workflow_id, "version": 1}
    assert document["name"] == "E2E exported / digest"
    assert [a["id"] for a in document["actions"]] == ["greet", "check"]
    assert document["actions"][0]["config"] == {"values": {"hello": "world"}}

    # The downloaded file imports back as a new workflow.
    dialog = _open_import(page)
    saved = tmp_path / exported.suggested_filename
    exported.save_as(saved)
    page.set_input_files(FILE_INPUT, str(saved))
    expect(dialog).to_contain_text("Read as a Flowdeck export.")
    expect(dialog.get_by_test_id("import-mapped")).to_have_count(2)
    dialog.get_by_test_id("import-confirm").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    copy_id = int(re.search(r"/admin/workflows/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert copy_id != workflow_id


def test_a_signed_webhook_import_shows_its_new_secret_once(
    admin_page: Page, tmp_path: Path
) -> None:
    page = admin_page
    export = tmp_path / "signed-hook.flowdeck.json"
    document = {
        "flowdeck_export": 1,
        "name": "E2E signed hook",
        "trigger": {"type": "webhook", "config": {"signature": "github"}},
        "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
    }
    export.write_text(json.dumps(document), encoding="utf-8")
    dialog = _open_import(page)
    page.set_input_files(FILE_INPUT, str(export))
    dialog.get_by_test_id("import-confirm").click()
    secret = dialog.get_by_test_id("import-webhook-secret")
    expect(secret).to_have_text(re.compile(r"^\S{32,}$"))
    _shot(page, "import-secret.png")
    dialog.get_by_test_id("import-done").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_a_bad_file_is_refused_with_a_clear_error_and_creates_nothing(
    admin_page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    page = admin_page
    before = _workflow_count(api)
    dialog = _open_import(page)
    confirm = dialog.get_by_test_id("import-confirm")

    not_json = tmp_path / "notes.json"
    not_json.write_text("these are my notes, not JSON", encoding="utf-8")
    page.set_input_files(FILE_INPUT, str(not_json))
    expect(dialog.get_by_test_id("import-error")).to_contain_text("Not valid JSON")
    expect(confirm).to_be_disabled()
    _shot(page, "import-bad-file.png")

    not_a_workflow = tmp_path / "settings.json"
    not_a_workflow.write_text(json.dumps({"theme": "dark", "items": [1, 2]}), encoding="utf-8")
    page.set_input_files(FILE_INPUT, str(not_a_workflow))
    expect(dialog.get_by_test_id("import-error")).to_contain_text("not a workflow export")
    expect(dialog.get_by_test_id("import-mapped")).to_have_count(0)
    expect(confirm).to_be_disabled()

    # A file the picker refuses (too large, not .json) is said so in the dialog, not sent.
    huge = tmp_path / "huge.json"
    huge.write_text('{"nodes": [' + " " * (1024 * 1024) + "]}", encoding="utf-8")
    page.set_input_files(FILE_INPUT, str(huge))
    expect(dialog.get_by_test_id("import-error")).to_contain_text("larger than 1 MiB")
    text_file = tmp_path / "workflow.txt"
    text_file.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    page.set_input_files(FILE_INPUT, str(text_file))
    expect(dialog.get_by_test_id("import-error")).to_contain_text("not a .json file")
    expect(confirm).to_be_disabled()

    # Pasted text is checked the same way.
    dialog.get_by_role("radio", name="Paste").click()
    dialog.get_by_test_id("import-text").fill('{"nodes": "none"}')
    dialog.get_by_test_id("import-check").click()
    expect(
        dialog.get_by_test_id("import-problem").or_(dialog.get_by_test_id("import-error")).first
    ).to_be_visible()
    expect(confirm).to_be_disabled()

    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert _workflow_count(api) == before
