"""`gridline serve` as a whole: Telegram polling, HTTP, and delivery of messages that
another process (here: a resident on the console channel) wrote to the outbox."""

from __future__ import annotations

import asyncio
import socket

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from bot.runtime.container import Gridline
from bot.runtime.serve import serve
from county import invites
from county.models import Grid
from messaging.inbound import Inbound
from messaging.models import InboundKind
from tests.factories import demo_county, demo_worker
from tests.support.fake_telegram import FakeTelegramServer

WANG = 7001


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_relays_between_console_resident_and_telegram_worker(
    gridline: Gridline,
) -> None:
    async with FakeTelegramServer() as tg:
        port = free_port()
        gridline.settings = gridline.settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(tg.token),
                "telegram_api_base_url": tg.base_url,
                "http_port": port,
            }
        )
        async with gridline.sessions() as session:
            await demo_county(session, gridline.clock.now())
            worker = await demo_worker(session, "王芳")
            invite = await invites.create_invite(session, worker, gridline.clock.now(), 14)
            grid_id = await session.scalar(select(Grid.id).where(Grid.code == "CG-XF-01"))
            await session.commit()
        stop = asyncio.Event()
        running = asyncio.create_task(serve(gridline, stop))
        try:
            tg.push_text(WANG, f"/start {invite.code}", first_name="王芳")
            await tg.wait_for_message(WANG, contains="已登记")

            def console(kind: InboundKind, **fields: object) -> Inbound:
                return Inbound(channel="console", user_id="c1", chat_id="c1", kind=kind, **fields)  # type: ignore[arg-type]

            await gridline.conversation.handle(console(InboundKind.COMMAND, text="/start"))
            await gridline.conversation.handle(
                console(InboundKind.BUTTON, button_data=f"bind:g:{grid_id}")
            )
            await gridline.conversation.handle(console(InboundKind.TEXT, text="井盖没了，很危险"))
            # Nobody in this process delivers telegram rows on the console's behalf except
            # serve's outbox poller.
            card = await tg.wait_for_message(WANG, contains="井盖没了，很危险")
            assert "【新工单】" in card.text

            async with httpx.AsyncClient() as http:
                health = await http.get(f"http://127.0.0.1:{port}/healthz")
            body = health.json()
            assert (body["status"], body["database"], body["telegram"]) == ("ok", "ok", True)
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
        assert [name for name, _ in tg.requests].count("setMyCommands") == 1
