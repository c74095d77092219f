"""What makes a hazard urgent (red, 分级分类分色) before anyone has looked at it.

Emergencies — call a number now — are language understanding and live in
`nlu/emergency.py`; a red hazard is acknowledged within the red limit (`county.sla`)
even when nobody's life is at stake yet.
"""

from __future__ import annotations

# Words that make a hazard report red before anyone has looked at it. Matched on the raw
# text without negation: "没有着火但一直冒烟" is still worth a red ticket.
URGENT_HAZARD_WORDS = (
    "煤气", "燃气", "天然气", "着火", "起火", "冒烟", "火灾", "触电", "漏电", "打火",
    "倒塌", "塌了", "坍塌", "受伤", "流血", "溺水", "落水", "爆炸",
)  # fmt: skip


def is_urgent_hazard(text: str) -> bool:
    return any(word in text for word in URGENT_HAZARD_WORDS)
