"""Server-side session storage: the cookie carries only a random id, the rest lives here.

Use :func:`open_store` to get a :class:`SessionStore` from a location string
(``sqlite:///path.db``, a file path, or ``redis://...``).
"""

from __future__ import annotations

from cognito_sso.sessions.base import (
    Session,
    SessionStore,
    SessionStoreUnavailableError,
    is_valid_session_id,
)
from cognito_sso.sessions.factory import open_store
from cognito_sso.sessions.redis import RedisSessionStore
from cognito_sso.sessions.sqlite import SQLiteSessionStore

__all__ = [
    "RedisSessionStore",
    "SQLiteSessionStore",
    "Session",
    "SessionStore",
    "SessionStoreUnavailableError",
    "is_valid_session_id",
    "open_store",
]
