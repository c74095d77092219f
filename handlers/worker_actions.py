"""What a worker does to a ticket, and everyone it concerns told.

Claim, reply, resolve, note, escalate, transfer, merge: each changes the domain
(`county.tickets`), tells the resident once, and re-renders every card of the ticket
(`refresh_cards`), so a stale card never invites a wrong tap. Each returns the receipt for
the worker (None when it was refused, the refusal already told): the caller shows it as a
message, or as the edit of the prompt or picker that was pressed.
"""

from __future__ import annotations

from county import directory, routing, tickets
from county.models import (
    EventKind,
    Grid,
    Party,
    Resident,
    Ticket,
    TicketStatus,
    Worker,
)
from county.routing import RouteLevel
from county.tickets import ClaimOutcome, MergeOutcome, resident_of
from handlers import texts
from handlers.rating import rating_keyboard
from handlers.ticketing import refresh_cards, resident_label, role_name, send_card
from handlers.turn import Turn
from messaging import inbound as inbound_messages
from messaging import outbox as outbox_rows
from messaging.inbound import photo_of
from messaging.models import InboundKind, InboundMessage


def tell(turn: Turn, worker: Worker, text: str) -> None:
    """A short answer: the notice on the pressed button, or a message after a text."""
    if turn.inbound.kind == InboundKind.BUTTON:
        turn.answer(text)
    else:
        turn.outbox.to_worker(worker, text)


def closed_text(ticket: Ticket, kept: Ticket | None = None) -> str:
    if ticket.status == TicketStatus.MERGED:
        return texts.TICKET_MERGED.format(number=kept.number if kept else "")
    return texts.TICKET_NOW_CLOSED.format(status=texts.STATUS_NAMES[ticket.status])


async def refusal(turn: Turn, worker: Worker, ticket: Ticket) -> str | None:
    """Why this worker may not work on the ticket now; None when he may."""
    if not ticket.is_open:
        kept = await merged_target(turn, ticket)
        return closed_text(ticket, kept)
    if ticket.status == TicketStatus.CLAIMED and ticket.assignee_id != worker.id:
        name = ticket.assignee.name if ticket.assignee else texts.SOMEONE_WORKER
        return texts.TAKEN_BY.format(name=name)
    if ticket.assignee_id != worker.id and not await routing.may_handle(
        turn.session, worker, ticket.grid, emergency=ticket.emergency
    ):
        return texts.TICKET_NOT_YOURS
    return None


async def may_view(turn: Turn, worker: Worker, ticket: Ticket) -> bool:
    """Anyone in the ticket's chain, or who ever had it, may read its card and history."""
    if ticket.assignee_id == worker.id or await routing.may_handle(
        turn.session, worker, ticket.grid, emergency=ticket.emergency
    ):
        return True
    had = await tickets.previous_assignees(turn.session, [ticket.id])
    return worker.id in had[ticket.id]


async def merged_target(turn: Turn, ticket: Ticket) -> Ticket | None:
    if ticket.merged_into_id is None:
        return None
    return await turn.session.get(Ticket, ticket.merged_into_id)


def refused_claim(outcome: ClaimOutcome, ticket: Ticket) -> str:
    if outcome == ClaimOutcome.ALREADY_YOURS:
        return texts.ALREADY_YOURS
    if outcome == ClaimOutcome.TAKEN:
        name = ticket.assignee.name if ticket.assignee else texts.SOMEONE_WORKER
        return texts.TAKEN_BY.format(name=name)
    if outcome == ClaimOutcome.NOT_ALLOWED:
        return texts.TICKET_NOT_YOURS
    return closed_text(ticket)


async def claim(
    turn: Turn, worker: Worker, ticket: Ticket, *, tell_resident: bool = True
) -> ClaimOutcome:
    result = await tickets.claim(turn.session, ticket, worker, turn.now)
    if result.outcome == ClaimOutcome.CLAIMED:
        resident = await resident_of(turn.session, ticket)
        if tell_resident:
            turn.outbox.to_resident(
                resident,
                texts.CLAIMED_NOTICE_RESIDENT.format(
                    role=role_name(worker), name=worker.name, number=ticket.number
                ),
                ticket_id=ticket.id,
            )
        await refresh_cards(turn.session, ticket, turn.now)
    return result.outcome


async def claimed_for(
    turn: Turn, worker: Worker, ticket: Ticket, *, tell_resident: bool = True
) -> bool:
    """Working on a ticket is acknowledging it: claim it on the way if it is not his yet.
    False (and the worker told) when he may not."""
    if (why := await refusal(turn, worker, ticket)) is not None:
        tell(turn, worker, why)
        return False
    if ticket.status == TicketStatus.CLAIMED:
        return True
    outcome = await claim(turn, worker, ticket, tell_resident=tell_resident)
    if outcome in (ClaimOutcome.CLAIMED, ClaimOutcome.ALREADY_YOURS):
        return True
    tell(turn, worker, refused_claim(outcome, ticket))
    return False


