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


class _ProcessConnections:
    """The connections one process opened: one per thread, kept in that thread's local
    storage and registered here with the thread's mark, so a thread's is closed (by the next
    thread to open one) once that thread has ended."""

    __slots__ = ("children", "local", "lock", "marks", "parent", "pid")

    def __init__(self, pid: int, parent: _ProcessConnections | None = None) -> None:
        self.pid = pid
        # A forked child keeps its parent's record, so the parent's connections stay
        # referenced, never finalized (closing one could checkpoint the parent's WAL).
        self.parent = parent
        self.children: dict[int, _ProcessConnections] = {}
        self.local = threading.local()
        self.lock = threading.Lock()
        self.marks: dict[sqlite3.Connection, weakref.ref[_ThreadMark]] = {}

    def child(self, pid: int) -> _ProcessConnections:
        """The record of the forked child ``pid``: one for all its threads, even when several
        make their first call at once (``dict.setdefault`` is atomic)."""
        return self.children.setdefault(pid, _ProcessConnections(pid, parent=self))

    def add(self, conn: sqlite3.Connection) -> None:
        """Make ``conn`` this thread's connection."""
        mark = _ThreadMark()
        self.local.cursor = conn.cursor()
        self.local.conn = conn
        self.local.mark = mark
        with self.lock:
            self._close_ended_threads()
            self.marks[conn] = weakref.ref(mark)

    def _close_ended_threads(self) -> None:
        for conn in [conn for conn, mark in self.marks.items() if mark() is None]:
            del self.marks[conn]
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def close(self) -> None:
        """Close every connection, and forget each thread's."""
        with self.lock:
            for conn in self.marks:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self.marks = {}
            self.local = threading.local()


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
        self._process = _ProcessConnections(os.getpid())
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
        process = self._this_process()
        conn: sqlite3.Connection | None = getattr(process.local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise SessionStoreUnavailableError("the session store is closed")
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,  # only so close() may close it from another thread
        )
        conn.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode
        conn.execute("PRAGMA foreign_keys=ON")
        process.add(conn)
        return conn

    def cursor(self) -> sqlite3.Cursor:
        """This thread's kept cursor, for reads fetched at once (cheaper than a new cursor
        per statement on the hottest path)."""
        process = self._process
        cursor: sqlite3.Cursor | None = getattr(process.local, "cursor", None)
        if cursor is None or process.pid != os.getpid():  # never the parent's (see conn)
            self.conn()
            cursor = self._process.local.cursor
        return cursor

    def _this_process(self) -> _ProcessConnections:
        """This process's connections. The pid is checked on every call, not by an
        ``os.register_at_fork`` hook: servers that fork in C (uWSGI by default) run no Python
        fork hooks, and a child must never use the parent's connection (SQLite forbids it:
        its locks would not be the child's)."""
        process = self._process
        pid = os.getpid()
        if process.pid != pid:
            process = self._process = process.child(pid)
        return process

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
        self._closed = True
        process = self._process
        if process.pid == os.getpid():
            process.close()
