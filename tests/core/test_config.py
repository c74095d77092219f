from pathlib import Path

import pytest
from pydantic import ValidationError

from core.config import Settings


def test_placeholder_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(_env_file=None, telegram_bot_token="changeme")  # type: ignore[call-arg]


def test_empty_token_means_no_telegram() -> None:
    settings = Settings(_env_file=None, telegram_bot_token="  ")  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None


def test_default_database_is_a_sqlite_file_under_the_data_dir() -> None:
    settings = Settings(_env_file=None, data_dir=Path("/srv/gridline"))  # type: ignore[call-arg]
    assert settings.sqlalchemy_url == "sqlite+aiosqlite:////srv/gridline/gridline.db"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db/gl", "postgresql+asyncpg://u:p@db/gl"),
        ("postgres://u@db/gl", "postgresql+asyncpg://u@db/gl"),
        ("postgresql+asyncpg://u@db/gl", "postgresql+asyncpg://u@db/gl"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_urls_get_async_drivers(given: str, expected: str) -> None:
    assert Settings(_env_file=None, database_url=given).sqlalchemy_url == expected  # type: ignore[call-arg]


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("REDIS_URL", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.telegram_api_base_url == "http://127.0.0.1:9/bot"
    assert settings.redis_url is None


def test_the_documented_example_file_loads_as_defaults() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    settings = Settings(_env_file=example)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None and settings.database_url is None
    assert settings.nlu_confidence_threshold is None and settings.rasa_token is None
    assert settings.nlu_backend == "embedded"


def test_rasa_backend_needs_a_url() -> None:
    with pytest.raises(ValidationError, match="RASA_URL"):
        Settings(_env_file=None, nlu_backend="rasa")  # type: ignore[call-arg]
