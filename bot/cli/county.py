"""`gridline seed-demo | migrate | grid … | worker …`: the county's places and people."""

from __future__ import annotations

import argparse
import sys

from core.clock import SystemClock
from core.config import Settings
from core.db import migrated_database
from county import directory, invites, workers
from county.models import GridPosition
from county.seed import seed_demo
from handlers import texts


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
        worker = await workers.grid_worker_named(session, args.name, grid)
        if worker is None:
            worker = await workers.create_grid_worker(
                session,
                name=args.name,
                phone=args.phone,
                grid=grid,
                position=GridPosition.BACKUP if args.backup else GridPosition.PRIMARY,
                now=now,
            )
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
        for worker in await directory.all_workers(session):
            area = "、".join(g.code for g in await directory.grids_served_by(session, worker))
            linked = worker.channel or "-"
            print(f"{worker.id}\t{worker.name}\t{texts.ROLE_NAMES[worker.role]}\t{area}\t{linked}")
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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


HANDLERS = {
    ("seed-demo", None): cmd_seed_demo,
    ("migrate", None): cmd_migrate,
    ("grid", "list"): cmd_grid_list,
    ("worker", "invite"): cmd_worker_invite,
    ("worker", "list"): cmd_worker_list,
}
