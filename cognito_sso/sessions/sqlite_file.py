"""One SQLite database file shared by threads and processes on one host.

The file runs in WAL mode with a busy timeout; every write is one ``BEGIN IMMEDIATE``
transaction, so readers never see half-written state and concurrent writers queue instead of
corrupting each other. Each thread gets its own connection; connections are never shared
between threads or carried across ``fork``. SQLite failures become
:class:`~cognito_sso.sessions.base.SessionStoreUnavailableError` (the app answers 503).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import secrets
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

from cognito_sso.errors import ConfigurationError
from cognito_sso.sessions.base import SessionStoreUnavailableError

__all__ = ["SQLiteFile"]

log = logging.getLogger(__name__)


def unavailable(exc: sqlite3.Error) -> SessionStoreUnavailableError:
    """The 503 error for a SQLite failure (its type logged, never its text)."""
    log.error("session store (sqlite) failed: %s", type(exc).__name__)
    return SessionStoreUnavailableError("the session store is unavailable")


class _ThreadMark:
    """Kept only in one thread's local storage, so it is freed when that thread ends, however
    the thread was started: ``threading.enumerate()`` misses threads started in C (uWSGI's,
    mod_wsgi's) until they call ``threading.current_thread()``."""

    __slots__ = ("__weakref__",)


class SQLiteFile:
    """A database file (created with mode 0600) with ``schema`` applied."""

    def __init__(self, path: str | os.PathLike[str], *, schema: str, busy_timeout: float) -> None:
        if not (isinstance(busy_timeout, int | float) and math.isfinite(busy_timeout)):
            raise ConfigurationError("busy_timeout must be a number of seconds")
        if busy_timeout <= 0:
            raise ConfigurationError("busy_timeout must be positive")
        if str(path) in ("", ":memory:") or str(path).startswith("file:"):
            raise ConfigurationError(
                "the SQLite session store needs a file path (a shared database, not :memory:)"
            )
        self.path = Path(path)
        self._schema = schema
        self._busy_timeout = float(busy_timeout)
        self._local = threading.local()
        self._registry_lock = threading.Lock()
        # every connection opened in this process -> the mark of the thread that uses it
        self._connections: dict[sqlite3.Connection, weakref.ref[_ThreadMark]] = {}
        self._inherited: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._closed = False
        self._create_file()
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        """Switch the file to WAL and create the tables (idempotent, safe to race)."""
        # Several workers opening a new file at once can get "database is locked" here
        # without SQLite's busy handler ever waiting (the switch to WAL needs an exclusive
        # lock), so retry for up to busy_timeout ourselves.
        deadline = time.monotonic() + self._busy_timeout
        with self.guard():
            conn = self.conn()
            while True:
                try:
                    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
                    if mode is not None and str(mode[0]).lower() == "wal":
                        conn.executescript(self._schema)
                        return
                except sqlite3.OperationalError:
                    if time.monotonic() >= deadline:
                        raise
                else:
                    if time.monotonic() >= deadline:
                        raise SessionStoreUnavailableError(
                            "the session database could not switch to WAL mode"
                        )
                time.sleep(0.005 + secrets.randbelow(20) / 1000)

    def _create_file(self) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create it ourselves so the mode is 0600 from the first byte; SQLite gives
            # the -wal and -shm files the same mode as the database file.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the session database {self.path}: {exc.strerror}"
            ) from None
        mode = self.path.stat().st_mode & 0o777
        if mode & 0o077:
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                log.warning(
                    "session database %s is accessible to other users (mode %o); use 0600",
                    self.path,
                    mode,
                )

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, replaced after a fork)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        # The pid on every call, not an os.register_at_fork hook: servers that fork in C
        # (uWSGI by default) run no Python fork hooks, and a child must never use the
        # parent's connection (SQLite forbids it: its locks would not be the child's).
        if conn is not None and os.getpid() == self._pid:
            return conn
        if self._closed:
            raise SessionStoreUnavailableError("the session store is closed")
        if os.getpid() != self._pid:
            self._forget_inherited()
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,  # only so close() may close it from another thread
        )
        conn.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode
        conn.execute("PRAGMA foreign_keys=ON")
        mark = _ThreadMark()
        self._local.cursor = conn.cursor()
        self._local.conn = conn
        self._local.mark = mark
        with self._registry_lock:
            self._close_ended_threads()
            self._connections[conn] = weakref.ref(mark)
        return conn

    def cursor(self) -> sqlite3.Cursor:
        """This thread's kept cursor, for reads fetched at once (cheaper than a new cursor
        per statement on the hottest path)."""
        cursor: sqlite3.Cursor | None = getattr(self._local, "cursor", None)
        if cursor is None or os.getpid() != self._pid:  # never the parent's (see conn)
            self.conn()
            cursor = self._local.cursor
        return cursor

    def _forget_inherited(self) -> None:
        """In a forked child: set the parent's connections aside, neither used nor closed
        (closing one could checkpoint the parent's WAL: they stay referenced, so they are
        never finalized), and replace its registry lock, which a thread that did not fork
        may have held."""
        self._inherited.extend(self._connections)
        self._registry_lock = threading.Lock()
        self._connections = {}
        self._local = threading.local()
        self._pid = os.getpid()

    def _close_ended_threads(self) -> None:
        """Close the connections of threads that have ended (callers hold the registry lock)."""
        for conn in [conn for conn, mark in self._connections.items() if mark() is None]:
            del self._connections[conn]
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn SQLite failures (locked too long, I/O errors, not a database) into 503s."""
        try:
            yield
        except sqlite3.Error as exc:
            raise unavailable(exc) from exc

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction (taken up front, so it cannot deadlock on upgrade)."""
        with self.guard():
            conn = self.conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close every connection opened (in this process); later use raises."""
        with self._registry_lock:
            self._closed = True
            if os.getpid() == self._pid:
                for conn in self._connections:
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
            self._connections = {}
            self._local = threading.local()
