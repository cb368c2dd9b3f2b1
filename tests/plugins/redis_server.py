"""A real redis-server for tests, on a free loopback port with its own temporary directory.

Fixtures:
- ``redis_server``: one server for the whole test session (``.url``). Share it by using a
  unique key prefix per test (see ``redis_prefix``) instead of flushing it.
- ``redis_url``: that server's URL (``redis://127.0.0.1:<port>/0``).
- ``redis_prefix``: a key prefix unique to the current test.
- ``redis_server_factory(appendonly=False)``: private servers a test may stop, restart,
  pause (SIGSTOP) and resume; all are shut down at the end of the test.

Without /usr/bin/redis-server the tests are skipped with a clear message, or fail when the
``CI`` environment variable is set (CI must never silently skip them).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _ping(port: int, timeout: float = 0.5) -> bool:
    """True if a Redis server answers PING on the port (raw RESP, no client library)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def require_redis_server() -> str:
    """The redis-server binary, or skip (fail under CI) when it is not installed."""
    if os.path.exists(REDIS_SERVER) and os.access(REDIS_SERVER, os.X_OK):
        return REDIS_SERVER
    message = "redis-server is not installed (Debian package 'redis-server'); Redis tests need it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class RedisServer:
    """One redis-server process bound to 127.0.0.1 on a free port."""

    def __init__(self, binary: str, directory: Path, *, appendonly: bool = False) -> None:
        self.binary = binary
        self.directory = directory
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _command(self) -> list[str]:
        command = [
            self.binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        if self.appendonly:
            command += ["--appendonly", "yes", "--appendfsync", "always"]
        return command

    def start(self) -> None:
        """Start the server (on the same port as before, so existing URLs keep working)."""
        if self.running:
            return
        self.process = subprocess.Popen(
            self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited at start:\n{log}")
            if _ping(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer PING in time")

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM: Redis flushes its append-only file first)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # in case a test left it paused
            process.terminate()
            try:
                process.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=_STOP_TIMEOUT)

    def restart(self) -> None:
        """Stop and start again with the same port and data directory."""
        self.stop()
        self.start()

    def pause(self) -> None:
        """SIGSTOP: the server keeps its socket but answers nothing (a hung Redis)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after :meth:`pause`."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


def _start_with_retries(server_factory: Callable[[], RedisServer]) -> RedisServer:
    # The port is chosen by binding port 0 and releasing it, so another process could take
    # it in between; a new port on the next attempt settles that.
    last_error: Exception | None = None
    for _attempt in range(3):
        server = server_factory()
        try:
            server.start()
        except RuntimeError as exc:
            last_error = exc
            continue
        return server
    raise RuntimeError(f"could not start redis-server: {last_error}")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server shared by the whole test session."""
    binary = require_redis_server()
    server = _start_with_retries(
        lambda: RedisServer(binary, tmp_path_factory.mktemp("redis-shared"))
    )
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """URL of the shared redis-server (restarted if an earlier test stopped it)."""
    redis_server.start()
    return redis_server.url


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test uses, so tests can share one server."""
    return f"test-{secrets.token_hex(6)}:"


@pytest.fixture
def redis_server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., RedisServer]]:
    """Start private redis-servers (``appendonly=True`` for persistence); all stop at teardown."""
    binary = require_redis_server()
    servers: list[RedisServer] = []

    def make(*, appendonly: bool = False) -> RedisServer:
        server = _start_with_retries(
            lambda: RedisServer(binary, tmp_path_factory.mktemp("redis"), appendonly=appendonly)
        )
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
