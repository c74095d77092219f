"""routing indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:38:13.374433
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grid_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_assignments_grid_id"), ["grid_id"], unique=False)

    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workers_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workers_town_id"), ["town_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workers_town_id"))
        batch_op.drop_index(batch_op.f("ix_workers_community_id"))

    with op.batch_alter_table("grid_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_assignments_grid_id"))
