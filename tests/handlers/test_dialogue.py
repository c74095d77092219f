"""Short-lived dialogue state is per user: nobody's slot answers anyone else's."""

from __future__ import annotations

from core.kv import KeyValueStore
from handlers.dialogue import FRESH_AFTER, PENDING_REQUEST, DialogueState, category_choice


async def test_slots_are_scoped_to_channel_and_user(kv: KeyValueStore) -> None:
    zhang = DialogueState(kv, "telegram", "5001")
    li = DialogueState(kv, "telegram", "5002")
    same_id_elsewhere = DialogueState(kv, "console", "5001")
    await zhang.put(PENDING_REQUEST, 17)
    await zhang.put(category_choice(17), {"intent": "hazard", "confidence": 0.4})
    assert await zhang.get(PENDING_REQUEST) == 17
    assert await li.get(PENDING_REQUEST) is None
    assert await same_id_elsewhere.get(PENDING_REQUEST) is None
    # A forged press naming Zhang's message cannot read Zhang's pending choice.
    assert await li.get(category_choice(17)) is None
    assert await zhang.get(category_choice(17)) == {"intent": "hazard", "confidence": 0.4}


async def test_clear_removes_one_slot_only(kv: KeyValueStore) -> None:
    state = DialogueState(kv, "test", "r-1")
    await state.put(PENDING_REQUEST, 3)
    await state.put(FRESH_AFTER, 99)
    await state.clear(PENDING_REQUEST)
    assert await state.get(PENDING_REQUEST) is None
    assert await state.get(FRESH_AFTER) == 99
