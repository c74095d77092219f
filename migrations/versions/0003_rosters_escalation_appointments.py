"""rosters escalation appointments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:17:25.683950
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_service_windows_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_windows")),
    )
    with op.batch_alter_table("service_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_windows_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "service_window_workers",
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["service_windows.id"],
            name=op.f("fk_service_window_workers_window_id_service_windows"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name=op.f("fk_service_window_workers_worker_id_workers")
        ),
        sa.PrimaryKeyConstraint("window_id", "worker_id", name=op.f("pk_service_window_workers")),
    )
    op.create_table(
        "shift_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("starts", sa.Time(), nullable=True),
        sa.Column("ends", sa.Time(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name=op.f("fk_shift_overrides_worker_id_workers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_overrides")),
    )
    with op.batch_alter_table("shift_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_overrides_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shift_overrides_worker_id"), ["worker_id"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_day_before_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_hour_before_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_appointments_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_appointments_resident_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_appointments_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["service_windows.id"],
            name=op.f("fk_appointments_window_id_service_windows"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name=op.f("fk_appointments_worker_id_workers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointments_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointments_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_appointments_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_worker_id"), ["worker_id"], unique=False)
        batch_op.create_index(
            "uq_appointments_worker_slot",
            ["worker_id", "starts_at"],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ack_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolve_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_level", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("emergency", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_tickets_ack_due_at"), ["ack_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_ack_due_at"))
        batch_op.drop_column("emergency")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("resolve_due_at")
        batch_op.drop_column("ack_due_at")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_appointments_worker_slot",
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.drop_index(batch_op.f("ix_appointments_worker_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_starts_at"))
        batch_op.drop_index(batch_op.f("ix_appointments_resident_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_community_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("shift_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_overrides_worker_id"))
        batch_op.drop_index(batch_op.f("ix_shift_overrides_day"))

    op.drop_table("shift_overrides")
    op.drop_table("service_window_workers")
    with op.batch_alter_table("service_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_windows_community_id"))

    op.drop_table("service_windows")
