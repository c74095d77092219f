"""The county's records: places, people, rosters, tickets, appointments and their log.

Enumerations are stored as short strings (not database enums) so that adding a
value later is a code change, not a migration on every deployment.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models import Base


class CommunityKind(enum.StrEnum):
    COMMUNITY = "community"  # 社区 (urban)
    VILLAGE = "village"  # 村


class WorkerRole(enum.StrEnum):
    GRID_WORKER = "grid_worker"  # 网格员
    COMMUNITY_OFFICER = "community_officer"  # 社区/村 值班干部
    TOWN_OFFICER = "town_officer"  # 镇/街道 值班干部


class GridPosition(enum.StrEnum):
    PRIMARY = "primary"
    BACKUP = "backup"


class DutyOverride(enum.StrEnum):
    ON = "on"
    OFF = "off"


class Category(enum.StrEnum):
    DISPUTE = "dispute"
    HAZARD = "hazard"
    WELFARE = "welfare"
    APPOINTMENT = "appointment"
    # No request intent: a message nobody categorised in time, a request for a person,
    # a complaint about staff, a medical emergency.
    OTHER = "other"


class Priority(enum.StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class TicketStatus(enum.StrEnum):
    AWAITING_SLOT = "awaiting_slot"  # an appointment request; the resident is choosing a slot
    QUEUED = "queued"  # nobody reachable on duty; waits in the grid's queue
    ASSIGNED = "assigned"  # sent to a worker, not yet acknowledged
    CLAIMED = "claimed"  # 接单
    RESOLVED = "resolved"  # 办结, waiting for the resident's rating (回访)
    CLOSED = "closed"  # 办结 and 回访 done: rated, or no rating within the follow-up period
    CANCELLED = "cancelled"  # withdrawn by the resident
    # 并单: a duplicate report, closed into `Ticket.merged_into_id` (which carries on). A
    # status of its own, not CANCELLED, so nobody reads it as withdrawn by the resident.
    MERGED = "merged"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = (
    TicketStatus.AWAITING_SLOT,
    TicketStatus.QUEUED,
    TicketStatus.ASSIGNED,
    TicketStatus.CLAIMED,
)


class Party(enum.StrEnum):
    RESIDENT = "resident"
    WORKER = "worker"
    SYSTEM = "system"


class EventKind(enum.StrEnum):
    CREATED = "created"
    ROUTED = "routed"
    QUEUED = "queued"
    CLAIMED = "claimed"
    RESIDENT_MESSAGE = "resident_message"
    WORKER_MESSAGE = "worker_message"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    RATED = "rated"
    ESCALATED = "escalated"
    ESCALATION_EXHAUSTED = "escalation_exhausted"
    EMERGENCY_ALERT = "emergency_alert"
    TRANSFERRED = "transferred"
    RESCHEDULED = "rescheduled"
    RESOLUTION_OVERDUE = "resolution_overdue"
    REOPENED = "reopened"  # 督办: the resident was not satisfied
    FOLLOWUP_EXPIRED = "followup_expired"  # 已回访-未评价
    NOTE = "note"  # a worker's internal note: on record, never sent to the resident
    MERGED = "merged"  # on the duplicate: closed into data["into"]
    MERGE_RECEIVED = "merge_received"  # on the kept ticket: data["from"] was merged into it


class Town(Base):
    __tablename__ = "towns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))


class Community(Base):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default=CommunityKind.COMMUNITY)

    town: Mapped[Town] = relationship(lazy="joined")


class Grid(Base):
    __tablename__ = "grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # The streets, buildings or 村民小组 the grid covers, shown when residents choose it.
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    community: Mapped[Community] = relationship(lazy="joined")

    @property
    def full_name(self) -> str:
        return f"{self.community.town.name}{self.community.name}{self.name}"


class Worker(Base):
    __tablename__ = "workers"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32), default=WorkerRole.GRID_WORKER)
    # The community or town an officer answers for; grid workers get theirs via assignments.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set once the worker opens the bot with an invite code.
    channel: Mapped[str | None] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(64))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    # /onduty and /offduty: honoured on top of the shifts until `duty_override_until`.
    duty_override: Mapped[str | None] = mapped_column(String(8))
    duty_override_until: Mapped[datetime | None]
    created_at: Mapped[datetime]

    shifts: Mapped[list[Shift]] = relationship(
        back_populates="worker", lazy="selectin", cascade="all, delete-orphan"
    )
    overrides: Mapped[list[ShiftOverride]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def is_reachable(self) -> bool:
        return self.chat_id is not None


class GridAssignment(Base):
    __tablename__ = "grid_assignments"

    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    # Indexed on its own too: routing looks assignments up by grid, and the primary key
    # (worker_id, grid_id) cannot serve that.
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), primary_key=True, index=True)
    position: Mapped[str] = mapped_column(String(16), default=GridPosition.PRIMARY)


class Shift(Base):
    """A weekly recurring shift in local time; `ends` <= `starts` means it runs past midnight."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday, as datetime.weekday()
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)

    worker: Mapped[Worker] = relationship(back_populates="shifts")


