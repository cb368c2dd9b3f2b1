"""Server-side sessions: the cookie carries only a random id, the rest lives in a store.

:class:`Session` is the typed record of a signed-in session (stored as versioned JSON);
a :class:`SessionStore` keeps payload bytes under random ids, and its :class:`StoreLocks`
(``store.locks``) serialise refreshes across processes. Use :func:`open_store` to get a
store from a location string (``sqlite:///path.db``, a file path, or ``redis://...``).
"""

from __future__ import annotations

from cognito_sso.sessions.base import (
    SessionStore,
    SessionStoreUnavailableError,
    StoredSession,
    is_valid_session_id,
)
from cognito_sso.sessions.factory import open_store
from cognito_sso.sessions.locks import StoreLocks
from cognito_sso.sessions.record import SESSION_FORMAT, Session, SessionTokens
from cognito_sso.sessions.redis import RedisSessionStore
from cognito_sso.sessions.sqlite import SQLiteSessionStore

__all__ = [
    "SESSION_FORMAT",
    "RedisSessionStore",
    "SQLiteSessionStore",
    "Session",
    "SessionStore",
    "SessionStoreUnavailableError",
    "SessionTokens",
    "StoreLocks",
    "StoredSession",
    "is_valid_session_id",
    "open_store",
]
