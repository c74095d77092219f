"""A running Telegram channel against the fake Bot API, with the demo county seeded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from bot.channels.telegram import TelegramChannel
from bot.runtime.container import Gridline
from bot.runtime.serve import telegram_channel
from county import invites
from tests.factories import demo_county, demo_worker
from tests.support.fake_telegram import FakeTelegramServer

RESIDENT = 5001


@dataclass
class LiveBot:
    tg: FakeTelegramServer
    channel: TelegramChannel


@pytest.fixture
async def live_bot(gridline: Gridline) -> AsyncIterator[LiveBot]:
    async with FakeTelegramServer() as tg:
        gridline.settings = gridline.settings.model_copy(
            update={"telegram_bot_token": SecretStr(tg.token), "telegram_api_base_url": tg.base_url}
        )
        async with gridline.sessions() as session:
            await demo_county(session, gridline.clock.now())
        channel = telegram_channel(gridline)
        assert channel is not None
        await channel.start()
        try:
            yield LiveBot(tg, channel)
        finally:
            await channel.stop()


@pytest.fixture
def telegram(live_bot: LiveBot) -> FakeTelegramServer:
    return live_bot.tg


async def invite_code(gridline: Gridline, name: str) -> str:
    async with gridline.sessions() as session:
        invite = await invites.create_invite(
            session, await demo_worker(session, name), gridline.clock.now(), 14
        )
        await session.commit()
        return invite.code


async def register(gridline: Gridline, tg: FakeTelegramServer, name: str, user: int) -> None:
    tg.push_text(user, f"/start {await invite_code(gridline, name)}", first_name=name)
    await tg.wait_for_message(user, contains="已登记")


async def bind_resident(tg: FakeTelegramServer, user: int = RESIDENT) -> None:
    tg.push_text(user, "/start", first_name="张阿姨")
    await tg.wait_for_message(user, contains="欢迎使用")
    prompt = await tg.wait_for_message(user, contains="社区或村")
    tg.press_button(user, prompt.message_id, prompt.button_data("幸福社区"))
    grids = await tg.wait_for_edit(user, prompt.message_id, contains="幸福社区下")
    tg.press_button(user, prompt.message_id, grids.button_data("第一网格"))
    await tg.wait_for_edit(user, prompt.message_id, contains="已绑定")
