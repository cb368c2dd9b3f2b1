"""Fixtures for the session store suite: one set of tests, run against every backend."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.sessions import SessionStore, open_store

IDLE = 600.0
ABSOLUTE = 3600.0


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

    def open(self, **options: Any) -> SessionStore:
        merged = {**self.options, **options}
        idle = merged.pop("idle_timeout", IDLE)
        absolute = merged.pop("absolute_timeout", ABSOLUTE)
        return open_store(self.location, idle_timeout=idle, absolute_timeout=absolute, **merged)

    # -- raw access, to simulate corruption from outside the store ------------------------

    def _redis(self) -> Any:
        import redis

        return redis.Redis.from_url(self.location, socket_timeout=5)

    def _sqlite(self) -> sqlite3.Connection:
        return sqlite3.connect(self.location.removeprefix("sqlite://"), isolation_level=None)

    def corrupt_session(self, session_id: str, kind: str) -> None:
        """Damage a stored session: bad-json, not-object, bad-timestamp or wrong-type."""
        if self.name == "sqlite":
            column, value = {
                "bad-json": ("data", "{not json"),
                "not-object": ("data", "[1, 2, 3]"),
                "bad-timestamp": ("created_at", "yesterday"),
                "wrong-type": ("data", b"\xff\xfe binary blob"),
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
            field_name, raw = {
                "bad-json": ("d", "{not json"),
                "not-object": ("d", "[1, 2, 3]"),
                "bad-timestamp": ("c", "yesterday"),
            }[kind]
            client.hset(key, field_name, raw)
        client.close()

    def corrupt_transient(self, key: str) -> None:
        """Overwrite a stored transient value with garbage."""
        if self.name == "sqlite":
            with self._sqlite() as conn:
                conn.execute("UPDATE transients SET value = '{oops' WHERE key = ?", (key,))
            return
        client = self._redis()
        client.set(f"{self.options['key_prefix']}transient:{key}", b"\x00garbage")
        client.close()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each backend in turn: SQLite in a temp dir, Redis on the shared real redis-server."""
    if request.param == "sqlite":
        return Backend("sqlite", f"sqlite://{tmp_path / 'state' / 'sessions.db'}")
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    return Backend("redis", url, {"key_prefix": prefix})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(backend: Backend, clock: FakeClock) -> Iterator[SessionStore]:
    """A store on the current backend with a fake clock and a touch on every get."""
    opened = backend.open(clock=clock, touch_interval=0)
    yield opened
    opened.close()
