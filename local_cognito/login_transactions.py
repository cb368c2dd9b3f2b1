"""A sign-in in progress in the hosted UI (between the password form and the tokens).

When the password step answers with a challenge (new password, TOTP set-up or TOTP code),
the challenge session is kept here, server side, under a random id that the next form
carries in its ``txn`` field. A transaction belongs to the browser that started it (the
CSRF cookie value) and lives at most 15 minutes ([U]: Cognito's AuthSessionValidity maximum).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

TRANSACTION_SECONDS: Final = 15 * 60
MAX_TRANSACTIONS: Final = 10_000


@dataclass(frozen=True)
class LoginTransaction:
    """The pending challenge and the authorize request it will complete."""

    id: str
    browser_id: str
    query: str  # the carried authorize parameters, url-encoded
    challenge: str  # NEW_PASSWORD_REQUIRED | MFA_SETUP | SOFTWARE_TOKEN_MFA
    session: str  # the Authenticator's challenge session
    username: str
    missing_attributes: tuple[str, ...]
    mfa_secret: str | None
    expires_at: float


class LoginTransactions:
    """Thread-safe in-memory store of pending sign-ins."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, LoginTransaction] = {}

    def start(
        self,
        *,
        browser_id: str,
        query: str,
        challenge: str,
        session: str,
        username: str,
        missing_attributes: tuple[str, ...] = (),
    ) -> LoginTransaction:
        """Open a transaction for a challenge."""
        now = self._clock()
        txn = LoginTransaction(
            id=secrets.token_urlsafe(24),
            browser_id=browser_id,
            query=query,
            challenge=challenge,
            session=session,
            username=username,
            missing_attributes=missing_attributes,
            mfa_secret=None,
            expires_at=now + TRANSACTION_SECONDS,
        )
        with self._lock:
            self._prune(now)
            if len(self._items) >= MAX_TRANSACTIONS:
                oldest = min(self._items.values(), key=lambda item: item.expires_at)
                del self._items[oldest.id]
            self._items[txn.id] = txn
        return txn

    def get(self, txn_id: str | None, browser_id: str | None) -> LoginTransaction | None:
        """The live transaction ``txn_id`` of this browser, or ``None``."""
        if not txn_id or not browser_id or len(txn_id) > 64:
            return None
        with self._lock:
            txn = self._items.get(txn_id)
        if txn is None or txn.expires_at <= self._clock():
            return None
        if not hmac.compare_digest(txn.browser_id, browser_id):
            return None
        return txn

    def advance(
        self,
        txn: LoginTransaction,
        *,
        challenge: str,
        session: str,
        missing_attributes: tuple[str, ...] = (),
    ) -> LoginTransaction:
        """Move a transaction on to its next challenge."""
        updated = replace(
            txn,
            challenge=challenge,
            session=session,
            missing_attributes=missing_attributes,
            mfa_secret=None,
        )
        with self._lock:
            self._items[txn.id] = updated
        return updated

    def remember_secret(self, txn: LoginTransaction, secret: str) -> LoginTransaction:
        """Keep the TOTP secret shown on the set-up page (shown again on a wrong code)."""
        updated = replace(txn, mfa_secret=secret)
        with self._lock:
            self._items[txn.id] = updated
        return updated

    def finish(self, txn: LoginTransaction) -> None:
        """Forget a completed or abandoned transaction."""
        with self._lock:
            self._items.pop(txn.id, None)

    def _prune(self, now: float) -> None:
        for txn_id in [k for k, v in self._items.items() if v.expires_at <= now]:
            del self._items[txn_id]
