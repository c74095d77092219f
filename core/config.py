"""Process configuration, read once from the environment (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values people paste from docs and forget to replace; starting with one of them
# would make the bot fail later in a confusing way, so refuse them up front.
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "changethis", "your-token-here", "<token>", "token", "xxx", "todo"}
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    # PTB's base_url: the token and the method name are appended to it.
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: Path = Path("data")

    http_host: str = "127.0.0.1"
    http_port: int = 8080

    # Which classifier ranks intents: the embedded jieba pipeline, or a Rasa server.
    nlu_backend: Literal["embedded", "rasa"] = "embedded"
    rasa_url: str | None = None
    rasa_token: SecretStr | None = None
    rasa_timeout_seconds: float = 5.0
    # Below this top-intent probability, or when the runner-up is this close, the
    # resident picks the category with buttons. Unset: the values tuned when the model
    # was trained (see nlu/tuning.py).
    nlu_confidence_threshold: float | None = None
    nlu_ambiguity_margin: float | None = None

    max_message_chars: int = 2000
    invite_valid_days: int = 14
    # A resident's message this soon after their open ticket's last activity adds to it
    # (补充) rather than opening a new one; unclear cases are asked with two buttons.
    followup_window_minutes: int = 30
    # A choice the resident never makes (category, follow-up or new) is decided for them
    # after this long, so no message is ever left unfiled.
    choice_patience_minutes: int = 15
    outbox_poll_seconds: float = 2.0
    sweep_seconds: float = 60.0
    telegram_poll_timeout: int = 30
    log_level: str = "INFO"

    @field_validator("telegram_bot_token")
    @classmethod
    def _refuse_placeholder_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "TELEGRAM_BOT_TOKEN is a placeholder; set the token @BotFather gave you "
                "or leave it empty"
            )
        return value

    @field_validator(
        "database_url",
        "redis_url",
        "rasa_url",
        "rasa_token",
        "nlu_confidence_threshold",
        "nlu_ambiguity_margin",
        mode="before",
    )
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        # `.env.example` lists every variable with an empty value meaning "default".
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _rasa_needs_a_url(self) -> Settings:
        if self.nlu_backend == "rasa" and not self.rasa_url:
            raise ValueError("NLU_BACKEND=rasa needs RASA_URL (e.g. http://127.0.0.1:5005)")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL; plain postgres/sqlite URLs get the async driver."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'gridline.db'}"
        for plain, async_form in (
            ("postgresql+psycopg://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite:///", "sqlite+aiosqlite:///"),
        ):
            if url.startswith(plain):
                return async_form + url[len(plain) :]
        return url

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
