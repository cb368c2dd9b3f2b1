"""The hosted UI's single sign-on session: a 1-hour cookie on the IdP's own host.

One browser cookie (``cognito``) names a server-side record holding, per user pool, who
signed in and when. While the entry lives, ``/oauth2/authorize`` for any app client of that
pool answers with a code without showing a form. ``/logout`` removes the pool's entry; a
global sign-out does not (that is real Cognito behaviour, reference section 4).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

SESSION_COOKIE: Final = "cognito"
SESSION_SECONDS: Final = 3600


@dataclass(frozen=True)
class SsoLogin:
    """A user's sign-in to one pool, remembered by the browser cookie."""

    pool_id: str
    sub: str
    auth_time: int
    expires_at: float


class SsoSessions:
    """Thread-safe map of cookie value -> {pool id: SsoLogin}."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, dict[str, SsoLogin]] = {}

    def login(self, sid: str | None, pool_id: str, sub: str) -> tuple[str, SsoLogin]:
        """Record a fresh sign-in; returns the NEW cookie value (rotated at every sign-in)."""
        now = self._clock()
        login = SsoLogin(pool_id, sub, int(now), now + SESSION_SECONDS)
        new_sid = secrets.token_urlsafe(32)
        with self._lock:
            self._prune(now)
            entries = self._sessions.pop(sid, {}) if sid else {}
            entries[pool_id] = login
            self._sessions[new_sid] = entries
        return new_sid, login

    def current(self, sid: str | None, pool_id: str) -> SsoLogin | None:
        """The live sign-in to ``pool_id`` for this cookie value, if any."""
        if not sid:
            return None
        with self._lock:
            login = self._sessions.get(sid, {}).get(pool_id)
        if login is None or login.expires_at <= self._clock():
            return None
        return login

    def logout(self, sid: str | None, pool_id: str) -> bool:
        """Forget the pool's sign-in; returns True when the cookie has nothing left."""
        if not sid:
            return True
        with self._lock:
            entries = self._sessions.get(sid)
            if entries is None:
                return True
            entries.pop(pool_id, None)
            if entries:
                return False
            del self._sessions[sid]
            return True

    def seconds_left(self, sid: str) -> int:
        """Seconds until the last pool entry of this cookie expires (for the cookie Max-Age)."""
        now = self._clock()
        with self._lock:
            entries = self._sessions.get(sid, {})
            latest = max((login.expires_at for login in entries.values()), default=now)
        return max(0, int(latest - now))

    def _prune(self, now: float) -> None:
        for sid in [
            s for s, e in self._sessions.items() if all(x.expires_at <= now for x in e.values())
        ]:
            del self._sessions[sid]
