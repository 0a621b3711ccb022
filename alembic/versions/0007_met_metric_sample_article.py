"""metric_sample.article_id: the article whose page a sample measures

Revision ID: 0007
Revises: 0006
Create Date: 2027-03-02

`monitor` now reads named metrics (ranking, traffic, engagement) of an article's page from
metric source connections, and the article's page charts them over time. Each such sample
keeps its article (deleted with it); the chart reads them by `(article_id, at)`. Existing
samples measured URLs and JSON values, not articles: their `article_id` stays null.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nothing references metric_sample, so the batch copy SQLite needs for a foreign key
    # cascades nothing.
    with op.batch_alter_table("metric_sample", schema=None) as batch_op:
        batch_op.add_column(sa.Column("article_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_metric_sample_article_id_article",
            "article",
            ["article_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_metric_article_at", ["article_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("metric_sample", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_article_at")
        batch_op.drop_constraint("fk_metric_sample_article_id_article", type_="foreignkey")
        batch_op.drop_column("article_id")
