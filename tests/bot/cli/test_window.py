"""`gridline window …` through the real entry point, on a throw-away SQLite data dir."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.window import parse_weekdays
from core.config import Settings, get_settings
from core.db import open_database
from county.seed import seed_demo
from handlers import texts
from tests.conftest import DATABASE_URL, FRIDAY_10AM

pytestmark = pytest.mark.skipif(
    DATABASE_URL is not None, reason="exercises the embedded default (SQLite) only"
)


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name, value in {"DATA_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": ""}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    async def seed() -> None:
        engine, sessions = await open_database(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
        async with sessions() as session:
            await seed_demo(session, FRIDAY_10AM)
            await session.commit()
        await engine.dispose()

    asyncio.run(seed())
    yield tmp_path
    get_settings.cache_clear()


def test_weekday_ranges() -> None:
    assert parse_weekdays("1-5") == [0, 1, 2, 3, 4]
    assert parse_weekdays("6,7") == [5, 6]
    with pytest.raises(ValueError):
        parse_weekdays("0-8")


def test_add_list_remove(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["window", "add", "--community", "CG-DF", "--date", "2027-01-01", "--from",
                 "09:00", "--to", "12:00", "--workers", "张敏,13971000004"]) == 0  # fmt: skip
    added = capsys.readouterr().out.strip()
    assert added.endswith("CG-DF\t2027-01-01 09:00–12:00\t30分钟\t张敏、刘洋")
    window_id = added.split("\t")[0]
    assert main(["window", "list", "--community", "CG-DF"]) == 0
    assert "2027-01-01 09:00–12:00" in capsys.readouterr().out
    assert main(["window", "remove", window_id]) == 0
    assert capsys.readouterr().out.strip() == texts.WINDOW_REMOVED.format(id=window_id)
    assert main(["window", "list", "--community", "CG-DF"]) == 0
    assert "2027-01-01" not in capsys.readouterr().out


def test_bad_input_is_explained_in_chinese(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["window", "add", "--community", "CG-DF", "--weekdays", "1-5", "--from", "22:00",
                 "--to", "21:00", "--workers", "张敏"]) == 2  # fmt: skip
    assert capsys.readouterr().err.strip() == texts.WINDOW_BAD_TIMES.format(slot=30)
    assert main(["window", "add", "--community", "CG-DF", "--weekdays", "1", "--from", "18:00",
                 "--to", "21:00", "--workers", "无名氏"]) == 2  # fmt: skip
    assert "无名氏" in capsys.readouterr().err
    assert main(["window", "add", "--community", "NOPE", "--weekdays", "1", "--from", "18:00",
                 "--to", "21:00", "--workers", "张敏"]) == 2  # fmt: skip
    assert capsys.readouterr().err.strip() == texts.WINDOW_COMMUNITY_UNKNOWN.format(code="NOPE")
