"""Model versions on disk and which one is active (recorded in the database)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nlu import intent_model, training
from nlu.intent_model import IntentModel
from nlu.models import NluModelVersion
from nlu.training_data import TEST_DIR, TRAIN_DIR, load_dir


async def active_version(session: AsyncSession) -> NluModelVersion | None:
    query = select(NluModelVersion).where(NluModelVersion.active.is_(True))
    return await session.scalar(query.order_by(NluModelVersion.id.desc()))


async def record_and_activate(
    session: AsyncSession, trained: IntentModel, path: Path, moment: datetime
) -> NluModelVersion:
    await session.execute(update(NluModelVersion).values(active=False))
    row = NluModelVersion(
        version=trained.version,
        path=str(path.resolve()),
        data_hash=trained.metadata["data_hash"],
        pipeline=trained.metadata["pipeline"],
        metrics=trained.metadata.get("metrics"),
        active=True,
        created_at=moment,
    )
    session.add(row)
    await session.flush()
    return row


async def versions(session: AsyncSession) -> list[NluModelVersion]:
    query = select(NluModelVersion).order_by(NluModelVersion.id.desc())
    return list((await session.scalars(query)).all())


async def activate(session: AsyncSession, version: str) -> NluModelVersion | None:
    """Make a recorded version the active one (a roll-back, say); None if unknown or gone."""
    row = await session.scalar(select(NluModelVersion).where(NluModelVersion.version == version))
    if row is None or not Path(row.path).exists():
        return None
    await session.execute(update(NluModelVersion).values(active=False))
    row.active = True
    return row


def train_from_repo_data(model_root: Path, moment: datetime) -> tuple[IntentModel, Path]:
    return training.train(load_dir(TRAIN_DIR), model_root, moment, load_dir(TEST_DIR))


async def load_active_or_train(
    session: AsyncSession, model_root: Path, moment: datetime
) -> IntentModel:
    """The active model; trains and activates one first if there is none on disk."""
    row = await active_version(session)
    if row is not None and Path(row.path).exists():
        return intent_model.load(Path(row.path))
    trained, path = train_from_repo_data(model_root, moment)
    await record_and_activate(session, trained, path, moment)
    return trained
