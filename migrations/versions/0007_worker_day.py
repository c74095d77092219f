"""The worker's day: outbox edits and views, merged tickets, identity consent

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:56:42.118353
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("view", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_replaces_id_outbox"), "outbox", ["replaces_id"], ["id"]
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("identity_shared", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("overdue_notice_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_merged_into_id_tickets"), "tickets", ["merged_into_id"], ["id"]
        )

    # Cards delivered before this revision become views too, so the first change to their
    # ticket edits them like any new card (they were the only worker messages with 【新工单】).
    op.execute(
        "UPDATE outbox SET view = 'card' WHERE recipient = 'worker' AND ticket_id IS NOT NULL"
        " AND text LIKE '%【新工单】%'"
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_tickets_merged_into_id_tickets"), type_="foreignkey"
        )
        batch_op.drop_column("overdue_notice_at")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("identity_shared")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_replaces_id_outbox"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_replaces_id"))
        batch_op.drop_column("view")
        batch_op.drop_column("replaces_id")
