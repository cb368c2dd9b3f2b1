"""Named locks shared by every process that uses one session store: the refresh lock and
the revocation-probe lock of :class:`~cognito_sso.session_service.SessionService`.

Separate from the store (as in oauth2-proxy, where session state, store and lock are three
interfaces): each backend provides both, over the same connection, and a service could take
its locks from elsewhere.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator

from cognito_sso.random_token import random_token
from cognito_sso.sessions.base import SessionStoreUnavailableError, positive_seconds, require_key

__all__ = ["StoreLocks", "lock_arguments", "poll_pauses"]

_log = logging.getLogger(__name__)

_LOCK_POLL_MIN = 0.005
_LOCK_POLL_MAX = 0.1


class StoreLocks(ABC):
    """Mutual exclusion across threads and processes sharing a store.

    Every method may raise :class:`SessionStoreUnavailableError` when the backend is down.
    """

    @abstractmethod
    def _try_acquire(self, key: str, token: str, ttl: float) -> bool:
        """Take the lock ``key`` for ``token`` if nobody holds it (or the holder's ttl ran out)."""

    @abstractmethod
    def _release(self, key: str, token: str) -> None:
        """Release the lock ``key`` only if ``token`` still holds it."""

    @contextlib.contextmanager
    def lock(self, key: str, *, ttl: float = 30, wait: float = 10) -> Iterator[bool]:
        """Waits up to ``wait`` seconds for the lock ``key`` and yields True if it was
        acquired, False if not.

        The lock is released on exit, and only by its holder; ``ttl`` bounds how long a
        crashed holder can block others (a holder that outlives ``ttl`` may lose the lock).
        """
        ttl, wait = lock_arguments(key, ttl, wait)
        token = random_token(16)
        acquired = self._acquire(key, token, ttl, wait)
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    self._release(key, token)
                except SessionStoreUnavailableError:
                    # Do not mask the caller's outcome; the ttl frees the lock eventually.
                    _log.warning("could not release a store lock; it expires after its ttl")

    def _acquire(self, key: str, token: str, ttl: float, wait: float) -> bool:
        if self._try_acquire(key, token, ttl):
            return True
        for pause in poll_pauses(wait):
            time.sleep(pause)
            if self._try_acquire(key, token, ttl):
                return True
        return False


def lock_arguments(key: str, ttl: float, wait: float) -> tuple[float, float]:
    """Check a lock's key, ``ttl`` and ``wait`` (ValueError / ConfigurationError)."""
    require_key(key)
    ttl = positive_seconds("ttl", ttl)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0:
        raise ValueError("wait must be a non-negative number of seconds")
    return ttl, float(wait)


def poll_pauses(wait: float) -> Iterator[float]:
    """How long to pause between attempts at a held lock, until ``wait`` seconds are up.

    Waiting is measured with the monotonic clock: the injectable clock only decides expiry,
    and a test clock that stands still must not make us wait forever. Jitter spreads out
    waiters that would otherwise retry in lock step."""
    deadline = time.monotonic() + wait
    pause = _LOCK_POLL_MIN
    while (remaining := deadline - time.monotonic()) > 0:
        yield min(remaining, pause * (0.5 + secrets.randbelow(1000) / 1000))
        pause = min(pause * 2, _LOCK_POLL_MAX)
