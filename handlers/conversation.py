"""The conversation core: one inbound message in, an outcome and outbox messages out."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from county import directory, invites
from county.invites import RedeemOutcome
from county.models import InboundMessage, Party, Resident, Worker
from handlers import resident as resident_flow
from handlers import texts
from handlers import worker as worker_flow
from handlers.messages import Inbound, InboundKind, Outcome
from handlers.ticketing import dispatch_queued_for
from handlers.turn import Services, Turn

log = logging.getLogger(__name__)

# Telegram caps a message at 4096 characters; other channels may not, so one message
# stores at most this much (the reply already refuses anything over MAX_MESSAGE_CHARS).
MAX_STORED_TEXT = 100_000


class Conversation:
    def __init__(
        self, services: Services, sessions: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.services = services
        self.sessions = sessions
        self.clock = clock

    async def handle(self, inbound: Inbound) -> Outcome:
        try:
            stored_id = await self._store(inbound)
        except Exception:
            log.exception("could not store an inbound message from %s", inbound.user_id)
            return self._failure(inbound, texts.SORRY_NOT_SAVED)
        try:
            # One message per sender at a time: a double-pressed button must see the
            # first press's result, not race it.
            async with self.services.kv.lock(f"user:{inbound.channel}:{inbound.user_id}"):
                return await self._respond(inbound, stored_id)
        except Exception:
            log.exception("failed to handle inbound message %s", stored_id)
            return self._failure(inbound, texts.SORRY)

    @staticmethod
    def _failure(inbound: Inbound, text: str) -> Outcome:
        return Outcome(answer=text if inbound.kind == InboundKind.BUTTON else None, error=text)

    async def _store(self, inbound: Inbound) -> int:
        """Commit the message before anything else happens, so nothing is ever lost."""
        async with self.sessions() as session:
            stored = InboundMessage(
                channel=inbound.channel,
                external_user_id=inbound.user_id,
                chat_id=inbound.chat_id,
                channel_message_id=inbound.message_id,
                kind=inbound.kind,
                text=(inbound.text or inbound.button_data or "")[:MAX_STORED_TEXT] or None,
                payload=_payload(inbound),
                received_at=self.clock.now(),
            )
            session.add(stored)
            await session.commit()
            return stored.id

    async def _respond(self, inbound: Inbound, stored_id: int) -> Outcome:
        async with self.sessions() as session:
            stored = await session.get(InboundMessage, stored_id)
            assert stored is not None
            turn = Turn(self.services, session, inbound, stored, self.clock.now())
            worker = await directory.worker_by_account(session, inbound.channel, inbound.user_id)
            command, argument = inbound.command if inbound.kind == InboundKind.COMMAND else ("", "")
            if command == "/start" and argument:
                await self._register_worker(turn, argument, worker)
            elif worker is not None and worker.active:
                await worker_flow.handle(turn, worker)
            else:
                await resident_flow.handle(turn, await self._resident(turn))
            await session.commit()
            return turn.outcome

    async def _resident(self, turn: Turn) -> Resident:
        inbound = turn.inbound
        return await directory.get_or_create_resident(
            turn.session,
            channel=inbound.channel,
            external_id=inbound.user_id,
            chat_id=inbound.chat_id,
            display_name=inbound.display_name,
            now=turn.now,
        )

    async def _register_worker(self, turn: Turn, code: str, existing: Worker | None) -> None:
        inbound = turn.inbound
        result = await invites.redeem(
            turn.session,
            code,
            channel=inbound.channel,
            external_id=inbound.user_id,
            chat_id=inbound.chat_id,
            moment=turn.now,
            existing_worker=existing,
        )
        if result.outcome in (RedeemOutcome.REGISTERED, RedeemOutcome.ALREADY_REGISTERED):
            worker = result.worker
            assert worker is not None
            if result.outcome == RedeemOutcome.ALREADY_REGISTERED:
                turn.to_worker(worker, texts.WORKER_ALREADY_REGISTERED.format(name=worker.name))
                return
            await turn.session.flush()
            turn.to_worker(
                worker,
                texts.WORKER_REGISTERED.format(
                    name=worker.name,
                    role=worker_flow.role_name(worker),
                    area=await worker_flow.served_area(turn, worker),
                ),
            )
            await dispatch_queued_for(turn.session, worker, turn.now)
            return
        if result.outcome == RedeemOutcome.ACCOUNT_TAKEN and result.worker is not None:
            turn.send(
                Party.WORKER, result.worker.id, texts.ACCOUNT_TAKEN.format(name=result.worker.name)
            )
            return
        message = {
            RedeemOutcome.EXPIRED: texts.INVITE_EXPIRED,
            RedeemOutcome.USED: texts.INVITE_USED,
        }.get(result.outcome, texts.INVITE_INVALID)
        if existing is not None:
            turn.to_worker(existing, message)
        else:
            turn.to_resident(await self._resident(turn), message)


def _payload(inbound: Inbound) -> dict[str, object] | None:
    payload: dict[str, object] = {}
    if inbound.display_name:
        payload["display_name"] = inbound.display_name
    if inbound.reply_to_message_id:
        payload["reply_to"] = inbound.reply_to_message_id
    if inbound.latitude is not None:
        payload["location"] = [inbound.latitude, inbound.longitude]
    if inbound.attachment:
        payload["attachment"] = inbound.attachment
    return payload or None
