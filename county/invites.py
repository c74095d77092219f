"""Invite codes that turn a Telegram account into a registered grid worker."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from county.models import Invite, Worker
from county.workers import link_account

# No 0/O/1/I/L: codes get read out over the phone. Telegram deep links allow [A-Za-z0-9_-].
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class RedeemOutcome(enum.StrEnum):
    REGISTERED = "registered"
    ALREADY_REGISTERED = "already_registered"
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    ACCOUNT_TAKEN = "account_taken"


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    worker: Worker | None = None


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def create_invite(
    session: AsyncSession, worker: Worker, moment: datetime, valid_days: int
) -> Invite:
    invite = Invite(
        code=new_code(),
        worker_id=worker.id,
        created_at=moment,
        expires_at=moment + timedelta(days=valid_days),
    )
    session.add(invite)
    await session.flush()
    return invite


async def redeem(
    session: AsyncSession,
    code: str,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    moment: datetime,
    existing_worker: Worker | None,
) -> RedeemResult:
    invite = await session.get(Invite, code.strip().upper())
    if invite is None:
        return RedeemResult(RedeemOutcome.INVALID)
    worker = await session.get(Worker, invite.worker_id)
    assert worker is not None
    if invite.used_at is not None:
        if worker.channel == channel and worker.external_id == external_id:
            return RedeemResult(RedeemOutcome.ALREADY_REGISTERED, worker)
        return RedeemResult(RedeemOutcome.USED)
    if invite.expires_at < moment:
        return RedeemResult(RedeemOutcome.EXPIRED)
    if existing_worker is not None and existing_worker.id != worker.id:
        # One account speaks for one worker, or tickets would reach the wrong person.
        return RedeemResult(RedeemOutcome.ACCOUNT_TAKEN, existing_worker)
    invite.used_at = moment
    link_account(worker, channel=channel, external_id=external_id, chat_id=chat_id)
    return RedeemResult(RedeemOutcome.REGISTERED, worker)
