"""The SessionStore contract, written once and run against SQLite and a real Redis."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from functools import partial

import pytest

from cognito_sso.sessions import SessionStore, StoredSession
from tests.bursts import at_once, in_processes
from tests.sessions import _workers
from tests.sessions.conftest import ABSOLUTE, IDLE, Backend, FakeClock, J, P

MALFORMED_IDS = [
    "",
    "short",
    "a" * 31,
    "a" * 129,
    "../../../../etc/passwd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "a" * 40 + " OR 1=1",
    "a" * 40 + "*",
    "a" * 40 + "\x00",
    "a" * 40 + "\r\nSET x y",
    "é" * 43,
]


# -- create / get / save / update / delete ------------------------------------------------


def test_create_then_get_round_trips_data(store: SessionStore, clock: FakeClock) -> None:
    data = {"sub": "1234", "groups": ["a", "b"], "nested": {"n": 1.5, "ok": True}, "x": None}
    session = store.create(P(data))
    assert session.payload == P(data)
    assert session.created_at == session.last_seen_at == clock.now
    loaded = store.get(session.id)
    assert loaded == StoredSession(session.id, P(data), clock.now, clock.now)


def test_ids_are_random_urlsafe_and_unique(store: SessionStore) -> None:
    ids = {store.create(P({})).id for _ in range(30)}
    assert len(ids) == 30
    for session_id in ids:
        assert len(session_id) >= 43
        assert set(session_id) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


def test_unicode_data_survives(store: SessionStore) -> None:
    data = {"name": "Zoë 日本 \u2603", "emoji": "\U0001f600"}
    session = store.create(P(data))
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == P(data)


def test_unknown_id_is_none(store: SessionStore) -> None:
    assert store.get("A" * 43) is None


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
def test_malformed_ids_are_rejected_cleanly(store: SessionStore, bad_id: str) -> None:
    store.create(P({"a": 1}))
    assert store.get(bad_id) is None
    assert store.update(bad_id, J(lambda d: {"hacked": True})) is None
    store.delete(bad_id)  # no error


def test_non_string_id_is_none(store: SessionStore) -> None:
    assert store.get(None) is None  # type: ignore[arg-type]
    assert store.get(12345) is None  # type: ignore[arg-type]


def test_payload_must_be_bytes(store: SessionStore) -> None:
    with pytest.raises(TypeError):
        store.create({"a": 1})  # type: ignore[arg-type]
    session = store.create(P({"a": 1}))
    with pytest.raises(TypeError):
        store.update(session.id, lambda raw: {"a": 2})  # type: ignore[arg-type,return-value]
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == P({"a": 1})


def test_payload_is_opaque_to_the_store(store: SessionStore) -> None:
    raw = b"\x00\xff not JSON at all \xe2\x98\x83"
    session = store.create(raw)
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == raw
    store.put_transient("state-opaque", raw, ttl=60)
    assert store.pop_transient("state-opaque") == raw


def test_update_does_not_resurrect_a_deleted_session(store: SessionStore) -> None:
    session = store.create(P({"a": 1}))
    store.delete(session.id)
    assert store.update(session.id, lambda raw: raw) is None
    assert store.get(session.id) is None


def test_update_replaces_the_payload(store: SessionStore, clock: FakeClock) -> None:
    session = store.create(P({"count": 1}))
    clock.advance(5)
    updated = store.update(session.id, J(lambda d: {"count": d["count"] + 1}))
    assert updated is not None
    assert updated.payload == P({"count": 2})
    assert updated.last_seen_at == clock.now
    assert updated.created_at == session.created_at
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == P({"count": 2})


def test_update_of_missing_session_does_not_call_fn(store: SessionStore) -> None:
    calls: list[bytes] = []
    assert store.update("B" * 43, lambda raw: calls.append(raw) or raw) is None
    assert calls == []


def test_update_fn_error_leaves_data_unchanged(store: SessionStore) -> None:
    session = store.create(P({"count": 1}))

    def broken(raw: bytes) -> bytes:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.update(session.id, broken)
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == P({"count": 1})


def test_delete(store: SessionStore) -> None:
    keep = store.create(P({"keep": True}))
    gone = store.create(P({"keep": False}))
    store.delete(gone.id)
    store.delete(gone.id)  # idempotent
    assert store.get(gone.id) is None
    assert store.get(keep.id) is not None


def test_updates_are_atomic_under_threads(store: SessionStore) -> None:
    session = store.create(P({"count": 0}))

    def work() -> None:
        for _ in range(10):
            store.update(session.id, J(lambda d: {"count": d["count"] + 1}))

    at_once(10, work)  # raises what any of them raised
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == P({"count": 100})


def test_updates_are_atomic_across_processes(backend: Backend) -> None:
    store = backend.open()
    session = store.create(P({"count": 0}))
    in_processes(3, _workers.update_worker, backend.location, backend.options, session.id, 15)
    loaded = store.get(session.id)
    assert loaded is not None and loaded.payload == P({"count": 45})
    store.close()


# -- expiry -------------------------------------------------------------------------------


def test_idle_expiry(store: SessionStore, clock: FakeClock) -> None:
    session = store.create(P({"a": 1}))
    clock.advance(IDLE - 1)
    assert store.get(session.id) is not None  # touches it
    clock.advance(IDLE - 1)
    assert store.get(session.id) is not None  # still alive thanks to the touch
    clock.advance(IDLE)
    assert store.get(session.id) is None
    assert store.get(session.id) is None


def test_idle_expiry_blocks_update(store: SessionStore, clock: FakeClock) -> None:
    session = store.create(P({"a": 1}))
    clock.advance(IDLE + 1)
    assert store.update(session.id, J(lambda d: {"a": 2})) is None
    clock.advance(-(IDLE + 1))  # even back in time, the expired session is gone for good
    assert store.get(session.id) is None


def test_absolute_expiry_despite_activity(store: SessionStore, clock: FakeClock) -> None:
    session = store.create(P({"a": 1}))
    while clock.now + IDLE / 2 < session.created_at + ABSOLUTE:
        clock.advance(IDLE / 2)
        assert store.get(session.id) is not None
    clock.advance(session.created_at + ABSOLUTE - clock.now)
    assert store.get(session.id) is None


def test_touches_are_rate_limited(backend: Backend, clock: FakeClock) -> None:
    store = backend.open(clock=clock, touch_interval=60)
    session = store.create(P({}))
    clock.advance(30)
    loaded = store.get(session.id)
    assert loaded is not None and loaded.last_seen_at == session.created_at
    clock.advance(31)
    assert store.get(session.id) is not None
    loaded = store.get(session.id)
    assert loaded is not None and loaded.last_seen_at == clock.now
    store.close()


def test_cleanup_removes_only_expired_things(store: SessionStore, clock: FakeClock) -> None:
    active = store.create(P({"n": 1}))
    idle_a = store.create(P({"n": 2}))
    idle_b = store.create(P({"n": 3}))
    store.put_transient("short-lived", P({"v": 1}), ttl=60)
    store.put_transient("long-lived", P({"v": 2}), ttl=10_000)
    clock.advance(IDLE / 2)
    assert store.get(active.id) is not None
    clock.advance(IDLE / 2 + 1)
    assert store.cleanup() == 3  # idle_a, idle_b, short-lived
    assert store.cleanup() == 0
    assert store.get(active.id) is not None
    assert store.get(idle_a.id) is None and store.get(idle_b.id) is None
    assert store.pop_transient("long-lived") == P({"v": 2})


# -- transient values ---------------------------------------------------------------------


def test_transient_is_single_use(store: SessionStore) -> None:
    value = {"verifier": "v" * 64, "nonce": "n", "next": "/invoices?page=2"}
    store.put_transient("state-abc", P(value), ttl=300)
    assert store.pop_transient("state-abc") == P(value)
    assert store.pop_transient("state-abc") is None


def test_transient_expires(store: SessionStore, clock: FakeClock) -> None:
    store.put_transient("state-1", P({"a": 1}), ttl=300)
    clock.advance(301)
    assert store.pop_transient("state-1") is None


def test_transient_put_replaces(store: SessionStore) -> None:
    store.put_transient("state-2", P({"a": 1}), ttl=300)
    store.put_transient("state-2", P({"a": 2}), ttl=300)
    assert store.pop_transient("state-2") == P({"a": 2})


@pytest.mark.parametrize("bad_key", ["", "has space", "a/b", "x" * 201, "k\x00", "ключ", "*"])
def test_transient_bad_keys(store: SessionStore, bad_key: str) -> None:
    assert store.pop_transient(bad_key) is None
    with pytest.raises(ValueError):
        store.put_transient(bad_key, P({}), ttl=10)


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), float("nan")])
def test_transient_bad_ttl(store: SessionStore, ttl: float) -> None:
    with pytest.raises(ValueError):
        store.put_transient("k", P({}), ttl=ttl)


def test_transient_pop_is_atomic_under_concurrency(store: SessionStore) -> None:
    for round_number in range(5):
        key = f"state-race-{round_number}"
        store.put_transient(key, P({"round": round_number}), ttl=300)
        results = at_once(20, partial(store.pop_transient, key))
        winners = [value for value in results if value is not None]
        assert len(results) == 20
        assert winners == [P({"round": round_number})]


# -- locks --------------------------------------------------------------------------------


def test_lock_basic(store: SessionStore) -> None:
    with store.locks.lock("refresh:one", wait=0) as first:
        assert first is True
        with store.locks.lock("refresh:one", wait=0) as second:
            assert second is False
        with store.locks.lock("refresh:two", wait=0) as other:
            assert other is True
    with store.locks.lock("refresh:one", wait=0) as again:
        assert again is True


def test_lock_waits_for_the_holder(store: SessionStore) -> None:
    holder = store.locks.lock("k-wait", ttl=30)
    assert holder.__enter__() is True
    released = threading.Event()

    def release_soon() -> None:
        time.sleep(0.2)
        released.set()
        holder.__exit__(None, None, None)

    thread = threading.Thread(target=release_soon)
    thread.start()
    with store.locks.lock("k-wait", wait=30) as acquired:
        assert acquired is True
        assert released.is_set()
    thread.join()


@pytest.mark.parametrize("bad_key", ["", "a b", "x" * 201])
def test_lock_bad_key(store: SessionStore, bad_key: str) -> None:
    with pytest.raises(ValueError), store.locks.lock(bad_key):
        pass


def test_lock_mutual_exclusion_20_threads(store: SessionStore) -> None:
    counter = [0]
    holders = [0]
    max_holders = [0]
    guard = threading.Lock()
    failures: list[str] = []

    def work() -> None:
        for _ in range(5):
            with store.locks.lock("counter", ttl=30, wait=60) as acquired:
                if not acquired:
                    failures.append("not acquired")
                    continue
                with guard:
                    holders[0] += 1
                    max_holders[0] = max(max_holders[0], holders[0])
                value = counter[0]
                time.sleep(0.001)
                counter[0] = value + 1
                with guard:
                    holders[0] -= 1

    at_once(20, work)
    assert failures == []
    assert max_holders[0] == 1
    assert counter[0] == 100


def test_lock_mutual_exclusion_across_processes(backend: Backend) -> None:
    ctx = multiprocessing.get_context("spawn")
    counter = ctx.Value("i", 0, lock=False)
    failures = ctx.Value("i", 0, lock=False)
    args = (backend.location, backend.options, "cross-process", 15, counter, failures)
    in_processes(3, _workers.lock_worker, *args)
    assert failures.value == 0
    assert counter.value == 45


def test_lock_ttl_frees_a_crashed_holder_but_not_its_successor(store: SessionStore) -> None:
    crashed = store.locks.lock("ttl-key", ttl=0.3)
    assert crashed.__enter__() is True  # ... and never leaves: a crashed holder
    with store.locks.lock("ttl-key", wait=30) as successor:
        assert successor is True  # got it once the ttl ran out
        crashed.__exit__(None, None, None)  # the old holder wakes up and "releases"
        with store.locks.lock("ttl-key", wait=0) as third:
            assert third is False  # the successor still holds it
    with store.locks.lock("ttl-key", wait=0) as after:
        assert after is True


def test_lock_of_a_killed_process_expires(backend: Backend) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(
        target=_workers.crashing_holder,
        args=(backend.location, backend.options, "killed-holder", ready),
    )
    holder.start()
    try:
        assert ready.wait(60)
        store = backend.open()
        holder_pid = holder.pid
        assert holder_pid is not None
        os.kill(holder_pid, signal.SIGKILL)
        holder.join(30)
        with store.locks.lock("killed-holder", wait=30) as acquired:
            assert acquired is True
        store.close()
    finally:
        if holder.is_alive():
            holder.kill()
            holder.join(30)


# -- corrupted data -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bad-timestamp", "wrong-type"])
def test_corrupt_session_is_a_clean_none(
    store: SessionStore, backend: Backend, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    session = store.create(P({"secret": "top-secret-value"}))
    backend.corrupt_session(session.id, kind)
    with caplog.at_level(logging.DEBUG):
        assert store.get(session.id) is None
        assert store.update(session.id, J(lambda d: {"x": 1})) is None
    assert "top-secret-value" not in caplog.text
    assert session.id not in caplog.text
    other = store.create(P({"fine": True}))
    assert store.get(other.id) is not None


def test_corrupt_session_is_removed_by_cleanup(store: SessionStore, backend: Backend) -> None:
    session = store.create(P({"a": 1}))
    backend.corrupt_session(session.id, "bad-timestamp")
    assert store.cleanup() == 1
    assert store.get(session.id) is None


def test_corrupt_transient_is_a_clean_none(store: SessionStore, backend: Backend) -> None:
    store.put_transient("state-corrupt", P({"a": 1}), ttl=300)
    backend.corrupt_transient("state-corrupt")
    assert store.pop_transient("state-corrupt") is None
    assert store.pop_transient("state-corrupt") is None


def test_nothing_sensitive_is_logged(
    store: SessionStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        session = store.create(P({"refresh_token": "rt-secret-123"}))
        store.get(session.id)
        store.update(session.id, J(lambda d: {**d, "access_token": "at-secret-456"}))
        store.put_transient("state-log", P({"verifier": "pkce-secret-789"}), ttl=60)
        store.pop_transient("state-log")
        clock.advance(IDLE + 1)
        store.get(session.id)
        store.cleanup()
    for secret in ("rt-secret-123", "at-secret-456", "pkce-secret-789", session.id):
        assert secret not in caplog.text
