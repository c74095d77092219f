"""Short-lived conversation state and locks: Redis when configured, in-process otherwise.

Only state that may be lost on a restart lives here (which step of a dialogue a
user is in); anything that must survive is written to the database.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from redis.asyncio import Redis

KEY_PREFIX = "gridline:"


class LockTimeout(RuntimeError):
    pass


class KeyValueStore(Protocol):
    async def get_json(self, key: str) -> Any | None: ...

    async def set_json(self, key: str, value: Any, ttl_seconds: int) -> None: ...

    async def delete(self, key: str) -> None: ...

    def lock(self, name: str, timeout_seconds: float = 30.0) -> Any:
        """An async context manager holding a named lock."""
        ...

    async def close(self) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._values: dict[str, tuple[float, str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get_json(self, key: str) -> Any | None:
        item = self._values.get(key)
        if item is None:
            return None
        expires, raw = item
        if expires < time.monotonic():
            del self._values[key]
            return None
        return json.loads(raw)

    async def set_json(self, key: str, value: Any, ttl_seconds: int) -> None:
        self._values[key] = (time.monotonic() + ttl_seconds, json.dumps(value))

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    @asynccontextmanager
    async def lock(self, name: str, timeout_seconds: float = 30.0) -> AsyncIterator[None]:
        lock = self._locks.setdefault(name, asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), timeout_seconds)
        except TimeoutError as exc:
            raise LockTimeout(name) from exc
        try:
            yield
        finally:
            lock.release()

    async def close(self) -> None:
        self._values.clear()


_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisStore:
    def __init__(self, url: str, namespace: str = "") -> None:
        self._redis = Redis.from_url(url, decode_responses=True)
        self._prefix = KEY_PREFIX + namespace

    async def get_json(self, key: str) -> Any | None:
        raw = await self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    async def set_json(self, key: str, value: Any, ttl_seconds: int) -> None:
        await self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_seconds)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    @asynccontextmanager
    async def lock(self, name: str, timeout_seconds: float = 30.0) -> AsyncIterator[None]:
        # A token per holder, released by compare-and-delete, so a lock that expired
        # and was taken by someone else is never released by the old holder.
        key = self._prefix + "lock:" + name
        token = uuid.uuid4().hex
        deadline = time.monotonic() + timeout_seconds
        delay = 0.005
        while not await self._redis.set(key, token, nx=True, px=int(timeout_seconds * 1000)):
            if time.monotonic() > deadline:
                raise LockTimeout(name)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            await self._redis.eval(_RELEASE_SCRIPT, 1, key, token)

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def clear_namespace(self) -> None:
        async for key in self._redis.scan_iter(match=self._prefix + "*"):
            await self._redis.delete(key)

    async def close(self) -> None:
        await self._redis.aclose()


def store_from_url(url: str | None, namespace: str = "") -> KeyValueStore:
    return RedisStore(url, namespace) if url else MemoryStore()
