import asyncio

import pytest

from core.kv import KeyValueStore, LockTimeout


async def test_values_round_trip_and_expire(kv: KeyValueStore) -> None:
    await kv.set_json("a", {"n": 1, "字": "值"}, ttl_seconds=60)
    assert await kv.get_json("a") == {"n": 1, "字": "值"}
    await kv.delete("a")
    assert await kv.get_json("a") is None


async def test_lock_serialises_holders(kv: KeyValueStore) -> None:
    order: list[str] = []
    entered = asyncio.Event()

    async def first() -> None:
        async with kv.lock("same"):
            order.append("first-in")
            entered.set()
            await asyncio.sleep(0.05)  # hold the lock while the second one tries
            order.append("first-out")

    async def second() -> None:
        await entered.wait()
        async with kv.lock("same"):
            order.append("second-in")

    await asyncio.gather(first(), second())
    assert order == ["first-in", "first-out", "second-in"]


async def test_lock_gives_up_after_timeout(kv: KeyValueStore) -> None:
    async with kv.lock("busy"):
        with pytest.raises(LockTimeout):
            async with kv.lock("busy", timeout_seconds=0.1):
                pass
