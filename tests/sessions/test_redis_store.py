"""Redis-only behaviour: namespacing, TTLs, and a Redis that is down, hung or restarted."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
import redis

from cognito_sso.errors import ConfigurationError
from cognito_sso.sessions import (
    RedisSessionStore,
    SessionStoreUnavailableError,
    open_store,
)
from tests.plugins.redis_server import RedisServer
from tests.sessions.conftest import ABSOLUTE, IDLE, FakeClock, P

pytestmark = pytest.mark.redis


def _open(url: str, **options: Any) -> RedisSessionStore:
    store = open_store(url, idle_timeout=IDLE, absolute_timeout=ABSOLUTE, **options)
    assert isinstance(store, RedisSessionStore)
    return store


def test_keys_are_namespaced_and_expire(redis_url: str, redis_prefix: str) -> None:
    clock = FakeClock()
    store = _open(redis_url, key_prefix=redis_prefix, clock=clock, touch_interval=0)
    other = _open(redis_url, key_prefix=redis_prefix + "other:")
    session = store.create(P({"a": 1}))
    store.put_transient("state-x", P({"b": 2}), ttl=120)
    client = redis.Redis.from_url(redis_url)
    keys = sorted(key.decode() for key in client.keys(f"{redis_prefix}*"))  # type: ignore[union-attr]
    assert keys == [f"{redis_prefix}session:{session.id}", f"{redis_prefix}transient:state-x"]
    assert 0 < client.pttl(f"{redis_prefix}session:{session.id}") <= IDLE * 1000
    assert 0 < client.pttl(f"{redis_prefix}transient:state-x") <= 120_000
    assert other.get(session.id) is None
    assert other.pop_transient("state-x") is None
    # Near the absolute limit, the TTL shrinks to what is left of the absolute lifetime.
    while clock.now + IDLE / 2 < session.created_at + ABSOLUTE - 100:
        clock.advance(IDLE / 2)
        assert store.get(session.id) is not None
    clock.advance(session.created_at + ABSOLUTE - 100 - clock.now)
    assert store.get(session.id) is not None
    assert 0 < client.pttl(f"{redis_prefix}session:{session.id}") <= 100_000
    client.close()
    store.close()
    other.close()


def test_redis_down_is_unavailable_everywhere(
    redis_server_factory: Callable[..., RedisServer],
) -> None:
    server = redis_server_factory()
    store = _open(server.url, socket_timeout=1.0)
    session = store.create(P({"a": 1}))
    store.put_transient("state-down", P({"a": 1}), ttl=60)
    server.stop()
    calls: list[Callable[[], object]] = [
        lambda: store.create(P({})),
        lambda: store.get(session.id),
        lambda: store.update(session.id, lambda raw: raw),
        lambda: store.delete(session.id),
        lambda: store.put_transient("state-y", P({}), ttl=10),
        lambda: store.pop_transient("state-down"),
        lambda: store.cleanup(),
        lambda: store.locks.lock("k", wait=0).__enter__(),
    ]
    for call in calls:
        with pytest.raises(SessionStoreUnavailableError):
            call()
    # Malformed input is rejected before the store is contacted: no 503 for garbage.
    assert store.get("garbage") is None
    assert store.pop_transient("bad key") is None
    server.start()
    loaded = store.get(session.id)  # same store object: it reconnects by itself
    assert loaded is None  # no persistence configured: the restart lost the data
    assert store.get(store.create(P({"c": 3})).id) is not None
    store.close()


def test_hung_redis_times_out(redis_server_factory: Callable[..., RedisServer]) -> None:
    server = redis_server_factory()
    store = _open(server.url, socket_timeout=0.5)
    session = store.create(P({"a": 1}))
    server.pause()
    try:
        with pytest.raises(SessionStoreUnavailableError):
            store.get(session.id)
        with pytest.raises(SessionStoreUnavailableError), store.locks.lock("hung", wait=5):
            pass
    finally:
        server.resume()
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == P({"a": 1})
    store.close()


def test_sessions_survive_a_restart_with_persistence(
    redis_server_factory: Callable[..., RedisServer],
) -> None:
    server = redis_server_factory(appendonly=True)
    store = _open(server.url)
    session = store.create(P({"sub": "abc", "tokens": {"refresh": "r"}}))
    store.put_transient("state-persist", P({"next": "/x"}), ttl=300)
    server.restart()
    loaded = store.get(session.id)
    assert loaded is not None
    assert loaded.payload == P({"sub": "abc", "tokens": {"refresh": "r"}})
    assert loaded.created_at == session.created_at
    assert store.pop_transient("state-persist") == P({"next": "/x"})
    store.close()


def test_missing_redis_package_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # what an absent package looks like
    with pytest.raises(ConfigurationError, match="pip install"):
        open_store("redis://127.0.0.1:1/0", idle_timeout=10, absolute_timeout=20)


def test_construction_does_not_contact_redis() -> None:
    # Nothing listens on port 1: the app must still start, and fail per request with 503s.
    store = _open("redis://127.0.0.1:1/0", socket_timeout=0.5)
    with pytest.raises(SessionStoreUnavailableError):
        store.get("A" * 43)
    store.close()


@pytest.mark.parametrize("prefix", ["has space", "star*", "x" * 65, "br[a]ckets"])
def test_bad_key_prefix(prefix: str) -> None:
    with pytest.raises(ConfigurationError):
        _open("redis://127.0.0.1:1/0", key_prefix=prefix)
