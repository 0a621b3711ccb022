"""The `file_watch` trigger on a real directory: files created, modified and deleted start runs
with the path, name, size and event; patterns and events filter; the folder must be under
FLOWDECK_WATCH_ROOTS; pausing stops the watcher and resuming starts it again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from app.core.errors import ValidationFailed
from app.db.settings import get_settings
from app.engine.runner import Engine
from app.engine.triggers.file_watch import FileWatchers
from app.services import executions, workflows
from app.services.actor import Actor

STEPS = [{"id": "seen", "type": "transform", "config": {"values": {"file": "{{ trigger.name }}"}}}]


@pytest.fixture
def root(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    allowed = tmp_path / "watched"
    (allowed / "inbox").mkdir(parents=True)
    monkeypatch.setenv("FLOWDECK_WATCH_ROOTS", str(allowed))
    get_settings.cache_clear()
    yield allowed
    get_settings.cache_clear()


@pytest.fixture
async def watchers(engine: Engine, root: Path) -> AsyncIterator[FileWatchers]:
    found = FileWatchers()
    await found.start()
    yield found
    await found.stop()


def _create(member: Actor, folder: Path, **config) -> int:
    data = {
        "name": "watch",
        "trigger": {"type": "file_watch", "config": {"path": str(folder), **config}},
        "actions": STEPS,
    }
    return workflows.create_workflow(member, data).workflow["id"]


async def _payloads(member: Actor, workflow_id: int, count: int, engine: Engine) -> list[dict]:
    """The trigger payloads of the workflow's runs, once there are `count` (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            await engine.drain()
            page = executions.list_executions(
                member, executions.ExecutionFilter(workflow_id=workflow_id)
            )
            if len(page["items"]) >= count:
                runs = sorted(page["items"], key=lambda e: e["id"])
                return [executions.get_execution(member, r["id"]) for r in runs]
            await asyncio.sleep(0.1)


async def test_created_modified_and_deleted_files_start_runs(
    member: Actor, root: Path, watchers: FileWatchers, engine: Engine
) -> None:
    inbox = root / "inbox"
    wf = _create(member, inbox, patterns=["*.csv"], debounce_ms=100)
    await watchers.ready(wf)
    await asyncio.sleep(0.3)  # the OS watcher is set up on the watcher's thread
    (inbox / "orders.csv").write_text("id,qty\n1,3\n")
    (inbox / "notes.txt").write_text("not a csv")
    [created] = await _payloads(member, wf, 1, engine)
    assert created["trigger_type"] == "file_watch" and created["status"] == "succeeded"
    assert created["trigger_payload"] == {
        "event": "created",
        "path": str(inbox / "orders.csv"),
        "name": "orders.csv",
        "directory": str(inbox),
        "size": 11,
    }
    assert created["steps"][0]["output"] == {"file": "orders.csv"}
    await asyncio.sleep(0.3)
    with (inbox / "orders.csv").open("a") as handle:
        handle.write("2,5\n")
    modified = (await _payloads(member, wf, 2, engine))[1]["trigger_payload"]
    assert (modified["event"], modified["size"]) == ("modified", 15)
    await asyncio.sleep(0.3)
    (inbox / "orders.csv").unlink()
    deleted = (await _payloads(member, wf, 3, engine))[2]["trigger_payload"]
    assert (deleted["event"], deleted["size"]) == ("deleted", None)


async def test_only_the_chosen_events_start_runs_and_a_pause_stops_watching(
    member: Actor, root: Path, watchers: FileWatchers, engine: Engine
) -> None:
    inbox = root / "inbox"
    (inbox / "old.txt").write_text("x")
    wf = _create(member, inbox, events=["deleted"], debounce_ms=100)
    await watchers.ready(wf)
    await asyncio.sleep(0.3)
    (inbox / "new.txt").write_text("ignored: only deletions count")
    (inbox / "old.txt").unlink()
    [run] = await _payloads(member, wf, 1, engine)
    assert run["trigger_payload"]["event"] == "deleted"
    assert run["trigger_payload"]["name"] == "old.txt"

    workflows.update_workflow(member, wf, {"is_active": False})
    await watchers.settle()
    assert wf not in watchers.watching()
    (inbox / "new.txt").unlink()
    await asyncio.sleep(0.5)
    await engine.drain()
    page = executions.list_executions(member, executions.ExecutionFilter(workflow_id=wf))
    assert len(page["items"]) == 1  # paused: that deletion started nothing

    workflows.update_workflow(member, wf, {"is_active": True})
    await watchers.ready(wf)
    await asyncio.sleep(0.3)
    (inbox / "again.txt").write_text("x")
    await asyncio.sleep(0.3)  # (created and deleted within one batch may show as nothing)
    (inbox / "again.txt").unlink()
    assert (await _payloads(member, wf, 2, engine))[1]["trigger_payload"]["name"] == "again.txt"


def test_the_folder_must_be_an_existing_directory_under_the_roots(
    member: Actor, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    escape = root / "link"
    escape.symlink_to(outside)  # a link out of the root counts where it leads
    cases = [
        (outside, "is not under an allowed directory"),
        (escape, "is not under an allowed directory"),
        (root / "missing", "is not a directory"),
    ]
    for folder, why in cases:
        with pytest.raises(ValidationFailed) as info:
            _create(member, folder)
        assert why in (info.value.for_path("trigger.config.path") or ""), folder
    with pytest.raises(ValidationFailed) as info:
        _create(member, Path("relative/dir"))
    assert (
        info.value.for_path("trigger.config.path") == "must be an absolute path (starting with /)"
    )
