"""Intent names shared by the model, the conversation and the data files."""

from __future__ import annotations

from county.models import Category

TICKET_INTENTS: tuple[str, ...] = tuple(c.value for c in Category)
TICKET_STATUS = "ticket_status"
GREET = "greet"
THANKS = "thanks"
GOODBYE = "goodbye"
AFFIRM = "affirm"
DENY = "deny"
CANCEL = "cancel"
OUT_OF_SCOPE = "out_of_scope"

CONVERSATION_INTENTS: tuple[str, ...] = (
    TICKET_STATUS, GREET, THANKS, GOODBYE, AFFIRM, DENY, CANCEL, OUT_OF_SCOPE,
)  # fmt: skip
ALL_INTENTS: tuple[str, ...] = TICKET_INTENTS + CONVERSATION_INTENTS