class OverrideKind(enum.StrEnum):
    LEAVE = "leave"  # off duty that day (or between starts and ends)
    EXTRA = "extra"  # an extra or swapped-in shift that day


class ShiftOverride(Base):
    """A dated change to a worker's weekly pattern: leave, a swap, an extra shift."""

    __tablename__ = "shift_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(8))
    # Both empty on a leave: the whole day. An extra shift always has both.
    starts: Mapped[time | None] = mapped_column(Time)
    ends: Mapped[time | None] = mapped_column(Time)
    note: Mapped[str | None] = mapped_column(String(200))


class Invite(Base):
    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    bound_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    source_channel: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    nlu_confidence: Mapped[float | None] = mapped_column(Float)
    # What the NLU found in the request (Rasa-shaped entity dicts), and the parts used
    # directly: when the resident wants the visit, and how to reach them.
    entities: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    appointment_at: Mapped[datetime | None]
    appointment_until: Mapped[datetime | None]
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(128))
    # A photo sent with the report: {"channel", "file_id"} (file ids only work on their channel).
    photo: Mapped[dict[str, Any] | None]
    # Where the problem is, when the resident sent a location pin for it.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    rating: Mapped[int | None] = mapped_column(Integer)
    # Timers the sweeper acts on; they live here so a restart loses none of them.
    ack_due_at: Mapped[datetime | None] = mapped_column(index=True)
    resolve_due_at: Mapped[datetime | None]
    escalation_level: Mapped[str | None] = mapped_column(String(16))
    # Routing starts above this level (a complaint about the grid's own worker goes to the
    # community officer, never to that worker); None: from the grid worker up.
    route_above: Mapped[str | None] = mapped_column(String(16))
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The resident agreed to show workers their name and number for this ticket; until
    # then cards show 王女士 and 138****5678.
    identity_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A merged duplicate (status MERGED) points at the ticket that carries on.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # A resolution-overdue notice held for an off-duty assignee (or, before the flag, for
    # anyone in the chain to come on duty): the sweeper sends it at this moment.
    overdue_notice_at: Mapped[datetime | None]

    grid: Mapped[Grid] = relationship(lazy="joined")
    assignee: Mapped[Worker | None] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ServiceWindow(Base):
    """When a community offers off-hours appointments (错时服务): weekly, or on one date."""

    __tablename__ = "service_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday; None for a dated window
    day: Mapped[date | None] = mapped_column(Date)  # a holiday appointment day, say
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    label: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceWindowWorker(Base):
    """Who serves a window; a slot's capacity is how many of them there are."""

    __tablename__ = "service_window_workers"

    window_id: Mapped[int] = mapped_column(ForeignKey("service_windows.id"), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"


class Appointment(Base):
    __tablename__ = "appointments"
    # One worker, one booked appointment per start time: the database itself refuses a
    # double booking, however many residents press at once.
    __table_args__ = (
        Index(
            "uq_appointments_worker_slot",
            "worker_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("service_windows.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    reminded_day_before_at: Mapped[datetime | None]
    reminded_hour_before_at: Mapped[datetime | None]


class TicketEvent(Base):
    """Append-only: every state change and every message on a ticket."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]


class TicketCounter(Base):
    __tablename__ = "ticket_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
