"""`gridline serve`: the Telegram channel, the HTTP server and the sweeper in one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

import uvicorn

from bot.channels.telegram import TelegramChannel
from bot.runtime.container import Gridline
from bot.web.app import create_web_app
from core.clock import LOCAL_TZ
from county.calendar import years_without_holidays
from handlers import texts

log = logging.getLogger(__name__)


async def every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        try:
            await job()
        except Exception:
            log.exception("periodic job %s failed; will retry", name)
        await asyncio.sleep(seconds)


def telegram_channel(gridline: Gridline) -> TelegramChannel | None:
    settings = gridline.settings
    if settings.telegram_bot_token is None:
        return None
    return TelegramChannel(
        gridline.conversation,
        gridline.dispatcher,
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        poll_timeout=settings.telegram_poll_timeout,
    )


def warn_about_calendar_gaps(gridline: Gridline) -> None:
    today = gridline.clock.now().astimezone(LOCAL_TZ).date()
    warning = texts.calendar_gap_warning(years_without_holidays(today))
    if warning:
        # Shifts on unknown years fall back to weekday rules; the county must know now,
        # not when a holiday goes unstaffed.
        log.warning("holiday calendar incomplete: %s", warning)
        print(texts.CLI_CALENDAR_WARNING.format(warning=warning), file=sys.stderr, flush=True)


async def serve(gridline: Gridline, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set, or until SIGINT/SIGTERM when no event is given."""
    settings = gridline.settings
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)

    telegram = telegram_channel(gridline)
    web = uvicorn.Server(
        uvicorn.Config(
            create_web_app(gridline.parser, gridline.health, telegram is not None),
            host=settings.http_host,
            port=settings.http_port,
            log_level="warning",
            lifespan="off",
        )
    )
    warn_about_calendar_gaps(gridline)
    tasks = [asyncio.create_task(web.serve(), name="http")]
    if telegram is None:
        print(
            texts.CLI_NO_TOKEN.format(host=settings.http_host, port=settings.http_port), flush=True
        )
    else:
        await telegram.start()
        tasks.append(
            asyncio.create_task(
                every(settings.outbox_poll_seconds, telegram.deliver_pending, "outbox"),
                name="outbox",
            )
        )
        print(
            texts.CLI_SERVING.format(
                base=settings.telegram_api_base_url,
                host=settings.http_host,
                port=settings.http_port,
            ),
            flush=True,
        )
    tasks.append(
        asyncio.create_task(
            every(settings.sweep_seconds, gridline.sweeper.sweep, "sweeper"), name="sweeper"
        )
    )
    try:
        await stop.wait()
    finally:
        web.should_exit = True
        if telegram is not None:
            await telegram.stop()
        for task in tasks:
            if task.get_name() != "http":
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
