"""`gridline serve` and `gridline chat`: run the bot, or talk to it in this terminal."""

from __future__ import annotations

import argparse
import sys

from core.config import Settings
from county import directory, workers
from handlers import texts


async def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: they load the NLU stack, which `grid list` and friends don't need.
    from bot.runtime.container import build
    from bot.runtime.serve import serve

    gridline = await build(settings)
    try:
        await serve(gridline)
    finally:
        await gridline.close()
    return 0


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.console import CHANNEL, ConsoleChat
    from bot.runtime.container import build

    gridline = await build(settings)
    downloads = settings.data_dir / "downloads"
    try:
        if args.as_worker:
            async with gridline.sessions() as session:
                found = await directory.workers_named(session, args.as_worker)
                if not found:
                    print(texts.CLI_WORKER_NOT_FOUND.format(name=args.as_worker), file=sys.stderr)
                    return 2
                if len(found) > 1:
                    phones = "、".join(w.phone or "?" for w in found)
                    print(
                        texts.CLI_WORKER_AMBIGUOUS.format(name=args.as_worker, phones=phones),
                        file=sys.stderr,
                    )
                    return 2
                worker = found[0]
                if worker.channel not in (None, CHANNEL) and not args.take_over:
                    print(
                        texts.CLI_WORKER_ON_OTHER_CHANNEL.format(
                            name=worker.name, channel=worker.channel
                        ),
                        file=sys.stderr,
                    )
                    return 2
                user_id = f"worker-{worker.id}"
                workers.link_account(worker, channel=CHANNEL, external_id=user_id, chat_id=user_id)
                await session.commit()
            chat = ConsoleChat(
                gridline.conversation, gridline.dispatcher, user_id, worker.name,
                downloads=downloads,
            )  # fmt: skip
            await chat.run(texts.CLI_CHAT_AS_WORKER.format(name=worker.name))
        else:
            chat = ConsoleChat(
                gridline.conversation, gridline.dispatcher, f"resident-{args.user}", args.user,
                downloads=downloads,
            )  # fmt: skip
            await chat.run(texts.CLI_CHAT_AS_RESIDENT.format(name=args.user))
    finally:
        await gridline.close()
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    commands.add_parser("serve", help="run the Telegram bot (when a token is set) and HTTP API")
    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--as-worker", metavar="NAME", help="be this grid worker instead")
    chat.add_argument(
        "--take-over",
        action="store_true",
        help="with --as-worker: move the worker's link from Telegram to here",
    )
    chat.add_argument(
        "--user", default=texts.CLI_CHAT_DEFAULT_RESIDENT, help="resident name for this session"
    )


HANDLERS = {("serve", None): cmd_serve, ("chat", None): cmd_chat}
