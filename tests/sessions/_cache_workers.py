"""Process A of the cache tests: changes a session the parent (process B) has cached.

Spawned, so it lives in an importable module; it opens its own store on the same backend.
"""

from __future__ import annotations

from typing import Any

from cognito_sso.sessions import open_store


def change_session(location: str, options: dict[str, Any], session_id: str, action: str) -> None:
    """``delete`` the session (sign-out) or replace its payload with ``action`` bytes."""
    store = open_store(location, idle_timeout=600, absolute_timeout=3600, **options)
    try:
        if action == "delete":
            store.delete(session_id)
        else:
            assert store.update(session_id, lambda _old: action.encode()) is not None
    finally:
        store.close()
