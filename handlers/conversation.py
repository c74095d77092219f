"""The conversation core: one inbound message in, an outcome and outbox messages out."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from county import directory, invites
from county.invites import RedeemOutcome
from county.models import Resident, Worker
from handlers import resident as resident_flow
from handlers import texts
from handlers import worker as worker_flow
from handlers.messages import Outcome
from handlers.ticketing import dispatch_queued_for, role_name
from handlers.turn import Services, Turn
from messaging import inbound as inbound_messages
from messaging.inbound import Inbound
from messaging.models import InboundKind, InboundMessage

log = logging.getLogger(__name__)


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
            stored = inbound_messages.record(session, inbound, self.clock.now())
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
                turn.outbox.to_worker(
                    worker, texts.WORKER_ALREADY_REGISTERED.format(name=worker.name)
                )
                return
            await turn.session.flush()
            turn.outbox.to_worker(
                worker,
                texts.WORKER_REGISTERED.format(
                    name=worker.name,
                    role=role_name(worker),
                    area=await worker_flow.served_area(turn, worker),
                ),
            )
            await dispatch_queued_for(turn.session, worker, turn.now)
            return
        if result.outcome == RedeemOutcome.ACCOUNT_TAKEN and result.worker is not None:
            turn.outbox.to_worker(
                result.worker, texts.ACCOUNT_TAKEN.format(name=result.worker.name)
            )
            return
        message = {
            RedeemOutcome.EXPIRED: texts.INVITE_EXPIRED,
            RedeemOutcome.USED: texts.INVITE_USED,
        }.get(result.outcome, texts.INVITE_INVALID)
        if existing is not None:
            turn.outbox.to_worker(existing, message)
        else:
            turn.outbox.to_resident(await self._resident(turn), message)
