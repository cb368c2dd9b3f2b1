"""The process-local session cache never serves what another process changed or deleted.

Process B (this test) reads a session, so it is cached; process A (a spawned child with its
own store on the same SQLite file or Redis server) signs it out, refreshes it or changes its
groups; B's next read must see that, for both backends.
"""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sso.sessions import SessionStore
from tests.bursts import in_processes
from tests.sessions import _cache_workers
from tests.sessions.conftest import ABSOLUTE, IDLE, Backend, FakeClock


def _in_process_a(backend: Backend, session_id: str, action: str) -> None:
    in_processes(
        1, _cache_workers.change_session, backend.location, backend.options, session_id, action
    )


def _cached(store: SessionStore, session_id: str) -> bytes:
    first, second = store.get(session_id), store.get(session_id)
    assert first is not None and second is not None
    assert second.payload is first.payload  # served from the cache, not decoded again
    return first.payload


@pytest.mark.parametrize(
    "action",
    ["delete", '{"refreshed": "new tokens"}', '{"groups": ["admins"]}'],
    ids=["sign-out", "refresh", "group change"],
)
def test_a_change_by_another_process_is_seen_at_once(backend: Backend, action: str) -> None:
    store = backend.open()
    session = store.create(b'{"groups": ["staff"]}')
    assert _cached(store, session.id) == b'{"groups": ["staff"]}'
    _in_process_a(backend, session.id, action)
    after = store.get(session.id)
    if action == "delete":
        assert after is None
    else:
        assert after is not None and after.payload == action.encode()
    store.close()


def test_lifetimes_hold_for_cached_sessions(backend: Backend, clock: FakeClock) -> None:
    store = backend.open(clock=clock, touch_interval=60)
    session = store.create(b"{}")
    _cached(store, session.id)
    clock.advance(IDLE + 1)  # idle: no request for longer than the idle timeout
    assert store.get(session.id) is None
    session = store.create(b"{}")
    for _ in range(int(ABSOLUTE // (IDLE / 2)) + 1):  # busy, but past the absolute limit
        clock.advance(IDLE / 2)
        last = store.get(session.id)
    assert last is None
    store.close()


def _writes(backend: Backend, store: SessionStore) -> int:
    """Writes the backend has executed so far."""
    if backend.name == "sqlite":
        conn = store._db.conn()  # type: ignore[attr-defined]
        return int(conn.total_changes)
    client: Any = backend._redis()
    stats = client.info("commandstats")
    client.close()
    return sum(int(v["calls"]) for k, v in stats.items() if k.split("|")[0] in _REDIS_WRITES)


_REDIS_WRITES = {f"cmdstat_{c}" for c in ("hset", "evalsha", "eval", "pexpire", "del", "set")}


def test_cached_reads_write_nothing(backend: Backend) -> None:
    store = backend.open(touch_interval=300)
    session = store.create(b"{}")
    _cached(store, session.id)
    before = _writes(backend, store)
    for _ in range(20):
        assert store.get(session.id) is not None
    assert _writes(backend, store) == before
    store.close()
