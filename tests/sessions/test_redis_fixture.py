"""The redis-server fixture: skip locally, fail under CI when the binary is missing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.plugins import redis_server


def test_missing_binary_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_server, "REDIS_SERVER", "/nonexistent/redis-server")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        redis_server.require_redis_server()


def test_missing_binary_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_server, "REDIS_SERVER", "/nonexistent/redis-server")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="redis-server is not installed"):
        redis_server.require_redis_server()


@pytest.mark.redis
def test_private_servers_restart_on_the_same_port(
    redis_server_factory: Callable[..., redis_server.RedisServer],
) -> None:
    server = redis_server_factory()
    port = server.port
    server.restart()
    assert server.port == port and server.running
    server.stop()
    assert not server.running
