"""Migration 0007 on a SQLite file with 0006 data: samples keep their values and get a null
`article_id`; a new sample can name its article and goes when the article is deleted;
downgrade removes the column and keeps the samples."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config

SAMPLES = [
    {"id": 1, "at": "2026-11-01 10:00:00.000000", "name": "latency_ms", "source": "https://a/",
     "value": 120.5},
    {"id": 2, "at": "2026-11-02 10:00:00.000000", "name": "visitors", "source": "https://b/",
     "value": 42.0},
]  # fmt: skip
ARTICLE = {
    "id": 5, "title": "Hello", "slug": "hello", "body": "b", "meta_description": "",
    "status": "published", "tags": "[]", "current_version": 1,
    "created_at": "2026-11-01 09:00:00.000000", "updated_at": "2026-11-01 09:00:00.000000",
}  # fmt: skip


def _insert(conn: sa.Connection, table: str, row: dict) -> None:
    names = ", ".join(row)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES (:{', :'.join(row)})"), row)


def test_0007_keeps_samples_and_ties_new_ones_to_their_article(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0006")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for row in SAMPLES:
            _insert(conn, "metric_sample", row)
        _insert(conn, "article", ARTICLE)
    command.upgrade(alembic_config(url), "0007")
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys=ON"))
        rows = conn.execute(
            sa.text("SELECT id, name, value, article_id FROM metric_sample ORDER BY id")
        ).all()
        assert rows == [(1, "latency_ms", 120.5, None), (2, "visitors", 42.0, None)]
        _insert(conn, "metric_sample", {"id": 3, "at": "2026-11-03 10:00:00.000000",
                                         "name": "traffic.visitors", "source": "https://b/hello",
                                         "value": 7.0, "article_id": 5})  # fmt: skip
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("metric_sample")}
        assert {"ix_metric_article_at", "ix_metric_name_at"} <= indexes
        conn.execute(sa.text("DELETE FROM article WHERE id = 5"))
        left = conn.execute(sa.text("SELECT id FROM metric_sample ORDER BY id")).scalars().all()
        assert left == [1, 2]
    command.downgrade(alembic_config(url), "0006")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("metric_sample")}
        assert "article_id" not in columns
        assert conn.execute(sa.text("SELECT count(*) FROM metric_sample")).scalar() == 2
    engine.dispose()