async def relay(
    turn: Turn, worker: Worker, ticket: Ticket, text: str, message: InboundMessage
) -> str | None:
    """The worker's words (and photo) to the ticket's resident."""
    kept = await merged_target(turn, ticket)
    if kept is not None and kept.resident_id == ticket.resident_id:
        ticket = kept  # the conversation carries on in the ticket it was merged into
    if not await claimed_for(turn, worker, ticket):
        return None
    message.ticket_id = ticket.id
    tickets.log_event(turn.session, ticket, EventKind.WORKER_MESSAGE, turn.now,
                      actor=Party.WORKER, actor_id=worker.id, body=text)  # fmt: skip
    resident = await resident_of(turn.session, ticket)
    turn.outbox.to_resident(
        resident,
        photo=photo_of(message),
        text=texts.WORKER_SAYS.format(
            role=role_name(worker), name=worker.name, number=ticket.number, text=text
        ),
        ticket_id=ticket.id,
    )
    return texts.SENT_TO.format(number=ticket.number, who=resident_label(resident, ticket))


async def resolve(turn: Turn, worker: Worker, ticket: Ticket, result: str) -> str | None:
    """办结 with a result: the resident gets it with the rating buttons (回访), and so does
    each other resident whose report was merged into this ticket."""
    # Claimed on the way if need be, without a 已接单 notice just before the 已办结 one.
    if not await claimed_for(turn, worker, ticket, tell_resident=False):
        return None
    if not await tickets.resolve(turn.session, ticket, worker, turn.now, note=result):
        tell(turn, worker, closed_text(ticket))
        return None
    resident = await resident_of(turn.session, ticket)
    turn.outbox.to_resident(
        resident,
        texts.RESOLVED_RESULT_RESIDENT.format(number=ticket.number, result=result),
        rating_keyboard(ticket),
        ticket_id=ticket.id,
    )
    told = {resident.id}
    for duplicate in await tickets.merged_into(turn.session, ticket.id):
        if duplicate.resident_id in told:
            continue
        told.add(duplicate.resident_id)
        turn.outbox.to_resident(
            duplicate.resident_id,
            texts.RESOLVED_MERGED_RESIDENT.format(
                duplicate=duplicate.number, number=ticket.number, result=result
            ),
            ticket_id=ticket.id,
        )
    await refresh_cards(turn.session, ticket, turn.now)
    return texts.RESOLVED_DONE.format(number=ticket.number, result=result)


async def note(turn: Turn, worker: Worker, ticket: Ticket, text: str) -> str | None:
    if not await may_view(turn, worker, ticket):
        tell(turn, worker, texts.TICKET_NOT_VISIBLE)
        return None
    tickets.add_note(turn.session, ticket, worker, text, turn.now)
    return texts.NOTE_SAVED.format(number=ticket.number)


async def escalate(turn: Turn, worker: Worker, ticket: Ticket, reason: str) -> str | None:
    """升级 one level up, reason on record; the new assignee, the worker and the resident
    are told. Nothing changes when nobody above is on duty: the worker is told when."""
    if (why := await refusal(turn, worker, ticket)) is not None:
        tell(turn, worker, why)
        return None
    if ticket.escalation_level == RouteLevel.TOWN:
        tell(turn, worker, texts.ESCALATE_TOP.format(number=ticket.number))
        return None
    decision = await tickets.escalate_manually(turn.session, ticket, worker, reason, turn.now)
    new = decision.worker
    if new is None:
        if decision.expected_at is not None:
            when = texts.short_when(decision.expected_at, turn.now)
            tell(turn, worker, texts.ESCALATE_NOBODY.format(when=when, number=ticket.number))
        else:
            tell(turn, worker, texts.ESCALATE_NOBODY_UNKNOWN.format(number=ticket.number))
        return None
    resident = await resident_of(turn.session, ticket)
    await refresh_cards(turn.session, ticket, turn.now)
    heading = texts.ESCALATED_MANUAL_HEADING.format(
        role=role_name(worker), name=worker.name, reason=reason
    )
    send_card(turn.outbox, ticket, resident, new, heading)
    turn.outbox.to_resident(
        resident,
        texts.ESCALATED_RESIDENT.format(number=ticket.number, role=role_name(new), name=new.name),
        ticket_id=ticket.id,
    )
    return texts.ESCALATED_MANUAL_AWAY.format(
        number=ticket.number, role=role_name(new), name=new.name, reason=reason
    )


