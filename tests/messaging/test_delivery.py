"""The outbox as each channel sees it: only its own people's messages, in order, marked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.runtime.container import Gridline
from messaging.delivery import DeliveryError
from messaging.keyboard import Button, Keyboard
from messaging.models import OutboxMessage, OutboxStatus
from messaging.outbox import Outbox, ticket_of_delivered_message
from tests import factories


class RecordingChannel:
    def __init__(self, name: str, fail_with: DeliveryError | None = None) -> None:
        self.name = name
        self.fail_with = fail_with
        self.sent: list[tuple[str, str, Keyboard]] = []
        self.edits: list[tuple[str, str, str, Keyboard]] = []

    async def send(
        self, chat_id: str, text: str, buttons: Keyboard, photo: dict[str, Any] | None
    ) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((chat_id, text, buttons))
        return f"m{len(self.sent)}"

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Keyboard) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.edits.append((chat_id, message_id, text, buttons))


async def queue_three(gridline: Gridline) -> int:
    """Two messages for a resident on 'test', one for a worker on another channel."""
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        resident = await factories.resident(session, grid, gridline.clock.now())
        worker = await factories.worker(session, "王芳", gridline.clock.now(), grid=grid)
        worker.channel = "elsewhere"
        ticket = await factories.ticket(session, grid, resident, gridline.clock.now())
        outbox = Outbox(session, gridline.clock.now())
        outbox.to_resident(resident, "第一条", [[Button("好", "rate:1:3")]], ticket_id=ticket.id)
        outbox.to_worker(worker, "给网格员")
        outbox.to_resident(resident.id, "第二条")
        await session.commit()
        return ticket.id


async def statuses(gridline: Gridline) -> list[tuple[str, str, int]]:
    async with gridline.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.text, r.status, r.attempts) for r in rows]


async def test_a_channel_sends_its_own_peoples_messages_in_order(gridline: Gridline) -> None:
    ticket_id = await queue_three(gridline)
    channel = RecordingChannel("test")
    assert await gridline.dispatcher.deliver_pending(channel) == 2
    assert channel.sent == [("r1", "第一条", [[Button("好", "rate:1:3")]]), ("r1", "第二条", [])]
    assert await statuses(gridline) == [
        ("第一条", OutboxStatus.SENT, 1),
        ("给网格员", OutboxStatus.PENDING, 0),
        ("第二条", OutboxStatus.SENT, 1),
    ]
    async with gridline.sessions() as session:
        # A reply to the delivered message finds its ticket.
        assert await ticket_of_delivered_message(session, "test", "r1", "m1") == ticket_id
    assert await gridline.dispatcher.deliver_pending(channel) == 0  # nothing sent twice


async def test_only_chat_limits_delivery_to_one_chat(gridline: Gridline) -> None:
    await queue_three(gridline)
    assert await gridline.dispatcher.deliver_pending(RecordingChannel("test"), "r2") == 0


async def test_a_transient_failure_keeps_the_order_a_permanent_one_gives_up(
    gridline: Gridline,
) -> None:
    await queue_three(gridline)
    flaky = RecordingChannel("test", DeliveryError("502", permanent=False))
    assert await gridline.dispatcher.deliver_pending(flaky) == 0
    # The first message is retried before anything newer is tried.
    assert [s[1:] for s in await statuses(gridline)] == [
        (OutboxStatus.PENDING, 1), (OutboxStatus.PENDING, 0), (OutboxStatus.PENDING, 0),
    ]  # fmt: skip
    blocked = RecordingChannel("test", DeliveryError("blocked", permanent=True))
    assert await gridline.dispatcher.deliver_pending(blocked) == 0
    assert [s[1] for s in await statuses(gridline)] == [
        OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.FAILED,
    ]  # fmt: skip
