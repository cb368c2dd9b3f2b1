"""The asyncio Redis store used natively (awaited on a loop), next to the sync store on the
same real redis-server: one record format, one key layout, one lock (the contract suite runs
it through the bridge too: ``redis-async`` in test_store_contract)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from cognito_sso.sessions import RedisSessionStore, Session, SessionStoreUnavailableError
from cognito_sso.sessions.redis_async import AsyncRedisSessionStore
from tests.aio import run_in_fresh_loop
from tests.sessions.conftest import ABSOLUTE, IDLE
from tests.sessions.test_record import a_session

pytestmark = pytest.mark.redis


def _stores(url: str, prefix: str) -> tuple[AsyncRedisSessionStore, RedisSessionStore]:
    options = {"idle_timeout": IDLE, "absolute_timeout": ABSOLUTE, "key_prefix": prefix}
    return AsyncRedisSessionStore(url, **options), RedisSessionStore(url, **options)


def test_sync_and_async_stores_share_sessions_and_transients(
    redis_url: str, redis_prefix: str
) -> None:
    async_store, sync_store = _stores(redis_url, redis_prefix)
    record = a_session()
    changed = dataclasses.replace(record, csrf="changed-by-the-sync-worker")

    async def scenario() -> None:
        made = await async_store.create(record.to_json())
        seen = sync_store.get(made.id)
        assert seen is not None and Session.from_json(seen.payload) == record
        sync_store.update(made.id, lambda _raw: changed.to_json())
        updated = await async_store.get(made.id)
        assert updated is not None and Session.from_json(updated.payload) == changed
        await async_store.update(made.id, lambda _raw: record.to_json())
        back = sync_store.get(made.id)
        assert back is not None and Session.from_json(back.payload) == record
        sync_store.delete(made.id)
        assert await async_store.get(made.id) is None
        sync_store.put_transient("login:abc", b"tx", 60)
        assert await async_store.pop_transient("login:abc") == b"tx"
        assert sync_store.pop_transient("login:abc") is None  # single use across both
        await async_store.aclose()

    run_in_fresh_loop(scenario())
    sync_store.close()


def test_the_lock_is_one_lock_for_sync_and_async_holders(redis_url: str, redis_prefix: str) -> None:
    async_store, sync_store = _stores(redis_url, redis_prefix)
    served: list[int] = []

    async def heartbeat() -> None:  # the loop keeps running while a task waits for the lock
        for beat in range(5):
            served.append(beat)
            await asyncio.sleep(0.01)

    async def scenario() -> None:
        async with async_store.locks.lock("refresh:s1", wait=0) as held:
            assert held
            with sync_store.locks.lock("refresh:s1", wait=0) as also:
                assert not also  # the sync worker sees the async holder's lock
        with sync_store.locks.lock("refresh:s1", wait=0) as sync_held:
            assert sync_held
            waiter = async_store.locks.lock("refresh:s1", wait=0.2)
            results = await asyncio.gather(waiter.__aenter__(), heartbeat())
            assert results[0] is False  # waited its 0.2 s without blocking the loop
            await waiter.__aexit__(None, None, None)
        assert served == [0, 1, 2, 3, 4]
        async with async_store.locks.lock("refresh:s1", wait=0) as free_again:
            assert free_again
        await async_store.aclose()

    run_in_fresh_loop(scenario())
    sync_store.close()


def test_an_unreachable_redis_is_a_store_error(redis_prefix: str) -> None:
    store = AsyncRedisSessionStore(
        "redis://127.0.0.1:9/0",
        idle_timeout=IDLE,
        absolute_timeout=ABSOLUTE,
        key_prefix=redis_prefix,
        socket_timeout=1,
    )
    with pytest.raises(SessionStoreUnavailableError):
        run_in_fresh_loop(store.get("a" * 43))
