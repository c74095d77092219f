"""The sweeper: ordered passes, each in its own transaction; queued tickets routed once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime.container import Gridline
from core.clock import FixedClock
from core.config import Settings
from county import routing
from county.models import Town
from handlers.sweeper import Pass, Sweeper, passes
from tests.handlers.test_conversation import HAZARD, RESIDENT, WANG, only_ticket, setup


def test_passes_run_in_the_documented_order(settings: Settings) -> None:
    assert [p.name for p in passes(settings)] == [
        "decided", "released", "handed", "escalated", "overdue", "reminded", "closed", "cards",
    ]  # fmt: skip


async def test_a_failing_pass_rolls_back_only_itself(gridline: Gridline) -> None:
    async def adds_a_town(session: AsyncSession, now: datetime) -> int:
        session.add(Town(code="KEPT", name="留下的镇"))
        return 1

    async def fails_half_way(session: AsyncSession, now: datetime) -> int:
        session.add(Town(code="ROLLED-BACK", name="回滚的镇"))
        await session.flush()
        raise RuntimeError("a bug in one pass")

    async def runs_anyway(session: AsyncSession, now: datetime) -> int:
        return 2

    sweeper = Sweeper(
        gridline.sessions,
        gridline.kv,
        gridline.clock,
        (Pass("first", adds_a_town), Pass("broken", fails_half_way), Pass("last", runs_anyway)),
    )
    assert await sweeper.sweep() == {"first": 1, "broken": None, "last": 2}
    async with gridline.sessions() as session:
        assert list(await session.scalars(select(Town.code))) == ["KEPT"]


async def test_a_queued_ticket_is_routed_once_to_the_worker_on_its_card(
    gridline: Gridline, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(clock.now().replace(hour=23))  # Friday night: nobody on duty
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.bind_demo_grid(RESIDENT)
    await chat.say(RESIDENT, HAZARD)
    assert (await only_ticket(gridline)).status == "queued"

    decisions: list[routing.RoutingDecision] = []
    choose = routing.choose_assignee

    async def counted(*args: object, **kwargs: object) -> routing.RoutingDecision:
        decision = await choose(*args, **kwargs)  # type: ignore[arg-type]
        decisions.append(decision)
        return decision

    monkeypatch.setattr(routing, "choose_assignee", counted)
    clock.set(clock.now() + timedelta(days=2, hours=10))  # Monday 09:00: 王芳's shift
    assert (await gridline.sweeper.sweep())["handed"] == 1
    await chat.deliver_pending()

    ticket = await only_ticket(gridline)
    assert len(decisions) == 1, "one routing decision per queued ticket"
    assert ticket.assignee is not None and ticket.assignee.name == "王芳"
    assert decisions[0].worker is not None and decisions[0].worker.id == ticket.assignee.id
    assert any(ticket.number in m.text and m.buttons for m in chat.to(WANG))
