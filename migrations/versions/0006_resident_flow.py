"""Resident flow: messages awaiting a choice, location pins on tickets, grid descriptions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:47:55.798683
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))

    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("awaiting_ticket_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_inbound_messages_awaiting"), ["awaiting"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_inbound_messages_awaiting_ticket_id_tickets"),
            "tickets",
            ["awaiting_ticket_id"],
            ["id"],
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("route_above", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("route_above")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")

    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_inbound_messages_awaiting_ticket_id_tickets"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_inbound_messages_awaiting"))
        batch_op.drop_column("awaiting_ticket_id")
        batch_op.drop_column("awaiting")

    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.drop_column("description")
