"""The process-local session cache and the Redis invalidation that keeps it true."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from cognito_sso.sessions.cache import DerivedCache, SessionCache
from tests.plugins.redis_server import RedisServer


def _filled(cache: SessionCache[str], key: str, value: str) -> None:
    cache.fill(key, value, cache.begin_fill(key))


def test_fill_then_get() -> None:
    cache: SessionCache[str] = SessionCache()
    _filled(cache, "a", "1")
    assert cache.get("a") == "1"
    assert cache.get("b") is None


def test_a_read_overtaken_by_an_invalidation_is_not_kept() -> None:
    cache: SessionCache[str] = SessionCache()
    ticket = cache.begin_fill("a")  # a reader starts ...
    cache.invalidate("a")  # ... another process changes the session meanwhile ...
    cache.fill("a", "old", ticket)  # ... and the reader's copy is already stale
    assert cache.get("a") is None


def test_clear_voids_every_pending_read() -> None:
    cache: SessionCache[str] = SessionCache()
    ticket = cache.begin_fill("a")
    cache.clear()
    cache.fill("a", "old", ticket)
    assert cache.get("a") is None


def test_bounded_oldest_first() -> None:
    cache: SessionCache[str] = SessionCache(capacity=2)
    for key in "abc":
        _filled(cache, key, key)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, "b", "c")


def test_disabled_keeps_nothing_until_enabled() -> None:
    cache: SessionCache[str] = SessionCache()
    _filled(cache, "a", "1")
    cache.disable()
    assert cache.get("a") is None
    _filled(cache, "b", "2")
    assert cache.get("b") is None
    cache.enable()
    _filled(cache, "b", "2")
    assert cache.get("b") == "2"


def test_capacity_zero_is_off() -> None:
    cache: SessionCache[str] = SessionCache(capacity=0)
    _filled(cache, "a", "1")
    assert not cache.enabled and cache.get("a") is None


@pytest.mark.parametrize("capacity", [-1, 1.5, True])
def test_bad_capacity(capacity: object) -> None:
    with pytest.raises(ValueError, match="capacity"):
        SessionCache(capacity=capacity)  # type: ignore[arg-type]


def test_derived_values_are_built_once_per_source() -> None:
    built: list[bytes] = []

    def build(source: bytes) -> str:
        built.append(source)
        return source.decode()

    derived: DerivedCache[bytes, str] = DerivedCache()
    assert derived.get("s", b"v1", build) == "v1"
    assert derived.get("s", b"v1", build) == "v1"  # the same payload again (equal, re-read)
    assert derived.get("s", b"v2", build) == "v2"  # a new version
    assert derived.get("t", b"v1", build) == "v1"  # another session
    assert built == [b"v1", b"v2", b"v1"]


# -- Redis: CLIENT TRACKING ----------------------------------------------------------------


def _tracked(url: str, prefix: str) -> tuple[object, SessionCache[str], object]:
    import redis

    from cognito_sso.sessions.redis_tracking import InvalidationTracker

    client = redis.Redis.from_url(url, socket_timeout=5)
    cache: SessionCache[str] = SessionCache()
    tracker = InvalidationTracker(
        client, prefix, cache, errors=(redis.exceptions.RedisError,), retry_interval=0.05
    )
    assert tracker.sync() and cache.enabled
    return client, cache, tracker


def _sync_until(tracker: object, done: Callable[[], bool]) -> None:
    """Invalidations travel over a socket: sync until ``done`` (bounded), then check."""
    deadline = time.monotonic() + 5
    while not done() and time.monotonic() < deadline:
        tracker.sync()  # type: ignore[attr-defined]
        time.sleep(0.01)
    assert done()


def test_a_write_by_another_client_drops_the_entry(redis_url: str, redis_prefix: str) -> None:
    client, cache, tracker = _tracked(redis_url, redis_prefix)
    client.set(f"{redis_prefix}s2", "stored")  # type: ignore[attr-defined]
    tracker.sync()  # type: ignore[attr-defined]
    _filled(cache, "s1", "v1")
    _filled(cache, "s2", "v2")
    client.hset(f"{redis_prefix}s1", mapping={"d": "new"})  # type: ignore[attr-defined]
    _sync_until(tracker, lambda: cache.get("s1") is None)
    assert cache.get("s2") == "v2"  # untouched sessions stay cached
    client.delete(f"{redis_prefix}s2")  # type: ignore[attr-defined]
    _sync_until(tracker, lambda: cache.get("s2") is None)
    client.set("another-prefix:s3", "x")  # type: ignore[attr-defined]
    _filled(cache, "s3", "v3")
    tracker.sync()  # type: ignore[attr-defined]
    assert cache.get("s3") == "v3"
    tracker.close()  # type: ignore[attr-defined]


def test_expiry_and_flush_drop_entries(redis_url: str, redis_prefix: str) -> None:
    client, cache, tracker = _tracked(redis_url, redis_prefix)
    client.set(f"{redis_prefix}s1", "x", px=50)  # type: ignore[attr-defined]
    tracker.sync()  # type: ignore[attr-defined]
    _filled(cache, "s1", "v1")
    _filled(cache, "s2", "v2")
    time.sleep(0.1)
    client.exists(f"{redis_prefix}s1")  # type: ignore[attr-defined]  # expires it now
    _sync_until(tracker, lambda: cache.get("s1") is None)
    client.flushdb()  # type: ignore[attr-defined]
    _sync_until(tracker, lambda: cache.get("s2") is None)
    tracker.close()  # type: ignore[attr-defined]


def test_a_lost_connection_disables_the_cache_until_tracking_is_back(
    redis_server_factory: Callable[..., RedisServer], redis_prefix: str
) -> None:
    server = redis_server_factory()
    _client, cache, tracker = _tracked(server.url, redis_prefix)
    _filled(cache, "s1", "v1")
    server.restart()  # every key is gone, and with it our tracking
    assert tracker.sync() is False  # type: ignore[attr-defined]
    assert not cache.enabled and cache.get("s1") is None
    _filled(cache, "s1", "v1")
    assert cache.get("s1") is None  # nothing is kept while invalidations cannot arrive
    _sync_until(tracker, lambda: cache.enabled)  # reconnected (at most every retry_interval)
    assert cache.get("s1") is None  # and it starts empty
    tracker.close()  # type: ignore[attr-defined]
