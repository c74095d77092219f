"""The `gridline` command: one table of sub-commands, each in the module of its topic."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.cli import chat, county, nlu, roster, window
from core.config import get_settings

TOPICS = (chat, county, nlu, roster, window)
HANDLERS = {key: handler for topic in TOPICS for key, handler in topic.HANDLERS.items()}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="gridline", description="网格直通车 Gridline")
    root.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = root.add_subparsers(dest="command", required=True)
    for topic in TOPICS:
        topic.add_parsers(commands)
    return root


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
