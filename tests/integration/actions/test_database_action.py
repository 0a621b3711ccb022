"""`database` on the real engine, against real SQLite files under a temp root."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import ValidationFailed
from app.db.settings import get_settings
from app.engine.runner import Engine
from app.integrations.verify import verify
from app.services import connections
from app.services.actor import Actor
from app.services.connections import load_connection
from tests.integration.actions.action_helpers import run, stored_text


@pytest.fixture
def root(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    allowed = tmp_path / "sqlite-root"
    allowed.mkdir()
    monkeypatch.setenv("FLOWDECK_SQLITE_ROOTS", f"{allowed}:{tmp_path / 'data'}")
    get_settings.cache_clear()
    yield allowed
    get_settings.cache_clear()


def _make_db(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT, score REAL, pic BLOB)"
        )
        conn.executemany(
            "INSERT INTO customer (name, score, pic) VALUES (?, ?, ?)",
            [(f"c{i}", i / 2, b"\x00\x01" if i == 1 else None) for i in range(1, 8)],
        )
    conn.close()
    return path


def _connect(member: Actor, path: Path | str, name: str = "shop") -> dict:
    url = f"sqlite:///{path}"
    return connections.create_connection(
        member, {"name": name, "platform": "database", "credentials": {"url": url}}
    )


def _query(query: str, **config: object) -> list[dict]:
    return [{"id": "q", "type": "database", "config": {"connection": "shop", "query": query,
                                                        **config}}]  # fmt: skip


def _count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        value = conn.execute("SELECT count(*) FROM customer").fetchone()[0]
    conn.close()
    return value


async def test_reads_rows_with_bound_params(root: Path, member: Actor, engine: Engine) -> None:
    _connect(member, _make_db(root / "shop.db"))
    actions = _query(
        "SELECT id, name, score, pic FROM customer WHERE score >= :low ORDER BY id",
        params={"low": "{{ trigger.low }}"},
        max_rows=3,
    )
    result = await run(member, engine, actions, payload={"low": 0.5})
    assert result["status"] == "succeeded", result["steps"][0]["error"]
    out = result["steps"][0]["output"]
    assert out["columns"] == ["id", "name", "score", "pic"]
    assert out["rows"][0] == {"id": 1, "name": "c1", "score": 0.5, "pic": "AAE="}
    assert out["row_count"] == 3 and out["truncated"] is True


async def test_params_are_bound_not_interpolated(root: Path, member: Actor, engine: Engine) -> None:
    path = _make_db(root / "shop.db")
    _connect(member, path)
    evil = "x'; DELETE FROM customer; --"
    actions = _query("SELECT count(*) AS n FROM customer WHERE name = :name", params={
        "name": "{{ trigger.name }}"})  # fmt: skip
    result = await run(member, engine, actions, payload={"name": evil})
    assert result["steps"][0]["output"]["rows"] == [{"n": 0}]
    assert _count(path) == 7
    # the query itself is no template: {{ }} in it reaches SQLite as written
    result = await run(member, engine, _query("SELECT '{{ trigger.name }}' AS t"),
                       payload={"name": evil})  # fmt: skip
    assert result["steps"][0]["output"]["rows"] == [{"t": "{{ trigger.name }}"}]


async def test_read_only_unless_write(root: Path, member: Actor, engine: Engine) -> None:
    path = _make_db(root / "shop.db")
    _connect(member, path)
    delete = "DELETE FROM customer WHERE id > :keep"
    result = await run(member, engine, _query(delete, params={"keep": 2}))
    assert result["status"] == "failed"
    assert "read-only (set write: true" in result["steps"][0]["error"]
    assert _count(path) == 7
    result = await run(member, engine, _query(delete, params={"keep": 2}, write=True))
    assert result["status"] == "succeeded", result["steps"][0]["error"]
    assert result["steps"][0]["output"]["row_count"] == 5
    assert _count(path) == 2


@pytest.mark.parametrize(
    "query",
    ["ATTACH DATABASE '/tmp/other.db' AS other", "PRAGMA query_only = OFF",
     "VACUUM INTO '/tmp/flowdeck-copy.db'"],
)  # fmt: skip
async def test_no_way_out_of_the_file(
    root: Path, member: Actor, engine: Engine, query: str
) -> None:
    _connect(member, _make_db(root / "shop.db"))
    result = await run(member, engine, _query(query, write=True))
    assert result["status"] == "failed"
    assert "setting a PRAGMA are not allowed" in result["steps"][0]["error"]


async def test_refused_outside_the_roots_and_for_flowdecks_own_database(
    root: Path, member: Actor, engine: Engine, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    _connect(member, _make_db(outside / "other.db"))
    result = await run(member, engine, _query("SELECT 1"))
    assert "is not under an allowed directory" in result["steps"][0]["error"]
    own = get_settings().data_dir / "flowdeck.db"  # its directory is a root in this test
    _connect(member, own, "own")
    result = await run(member, engine, _query("SELECT 1", connection="own"))
    assert "Flowdeck's own database" in result["steps"][0]["error"]
    os.link(own, root / "linked.db")  # a hard link under a root is the same file
    _connect(member, root / "linked.db", "linked")
    result = await run(member, engine, _query("SELECT 1", connection="linked"))
    assert "Flowdeck's own database" in result["steps"][0]["error"]
    assert "password" not in stored_text()


async def test_verify_and_bad_urls(root: Path, member: Actor) -> None:
    conn = _connect(member, _make_db(root / "shop.db"))
    result = await verify(load_connection(conn["id"]))
    assert result.ok and "sqlite database answered" in result.message
    with pytest.raises(ValidationFailed, match="credentials.url"):
        connections.create_connection(
            member, {"name": "x", "platform": "database", "credentials": {"url": "redis://h"}}
        )


async def test_saving_checks_the_config(root: Path, member: Actor) -> None:
    from tests.integration.actions.action_helpers import workflow

    with pytest.raises(ValidationFailed) as info:
        workflow(member, _query("SELECT 1", max_rows=0, write="maybe"))
    paths = {p.path for p in info.value.problems}
    assert {"actions[0].config.max_rows", "actions[0].config.write"} <= paths


async def test_network_databases_pass_the_outbound_guard(
    root: Path, member: Actor, engine: Engine
) -> None:
    for name, url in (("meta", "postgresql+psycopg://u:pw-Secret-9@169.254.169.254/x"),
                      ("private", "mysql+pymysql://u:pw-Secret-9@10.1.2.3/x")):  # fmt: skip
        connections.create_connection(
            member, {"name": name, "platform": "database", "credentials": {"url": url}}
        )
    result = await run(member, engine, _query("SELECT 1", connection="meta"))
    assert "outbound request to 169.254.169.254 blocked" in result["steps"][0]["error"]
    result = await run(member, engine, _query("SELECT 1", connection="private"))
    assert "blocked: a private address" in result["steps"][0]["error"]
    assert "pw-Secret-9" not in stored_text()