async def transfer_to_grid(
    turn: Turn, worker: Worker, ticket: Ticket, target: Grid, reason: str
) -> str | None:
    """转派 to another grid, routed there afresh; the reason on record and on every notice."""
    if (why := await refusal(turn, worker, ticket)) is not None:
        tell(turn, worker, why)
        return None
    if target.id == ticket.grid_id:
        tell(turn, worker, texts.TRANSFER_SAME_GRID.format(number=ticket.number,
                                                           grid=target.full_name))  # fmt: skip
        return None
    source = ticket.grid
    decision = await tickets.transfer_to_grid(turn.session, ticket, target, worker, reason,
                                              turn.now)  # fmt: skip
    resident = await resident_of(turn.session, ticket)
    await refresh_cards(turn.session, ticket, turn.now)
    if decision.worker is not None:
        heading = texts.TRANSFERRED_HEADING.format(grid=source.full_name, reason=reason)
        send_card(turn.outbox, ticket, resident, decision.worker, heading)
    turn.outbox.to_resident(
        resident,
        texts.TRANSFERRED_RESIDENT.format(
            number=ticket.number, grid=target.full_name, reason=reason
        ),
        ticket_id=ticket.id,
    )
    return texts.TRANSFERRED_AWAY.format(number=ticket.number, grid=target.full_name,
                                         reason=reason)  # fmt: skip


async def transfer_to_worker(
    turn: Turn, worker: Worker, ticket: Ticket, colleague: Worker, reason: str
) -> str | None:
    """转派 to a colleague of the same grid, who has to 接单 like any assignee."""
    if (why := await refusal(turn, worker, ticket)) is not None:
        tell(turn, worker, why)
        return None
    if colleague.id == ticket.assignee_id:
        tell(turn, worker, texts.TRANSFER_SAME_WORKER.format(number=ticket.number,
                                                             name=colleague.name))  # fmt: skip
        return None
    if not colleague.active or not await tickets.transfer_to_worker(
        turn.session, ticket, colleague, worker, reason, turn.now
    ):
        tell(turn, worker, texts.CHOICE_EXPIRED)
        return None
    resident = await resident_of(turn.session, ticket)
    await refresh_cards(turn.session, ticket, turn.now)
    heading = texts.TRANSFERRED_TO_YOU.format(name=worker.name, reason=reason)
    send_card(turn.outbox, ticket, resident, colleague, heading)
    turn.outbox.to_resident(
        resident,
        texts.TRANSFERRED_RESIDENT_TO.format(
            number=ticket.number, role=role_name(colleague), name=colleague.name
        ),
        ticket_id=ticket.id,
    )
    return texts.TRANSFERRED_AWAY_TO.format(
        number=ticket.number, role=role_name(colleague), name=colleague.name, reason=reason
    )


async def merge(turn: Turn, worker: Worker, duplicate: Ticket, kept: Ticket) -> str | None:
    """并单: the duplicate closes into `kept`; its thread moves there, each resident hears
    once, and both tickets' cards are edited."""
    for ticket in (duplicate, kept):
        if (why := await refusal(turn, worker, ticket)) is not None:
            tell(turn, worker, why)
            return None
    outcome = await tickets.merge(turn.session, duplicate, kept, worker, turn.now)
    if outcome != MergeOutcome.MERGED:
        refused = {
            MergeOutcome.SAME: texts.MERGE_SAME,
            MergeOutcome.UNRELATED: texts.MERGE_UNRELATED,
        }.get(outcome) or closed_text(duplicate, kept)
        tell(turn, worker, refused)
        return None
    await inbound_messages.move_to_ticket(turn.session, duplicate.id, kept.id)
    same_resident = duplicate.resident_id == kept.resident_id
    if same_resident:
        await outbox_rows.move_to_ticket(turn.session, duplicate.id, kept.id, kept.resident_id)
    numbers = {"duplicate": duplicate.number, "kept": kept.number}
    turn.outbox.to_resident(
        duplicate.resident_id, texts.MERGED_RESIDENT.format(**numbers), ticket_id=kept.id
    )
    if not same_resident:
        turn.outbox.to_resident(
            kept.resident_id, texts.MERGED_RESIDENT_KEPT.format(**numbers), ticket_id=kept.id
        )
    await refresh_cards(turn.session, duplicate, turn.now)
    await refresh_cards(turn.session, kept, turn.now)
    return texts.MERGED_DONE.format(**numbers)


async def colleagues_for(turn: Turn, worker: Worker, ticket: Ticket) -> list[Worker]:
    """Who a ticket may be handed to within its grid: its grid and backup workers."""
    chain = await routing.escalation_chain(turn.session, ticket.grid)
    return [
        w
        for level, ws in chain
        if level in (RouteLevel.GRID, RouteLevel.BACKUP)
        for w in ws
        if w.id != worker.id and w.active and w.is_reachable
    ]


async def transfer_grids(turn: Turn, ticket: Ticket) -> list[Grid]:
    """The other grids of the ticket's community."""
    grids = await directory.grids_of(turn.session, ticket.grid.community_id)
    return [g for g in grids if g.id != ticket.grid_id]


async def residents_by_id(turn: Turn, found: list[Ticket]) -> dict[int, Resident]:
    return await tickets.residents_of(turn.session, found) if found else {}
