"""The outbox: messages to residents and workers, written in the transaction of the change
they report, and read back by each channel for its own people.

Messages are addressed to a party (resident or worker), not to a chat, so a ticket card
can wait for a worker who has not opened the bot yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from county.models import Party, Resident, Ticket, Worker
from messaging.keyboard import Keyboard, encode_keyboard
from messaging.models import OutboxMessage, OutboxStatus

BATCH = 100
# A view (see `OutboxMessage.view`) that a ticket's changes keep current: its card.
CARD = "card"


class Outbox:
    """The one way to queue a message, bound to a session and the moment of the change."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now

    def to_resident(
        self,
        resident: Resident | int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        ticket_id: int | None = None,
        photo: dict[str, Any] | None = None,
        view: str | None = None,
    ) -> OutboxMessage:
        party_id = resident if isinstance(resident, int) else resident.id
        return self._queue(Party.RESIDENT, party_id, text, buttons, ticket_id, photo, view)

    def to_worker(
        self,
        worker: Worker | int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        ticket_id: int | None = None,
        photo: dict[str, Any] | None = None,
        view: str | None = None,
    ) -> OutboxMessage:
        party_id = worker if isinstance(worker, int) else worker.id
        return self._queue(Party.WORKER, party_id, text, buttons, ticket_id, photo, view)

    def edit(
        self, target: OutboxMessage, text: str, buttons: Keyboard | None = None
    ) -> OutboxMessage | None:
        """Queue new text and buttons for an earlier message (a card whose ticket changed).

        The dispatcher edits the delivered message in place, or, when the target has not
        gone out yet, sends the newest version instead. A target that failed for good has
        nothing to edit: None.
        """
        if target.status in (OutboxStatus.FAILED, OutboxStatus.DROPPED):
            return None
        if target in self.session.new:
            # Written in this very transaction: nobody can have sent it yet.
            target.text, target.buttons = text, encode_keyboard(buttons)
            return target
        edit = self._queue(
            Party(target.recipient), target.recipient_id, text, buttons, target.ticket_id, None,
            None,
        )  # fmt: skip
        edit.replaces_id = target.id
        return edit

    def _queue(
        self,
        party: Party,
        party_id: int,
        text: str,
        buttons: Keyboard | None,
        ticket_id: int | None,
        photo: dict[str, Any] | None,
        view: str | None,
    ) -> OutboxMessage:
        message = OutboxMessage(
            recipient=party,
            recipient_id=party_id,
            text=text,
            buttons=encode_keyboard(buttons),
            photo=photo,
            ticket_id=ticket_id,
            created_at=self.now,
            attempts=0,
            view=view,
        )
        self.session.add(message)
        return message


async def views_of(session: AsyncSession, ticket_id: int, view: str) -> list[OutboxMessage]:
    """Every live copy of a ticket's view (each card of it sent or waiting to be sent),
    oldest first; edits are not copies of their own."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.ticket_id == ticket_id,
            OutboxMessage.view == view,
            OutboxMessage.replaces_id.is_(None),
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENT]),
        )
        .order_by(OutboxMessage.id)
    )
    return list((await session.scalars(query)).all())


async def stale_views(session: AsyncSession, view: str, since: datetime, limit: int) -> list[int]:
    """Tickets changed since `since` whose delivered views were neither sent nor edited
    after the change: a change made without re-rendering them."""
    edit = aliased(OutboxMessage)
    edited_after = exists().where(
        edit.replaces_id == OutboxMessage.id, edit.created_at >= Ticket.updated_at
    )
    query = (
        select(Ticket.id)
        .join(OutboxMessage, OutboxMessage.ticket_id == Ticket.id)
        .where(
            OutboxMessage.view == view,
            OutboxMessage.replaces_id.is_(None),
            OutboxMessage.status == OutboxStatus.SENT,
            Ticket.updated_at >= since,
            Ticket.updated_at > OutboxMessage.created_at,
            ~edited_after,
        )
        .group_by(Ticket.id)
        .order_by(Ticket.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def delivered_message(
    session: AsyncSession, channel: str, chat_id: str, channel_message_id: str
) -> OutboxMessage | None:
    """The outbox row a channel's message came from (a pressed card, say), if any."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.channel_message_id == channel_message_id,
            OutboxMessage.replaces_id.is_(None),
        )
        .limit(1)
    )
    return await session.scalar(query)


async def pending_for_channel(
    session: AsyncSession, channel: str, only_chat: str | None = None, limit: int = BATCH
) -> list[tuple[OutboxMessage, str]]:
    """Pending messages whose recipient uses `channel`, oldest first, with their chat id."""
    query = (
        select(OutboxMessage, Resident.chat_id, Worker.chat_id)
        .outerjoin(
            Resident,
            and_(
                OutboxMessage.recipient == Party.RESIDENT,
                Resident.id == OutboxMessage.recipient_id,
            ),
        )
        .outerjoin(
            Worker,
            and_(OutboxMessage.recipient == Party.WORKER, Worker.id == OutboxMessage.recipient_id),
        )
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(
                and_(OutboxMessage.recipient == Party.RESIDENT, Resident.channel == channel),
                and_(OutboxMessage.recipient == Party.WORKER, Worker.channel == channel),
            ),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only_chat is not None:
        query = query.where(or_(Resident.chat_id == only_chat, Worker.chat_id == only_chat))
    rows = (await session.execute(query)).all()
    return [(message, resident_chat or worker_chat) for message, resident_chat, worker_chat in rows]


def mark_sent(
    message: OutboxMessage, channel: str, chat_id: str, channel_message_id: str, now: datetime
) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.channel = channel
    message.chat_id = chat_id
    message.channel_message_id = channel_message_id
    message.attempts += 1


def mark_dropped(message: OutboxMessage, why: str, now: datetime) -> None:
    """An edit that needs no call: folded into a send, superseded, or its target is gone."""
    message.status = OutboxStatus.DROPPED
    message.sent_at = now
    message.last_error = why[:500]


def mark_attempt_failed(
    message: OutboxMessage, error: str, *, permanent: bool, max_attempts: int
) -> bool:
    """Count a failed send; True when the message is given up on."""
    message.attempts += 1
    message.last_error = error[:500]
    if permanent or message.attempts >= max_attempts:
        message.status = OutboxStatus.FAILED
        return True
    return False


async def ticket_of_delivered_message(
    session: AsyncSession, channel: str, chat_id: str, channel_message_id: str
) -> int | None:
    """The ticket a delivered message belongs to — how a Telegram reply finds its thread."""
    query = select(OutboxMessage.ticket_id).where(
        OutboxMessage.channel == channel,
        OutboxMessage.chat_id == chat_id,
        OutboxMessage.channel_message_id == channel_message_id,
    )
    return await session.scalar(query.limit(1))


async def move_to_ticket(
    session: AsyncSession, from_ticket_id: int, to_ticket_id: int, resident_id: int
) -> None:
    """What a resident was sent about a merged duplicate now belongs to the ticket it was
    merged into, so their reply to any of it continues that ticket. Workers' cards stay
    with the duplicate: they show it closed."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.ticket_id == from_ticket_id,
            OutboxMessage.recipient == Party.RESIDENT,
            OutboxMessage.recipient_id == resident_id,
        )
        .values(ticket_id=to_ticket_id)
        .execution_options(synchronize_session=False)
    )
