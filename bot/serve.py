"""`gridline serve`: the Telegram bot, the HTTP server and the periodic jobs in one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

import uvicorn

from bot.app import Gridline
from bot.roster_cli import calendar_warning
from bot.telegram_adapter import TelegramChannel
from bot.web import create_web_app
from core.clock import LOCAL_TZ
from handlers import texts
from handlers.appointments import release_unanswered_offers, send_reminders
from handlers.escalation import escalate_overdue, flag_overdue_resolution
from handlers.ticketing import dispatch_queued

log = logging.getLogger(__name__)


async def every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        try:
            await job()
        except Exception:
            log.exception("periodic job %s failed; will retry", name)
        await asyncio.sleep(seconds)


async def sweep(gridline: Gridline) -> dict[str, int]:
    """One pass of the timers: queued tickets to whoever came on duty, overdue ones up."""
    now = gridline.clock.now()
    # One pass at a time per process; across PostgreSQL processes the row locks
    # (SKIP LOCKED) keep passes apart.
    async with gridline.kv.lock("sweeper", timeout_seconds=120), gridline.sessions() as session:
        released = await release_unanswered_offers(session, now)
        handed = await dispatch_queued(session, now)
        escalated = await escalate_overdue(session, now)
        overdue = await flag_overdue_resolution(session, now)
        reminded = await send_reminders(session, now)
        await session.commit()
    return {"released": released, "handed": handed, "escalated": escalated, "overdue": overdue,
            "reminded": reminded}  # fmt: skip


async def serve(gridline: Gridline, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set, or until SIGINT/SIGTERM when no event is given."""
    settings = gridline.settings
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)

    telegram = TelegramChannel(gridline) if settings.telegram_bot_token else None
    web = uvicorn.Server(
        uvicorn.Config(
            create_web_app(gridline, telegram is not None),
            host=settings.http_host,
            port=settings.http_port,
            log_level="warning",
            lifespan="off",
        )
    )
    warning = calendar_warning(gridline.clock.now().astimezone(LOCAL_TZ).date())
    if warning:
        # Shifts on unknown years fall back to weekday rules; the county must know now,
        # not when a holiday goes unstaffed.
        log.warning("holiday calendar incomplete: %s", warning)
        print(texts.CLI_CALENDAR_WARNING.format(warning=warning), file=sys.stderr, flush=True)
    tasks = [asyncio.create_task(web.serve(), name="http")]
    if telegram is None:
        print(
            texts.CLI_NO_TOKEN.format(host=settings.http_host, port=settings.http_port), flush=True
        )
    else:
        await telegram.start()
        tasks.append(
            asyncio.create_task(
                every(settings.outbox_poll_seconds, telegram.dispatcher.deliver_pending, "outbox"),
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
            every(settings.sweep_seconds, lambda: sweep(gridline), "sweeper"),
            name="sweeper",
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
