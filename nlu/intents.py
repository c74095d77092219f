"""Intent names shared by the model, the conversation and the data files.

These are the NLU's own names; the domain maps the ticket intents to its categories
(`county.categories`).
"""

from __future__ import annotations

DISPUTE = "dispute"  # 矛盾纠纷
HAZARD = "hazard"  # 安全隐患
WELFARE = "welfare"  # 民政/社保福利
APPOINTMENT = "appointment"  # 预约
TICKET_INTENTS: tuple[str, ...] = (DISPUTE, HAZARD, WELFARE, APPOINTMENT)

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
