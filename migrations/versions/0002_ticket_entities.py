"""ticket entities

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 07:03:40.690503
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entities", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("appointment_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("appointment_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("appointment_until")
        batch_op.drop_column("appointment_at")
        batch_op.drop_column("entities")
