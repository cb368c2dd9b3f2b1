"""open_store: choosing a backend from one configuration string, and validating options."""

from __future__ import annotations

from pathlib import Path

import pytest

from cognito_sso.errors import ConfigurationError
from cognito_sso.sessions import RedisSessionStore, SQLiteSessionStore, open_store


def test_sqlite_url(tmp_path: Path) -> None:
    store = open_store(f"sqlite://{tmp_path}/s.db", idle_timeout=10, absolute_timeout=20)
    assert isinstance(store, SQLiteSessionStore) and store.path == tmp_path / "s.db"
    store.close()


def test_plain_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(tmp_path / "a.db", idle_timeout=10, absolute_timeout=20)
    assert isinstance(store, SQLiteSessionStore)
    store.close()
    monkeypatch.chdir(tmp_path)
    store = open_store("relative/b.db", idle_timeout=10, absolute_timeout=20)
    assert isinstance(store, SQLiteSessionStore)
    assert (tmp_path / "relative" / "b.db").exists()
    store.close()


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0", "REDIS://127.0.0.1:1", "rediss://h:1"])
def test_redis_urls(url: str) -> None:
    store = open_store(url, idle_timeout=10, absolute_timeout=20)
    assert isinstance(store, RedisSessionStore)
    store.close()


@pytest.mark.parametrize(
    "location",
    ["", "   ", "sqlite://relative.db", "postgres://user:hunter2@db/sessions", "memcached://x"],
)
def test_unsupported_locations(location: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        open_store(location, idle_timeout=10, absolute_timeout=20)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("idle", "absolute", "extra"),
    [
        (0, 20, {}),
        (-1, 20, {}),
        (float("nan"), 20, {}),
        (float("inf"), 20, {}),
        ("10", 20, {}),
        (True, 20, {}),
        (10, 0, {}),
        (10, 20, {"touch_interval": 10}),
        (10, 20, {"touch_interval": -1}),
        (10, 20, {"busy_timeout": 0}),
    ],
)
def test_bad_options(
    tmp_path: Path, idle: object, absolute: object, extra: dict[str, object]
) -> None:
    with pytest.raises(ConfigurationError):
        open_store(tmp_path / "s.db", idle_timeout=idle, absolute_timeout=absolute, **extra)  # type: ignore[arg-type]


def test_bad_redis_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        open_store("redis://h:notaport/0", idle_timeout=10, absolute_timeout=20)
