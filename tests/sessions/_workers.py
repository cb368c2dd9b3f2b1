"""Functions run in child processes (spawned, so they must live in an importable module)."""

from __future__ import annotations

import json
import time
from typing import Any

from cognito_sso.sessions import open_store
from tests.sessions.conftest import P


def _open(location: str, options: dict[str, Any]) -> Any:
    return open_store(location, idle_timeout=600, absolute_timeout=3600, **options)


def lock_worker(
    location: str, options: dict[str, Any], key: str, iterations: int, counter: Any, failures: Any
) -> None:
    """Increment a shared counter non-atomically, guarded only by the store's lock."""
    store = _open(location, options)
    for _ in range(iterations):
        with store.locks.lock(key, ttl=30, wait=60) as acquired:
            if not acquired:
                failures.value += 1
                continue
            value = counter.value
            time.sleep(0.002)  # widen the race window: without the lock, updates get lost
            counter.value = value + 1
    store.close()


def update_worker(location: str, options: dict[str, Any], session_id: str, n: int) -> None:
    """Increment a counter inside session data with read-modify-write updates."""
    store = _open(location, options)
    for _ in range(n):

        def bump(raw: bytes) -> bytes:
            data = json.loads(raw)
            return P({**data, "count": data["count"] + 1})

        assert store.update(session_id, bump) is not None
    store.close()


def crashing_holder(location: str, options: dict[str, Any], key: str, ready: Any) -> None:
    """Take a lock with a short ttl and hang (the parent kills us with SIGKILL)."""
    store = _open(location, options)
    holder = store.locks.lock(key, ttl=1.0, wait=10)
    assert holder.__enter__()
    ready.set()
    time.sleep(600)


def open_and_create(location: str, start: Any, n: int) -> None:
    """Open a (possibly brand-new) store at the same moment as other processes, then write."""
    start.wait(60)
    store = _open(location, {})
    for _ in range(n):
        session = store.create(P({"pid": "x"}))
        assert store.get(session.id) is not None
    store.close()
