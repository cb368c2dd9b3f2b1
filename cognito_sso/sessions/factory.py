"""Pick and build a session store from one configuration string."""

from __future__ import annotations

import os
from typing import Any

from cognito_sso.errors import ConfigurationError
from cognito_sso.sessions.base import SessionStore

__all__ = ["is_redis_location", "open_store"]

_SQLITE_PREFIX = "sqlite://"
_REDIS_SCHEMES = ("redis://", "rediss://")


def is_redis_location(url_or_path: str | os.PathLike[str]) -> bool:
    """Whether a store location names Redis (``redis://`` or ``rediss://``)."""
    return os.fspath(url_or_path).lower().startswith(_REDIS_SCHEMES)


def open_store(
    url_or_path: str | os.PathLike[str],
    *,
    idle_timeout: float,
    absolute_timeout: float,
    **options: Any,
) -> SessionStore:
    """Open the session store named by ``url_or_path``.

    - ``"sqlite:///abs/path/sessions.db"`` or a plain file path: :class:`SQLiteSessionStore`;
    - ``"redis://[user:password@]host:port/db"`` or ``"rediss://..."``:
      :class:`RedisSessionStore` (needs the optional ``redis`` package).

    ``options`` are passed to the backend (``clock``, ``touch_interval``, ``cache_size``: the
    entries of the process-local session cache, 0 for none; SQLite: ``busy_timeout``,
    ``cleanup_interval``; Redis: ``key_prefix``, ``socket_timeout``).
    Raises :class:`ConfigurationError` for anything it cannot use.
    """
    target = os.fspath(url_or_path)
    if not isinstance(target, str) or not target.strip():
        raise ConfigurationError("the session store location is empty")
    lowered = target.lower()
    if is_redis_location(target):
        from cognito_sso.sessions.redis import RedisSessionStore

        return RedisSessionStore(
            target, idle_timeout=idle_timeout, absolute_timeout=absolute_timeout, **options
        )
    if lowered.startswith(_SQLITE_PREFIX):
        path = target[len(_SQLITE_PREFIX) :]
        if not path.startswith("/"):
            raise ConfigurationError(
                "a sqlite:// session store URL needs an absolute path: sqlite:///abs/path.db"
            )
    elif "://" in target:
        # Never echo the value: a URL may carry a password.
        raise ConfigurationError(
            "unsupported session store URL; use sqlite:///path, a file path, or redis://"
        )
    else:
        path = target
    from cognito_sso.sessions.sqlite import SQLiteSessionStore

    return SQLiteSessionStore(
        path, idle_timeout=idle_timeout, absolute_timeout=absolute_timeout, **options
    )
