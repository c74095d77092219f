"""The `gridline` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from sqlalchemy import select

from bot import nlu_cli, roster_cli, window_cli
from core.clock import SystemClock
from core.config import Settings, get_settings
from core.db import migrated_database
from county import directory, invites
from county.models import GridAssignment, GridPosition, Shift, Worker, WorkerRole
from county.seed import DAY_SHIFT, WEEKDAYS, seed_demo
from handlers import texts


async def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: they load the NLU stack, which `grid list` and friends don't need.
    from bot.app import build
    from bot.serve import serve

    gridline = await build(settings)
    try:
        await serve(gridline)
    finally:
        await gridline.close()
    return 0


async def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    async with migrated_database(settings) as sessions, sessions() as session:
        created = await seed_demo(session, SystemClock().now())
        await session.commit()
    print(texts.CLI_SEEDED if created else texts.CLI_SEED_SKIPPED)
    return 0


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    async with migrated_database(settings):
        return 0


async def cmd_grid_list(settings: Settings, args: argparse.Namespace) -> int:
    async with migrated_database(settings) as sessions, sessions() as session:
        for grid in await directory.all_grids(session):
            print(f"{grid.code}\t{grid.full_name}")
    return 0


async def cmd_worker_invite(settings: Settings, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    async with migrated_database(settings) as sessions, sessions() as session:
        grid = await directory.grid_by_code(session, args.grid)
        if grid is None:
            print(texts.CLI_GRID_NOT_FOUND.format(code=args.grid), file=sys.stderr)
            return 2
        worker = await session.scalar(
            select(Worker)
            .join(GridAssignment, GridAssignment.worker_id == Worker.id)
            .where(Worker.name == args.name, GridAssignment.grid_id == grid.id)
        )
        if worker is None:
            # A new grid worker starts on the standard weekday day shift; the roster
            # can be changed later.
            worker = Worker(
                name=args.name,
                phone=args.phone,
                role=WorkerRole.GRID_WORKER,
                created_at=now,
                shifts=[Shift(weekday=d, starts=DAY_SHIFT[0], ends=DAY_SHIFT[1]) for d in WEEKDAYS],
            )
            session.add(worker)
            await session.flush()
            position = GridPosition.BACKUP if args.backup else GridPosition.PRIMARY
            session.add(GridAssignment(worker_id=worker.id, grid_id=grid.id, position=position))
        invite = await invites.create_invite(session, worker, now, settings.invite_valid_days)
        await session.commit()
    link = f"https://t.me/{args.bot_username or texts.CLI_BOT_USERNAME_HINT}?start={invite.code}"
    print(
        texts.CLI_INVITE.format(
            name=args.name, grid=grid.full_name, days=settings.invite_valid_days, link=link
        )
    )
    print(invite.code)
    return 0


async def cmd_worker_list(settings: Settings, args: argparse.Namespace) -> int:
    async with migrated_database(settings) as sessions, sessions() as session:
        for worker in (await session.scalars(select(Worker).order_by(Worker.id))).all():
            area = "、".join(g.code for g in await directory.grids_served_by(session, worker))
            linked = worker.channel or "-"
            print(f"{worker.id}\t{worker.name}\t{texts.ROLE_NAMES[worker.role]}\t{area}\t{linked}")
    return 0


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build
    from bot.console import CHANNEL, ConsoleChat

    gridline = await build(settings)
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
                worker.channel, worker.external_id, worker.chat_id = CHANNEL, user_id, user_id
                await session.commit()
            chat = ConsoleChat(gridline, user_id, worker.name)
            await chat.run(texts.CLI_CHAT_AS_WORKER.format(name=worker.name))
        else:
            chat = ConsoleChat(gridline, f"resident-{args.user}", args.user)
            await chat.run(texts.CLI_CHAT_AS_RESIDENT.format(name=args.user))
    finally:
        await gridline.close()
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="gridline", description="网格直通车 Gridline")
    root.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = root.add_subparsers(dest="command", required=True)

    commands.add_parser("serve", help="run the Telegram bot (when a token is set) and HTTP API")
    commands.add_parser("seed-demo", help="create the demo county if the database is empty")
    commands.add_parser("migrate", help="bring the database schema up to date")

    grid = commands.add_parser("grid", help="grids").add_subparsers(dest="action", required=True)
    grid.add_parser("list", help="one grid a line: code<TAB>full name")

    worker = commands.add_parser("worker", help="workers").add_subparsers(
        dest="action", required=True
    )
    invite = worker.add_parser("invite", help="invite code for a grid worker")
    invite.add_argument("--grid", required=True, help="grid code, see `gridline grid list`")
    invite.add_argument("--name", required=True)
    invite.add_argument("--phone")
    invite.add_argument("--backup", action="store_true", help="assign as backup, not primary")
    invite.add_argument("--bot-username", help="to print a ready t.me deep link")
    worker.add_parser("list", help="workers with their grids and linked channel")

    nlu_cli.add_parsers(commands)
    roster_cli.add_parsers(commands)
    window_cli.add_parsers(commands)

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
    return root


HANDLERS = {
    ("serve", None): cmd_serve,
    ("seed-demo", None): cmd_seed_demo,
    ("migrate", None): cmd_migrate,
    ("grid", "list"): cmd_grid_list,
    ("worker", "invite"): cmd_worker_invite,
    ("worker", "list"): cmd_worker_list,
    **nlu_cli.HANDLERS,
    **roster_cli.HANDLERS,
    **window_cli.HANDLERS,
    ("chat", None): cmd_chat,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = get_settings()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else getattr(logging, settings.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Logs go to stderr so that `gridline nlu parse` keeps stdout for JSON only.
    for noisy in ("httpx", "telegram.ext", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    handler = HANDLERS[(args.command, getattr(args, "action", None))]
    return asyncio.run(handler(settings, args))


if __name__ == "__main__":
    sys.exit(main())
