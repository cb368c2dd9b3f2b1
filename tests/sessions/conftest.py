"""Fixtures for the session store suite: one set of tests, run against every backend."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.aio.stores import LoopBridgedStore
from cognito_sso.sessions import SessionStore, open_store
from cognito_sso.sessions.base import UpdateFn
from cognito_sso.sessions.redis_async import AsyncRedisSessionStore

IDLE = 600.0
ABSOLUTE = 3600.0


def P(value: object) -> bytes:
    """A test payload: ``value`` as JSON bytes (the stores never look inside)."""
    return json.dumps(value).encode()


def J(fn: Callable[[Any], Any]) -> UpdateFn:
    """An update callback over decoded JSON, as a bytes-in, bytes-out store update."""
    return lambda raw: P(fn(json.loads(raw)))


class FakeClock:
    """An injectable clock that only moves when a test says so."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Backend:
    """Where a backend's data lives, how to open a store on it, and how to damage its data."""

    name: str
    location: str
    options: dict[str, Any] = field(default_factory=dict)

    loop: asyncio.AbstractEventLoop | None = None  # "redis-async": the store's event loop

    def open(self, **options: Any) -> SessionStore:
        merged = {**self.options, **options}
        idle = merged.pop("idle_timeout", IDLE)
        absolute = merged.pop("absolute_timeout", ABSOLUTE)
        if self.loop is not None:  # the asyncio store, through the bridge the adapter uses
            store = AsyncRedisSessionStore(
                self.location, idle_timeout=idle, absolute_timeout=absolute, **merged
            )
            return LoopBridgedStore(store, loop=self.loop)
        return open_store(self.location, idle_timeout=idle, absolute_timeout=absolute, **merged)

    # -- raw access, to simulate corruption from outside the store ------------------------

    def _redis(self) -> Any:
        import redis

        return redis.Redis.from_url(self.location, socket_timeout=5)

    def _sqlite(self) -> sqlite3.Connection:
        return sqlite3.connect(self.location.removeprefix("sqlite://"), isolation_level=None)

    def corrupt_session(self, session_id: str, kind: str) -> None:
        """Damage a stored session's row: bad-timestamp or wrong-type (the payload itself is
        opaque to the store; undecodable payloads are the session service's business)."""
        if self.name == "sqlite":
            column, value = {
                "bad-timestamp": ("created_at", "yesterday"),
                "wrong-type": ("last_seen_at", b"\x00"),  # TEXT data takes any payload
            }[kind]
            with self._sqlite() as conn:
                conn.execute(
                    f"UPDATE sessions SET {column} = ? WHERE id = ?",  # noqa: S608
                    (value, session_id),
                )
            return
        client = self._redis()
        key = f"{self.options['key_prefix']}session:{session_id}"
        if kind == "wrong-type":
            client.delete(key)
            client.set(key, "a string where a hash belongs")
        else:
            client.hset(key, "c", "yesterday")
        client.close()

    def corrupt_transient(self, key: str) -> None:
        """Damage a stored transient value (its expiry; the payload is opaque to the store)."""
        if self.name == "sqlite":
            with self._sqlite() as conn:
                conn.execute("UPDATE transients SET expires_at = 'soon' WHERE key = ?", (key,))
            return
        client = self._redis()
        client.set(f"{self.options['key_prefix']}transient:{key}", b"\x00garbage")
        client.close()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("redis-async", marks=pytest.mark.redis),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend in turn: SQLite in a temp dir, Redis on the shared real redis-server
    with the sync client, and with the asyncio client (on an event loop of its own thread,
    called from the test's thread as the FastAPI adapter's worker threads call it)."""
    if request.param == "sqlite":
        yield Backend("sqlite", f"sqlite://{tmp_path / 'state' / 'sessions.db'}")
        return
    url = request.getfixturevalue("redis_url")
    options = {"key_prefix": request.getfixturevalue("redis_prefix")}
    if request.param == "redis":
        yield Backend("redis", url, options)
        return
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield Backend("redis-async", url, options, loop=loop)
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(backend: Backend, clock: FakeClock) -> Iterator[SessionStore]:
    """A store on the current backend with a fake clock and a touch on every get."""
    opened = backend.open(clock=clock, touch_interval=0)
    yield opened
    opened.close()
