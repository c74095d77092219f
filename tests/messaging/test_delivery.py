"""The outbox as each channel sees it: only its own people's messages, in order, marked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.runtime.container import Gridline
from messaging.delivery import DeliveryError
from messaging.keyboard import Button, Keyboard
from messaging.models import OutboxMessage, OutboxStatus
from messaging.outbox import CARD, Outbox, delivered_message, ticket_of_delivered_message
from tests import factories


class RecordingChannel:
    def __init__(
        self,
        name: str,
        fail_with: DeliveryError | None = None,
        fail_edits_with: DeliveryError | None = None,
    ) -> None:
        self.name = name
        self.fail_with = fail_with
        self.fail_edits_with = fail_edits_with or fail_with
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
        if self.fail_edits_with is not None:
            raise self.fail_edits_with
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


# ---- edits: a delivered card changes in place ------------------------------------------


async def one_card(gridline: Gridline) -> tuple[int, int]:
    """A delivered card for a worker on 'test' (the worker's id, the card's row id)."""
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        resident = await factories.resident(session, grid, gridline.clock.now())
        worker = await factories.worker(session, "王芳", gridline.clock.now(), grid=grid)
        ticket = await factories.ticket(session, grid, resident, gridline.clock.now())
        card = Outbox(session, gridline.clock.now()).to_worker(
            worker, "卡片 v1", [[Button("接单", "tk:claim:1")]], ticket_id=ticket.id, view=CARD
        )
        await session.commit()
        return worker.id, card.id


async def queue_edit(gridline: Gridline, card_id: int, text: str, buttons: Keyboard) -> None:
    async with gridline.sessions() as session:
        card = await session.get(OutboxMessage, card_id)
        assert card is not None
        assert Outbox(session, gridline.clock.now()).edit(card, text, buttons) is not None
        await session.commit()


async def rows(gridline: Gridline) -> list[tuple[str, str, int | None]]:
    async with gridline.sessions() as session:
        found = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.text, r.status, r.replaces_id) for r in found]


async def test_an_edit_of_a_delivered_card_edits_the_message(gridline: Gridline) -> None:
    _, card_id = await one_card(gridline)
    channel = RecordingChannel("test")
    assert await gridline.dispatcher.deliver_pending(channel) == 1
    await queue_edit(gridline, card_id, "卡片 v2", [])
    await queue_edit(gridline, card_id, "卡片 v3", [[Button("办结", "tk:done:1")]])
    assert await gridline.dispatcher.deliver_pending(channel) == 1
    # Only the newest edit needs a call; the older one is superseded.
    assert channel.edits == [("w1", "m1", "卡片 v3", [[Button("办结", "tk:done:1")]])]
    assert await rows(gridline) == [
        ("卡片 v3", OutboxStatus.SENT, None),  # the row shows what the chat shows
        ("卡片 v2", OutboxStatus.DROPPED, card_id),
        ("卡片 v3", OutboxStatus.SENT, card_id),
    ]
    async with gridline.sessions() as session:
        card = await delivered_message(session, "test", "w1", "m1")
        assert card is not None and card.id == card_id  # the card, not its edits
    assert await gridline.dispatcher.deliver_pending(channel) == 0


async def test_an_edit_of_a_card_not_sent_yet_goes_out_as_one_message(gridline: Gridline) -> None:
    _, card_id = await one_card(gridline)
    await queue_edit(gridline, card_id, "卡片 v2", [])
    channel = RecordingChannel("test")
    assert await gridline.dispatcher.deliver_pending(channel) == 1
    assert channel.sent == [("w1", "卡片 v2", [])] and channel.edits == []
    assert [r[1] for r in await rows(gridline)] == [OutboxStatus.SENT, OutboxStatus.DROPPED]


async def test_an_edit_in_the_same_transaction_just_rewrites_the_row(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        worker = await factories.worker(session, "王芳", gridline.clock.now(), grid=grid)
        outbox = Outbox(session, gridline.clock.now())
        card = outbox.to_worker(worker, "v1", view=CARD)
        assert outbox.edit(card, "v2") is card
        await session.commit()
    assert await rows(gridline) == [("v2", OutboxStatus.PENDING, None)]


async def test_an_edit_whose_message_is_gone_is_a_no_op(gridline: Gridline) -> None:
    worker_id, card_id = await one_card(gridline)
    assert await gridline.dispatcher.deliver_pending(RecordingChannel("test")) == 1
    await queue_edit(gridline, card_id, "卡片 v2", [])
    async with gridline.sessions() as session:
        Outbox(session, gridline.clock.now()).to_worker(worker_id, "之后的消息")
        await session.commit()
    gone = DeliveryError("message to edit not found", permanent=True)
    deleted = RecordingChannel("test", fail_edits_with=gone)
    # The edit is dropped, not failed, and what comes after it is still delivered.
    assert await gridline.dispatcher.deliver_pending(deleted) == 1
    assert deleted.sent == [("w1", "之后的消息", [])]
    assert await rows(gridline) == [
        ("卡片 v1", OutboxStatus.SENT, None),
        ("卡片 v2", OutboxStatus.DROPPED, card_id),
        ("之后的消息", OutboxStatus.SENT, None),
    ]


async def test_an_edit_is_retried_after_a_transient_failure(gridline: Gridline) -> None:
    _, card_id = await one_card(gridline)
    assert await gridline.dispatcher.deliver_pending(RecordingChannel("test")) == 1
    await queue_edit(gridline, card_id, "卡片 v2", [])
    flaky = RecordingChannel("test", DeliveryError("502", permanent=False))
    assert await gridline.dispatcher.deliver_pending(flaky) == 0
    assert [r[1] for r in await rows(gridline)] == [OutboxStatus.SENT, OutboxStatus.PENDING]
    channel = RecordingChannel("test")
    assert await gridline.dispatcher.deliver_pending(channel) == 1
    assert [e[2] for e in channel.edits] == ["卡片 v2"]


async def test_an_edit_of_a_failed_or_foreign_message_has_nothing_to_edit(
    gridline: Gridline,
) -> None:
    worker_id, card_id = await one_card(gridline)
    assert (
        await gridline.dispatcher.deliver_pending(
            RecordingChannel("test", DeliveryError("blocked", permanent=True))
        )
        == 0
    )
    async with gridline.sessions() as session:
        card = await session.get(OutboxMessage, card_id)
        assert card is not None and card.status == OutboxStatus.FAILED
        assert Outbox(session, gridline.clock.now()).edit(card, "v2") is None
    # Delivered on Telegram, then the worker moved to the console: no edit across channels.
    _, other_id = await one_card_again(gridline, worker_id)
    assert await gridline.dispatcher.deliver_pending(RecordingChannel("test")) == 1
    async with gridline.sessions() as session:
        worker = await session.get(factories.Worker, worker_id)
        assert worker is not None
        worker.channel = "console"
        await session.commit()
    await queue_edit(gridline, other_id, "v3", [])
    console = RecordingChannel("console")
    assert await gridline.dispatcher.deliver_pending(console) == 0
    assert console.edits == [] and (await rows(gridline))[-1][1] == OutboxStatus.DROPPED


async def one_card_again(gridline: Gridline, worker_id: int) -> tuple[int, int]:
    async with gridline.sessions() as session:
        card = Outbox(session, gridline.clock.now()).to_worker(worker_id, "另一张卡", view=CARD)
        await session.commit()
        return worker_id, card.id
