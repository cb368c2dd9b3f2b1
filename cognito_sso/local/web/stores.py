"""What the browser-facing endpoints remember between requests, in memory.

- `CodeStore`: authorization codes; single use, 5 minutes, bound to client, redirect URI,
  PKCE and nonce.
- `SsoSessions`: the hosted UI's single sign-on session, a 1-hour cookie (``cognito``) on
  the IdP's own host naming a server-side record of who signed in to which pool and when.
  While the entry lives, ``/oauth2/authorize`` for any app client of that pool answers with
  a code without showing a form. ``/logout`` removes the pool's entry; a global sign-out
  does not (that is real Cognito behaviour, reference section 4).
- `LoginTransactions`: a sign-in in progress (between the password form and the tokens).
  When the password step answers with a challenge (new password, TOTP set-up or TOTP
  code), the challenge session is kept here under a random id that the next form carries
  in its ``txn`` field. A transaction belongs to the browser that started it (the CSRF
  cookie value) and lives at most 15 minutes ([U]: Cognito's AuthSessionValidity maximum).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, Generic, TypeVar

CODE_TTL_SECONDS: Final = 300
SESSION_COOKIE: Final = "cognito"
SESSION_SECONDS: Final = 3600
TRANSACTION_SECONDS: Final = 15 * 60
MAX_TRANSACTIONS: Final = 10_000

Record = TypeVar("Record")


def same_browser(started_by: str, browser_id: str | None) -> bool:
    """Whether a transaction started by ``started_by`` (a CSRF cookie value) is this
    browser's (compared in constant time)."""
    return browser_id is not None and hmac.compare_digest(started_by, browser_id)


class _ExpiringStore(Generic[Record]):
    """A thread-safe map of random id -> record that drops records once they expire."""

    def __init__(self, clock: Callable[[], float], expiry: Callable[[Record], float]) -> None:
        self._clock = clock
        self._expiry = expiry
        self._lock = threading.Lock()
        self._items: dict[str, Record] = {}

    def _prune(self, now: float) -> None:
        """Drop expired records (callers hold ``self._lock``)."""
        for key in [k for k, record in self._items.items() if self._expiry(record) <= now]:
            del self._items[key]

    def _live(self, key: str, *, take: bool = False) -> Record | None:
        """The record under ``key`` while it lives (``take``: removed from the store either
        way, so it works once)."""
        with self._lock:
            record = self._items.pop(key, None) if take else self._items.get(key)
        if record is None or self._expiry(record) <= self._clock():
            return None
        return record

    def _replace(self, key: str, record: Record) -> Record | None:
        """Replace the record under ``key``; None when it is gone (a concurrent request
        finished it, or it expired or was dropped): it stays gone."""
        with self._lock:
            if key not in self._items:
                return None
            self._items[key] = record
        return record

    def _add_bounded(self, key: str, record: Record, now: float) -> None:
        """Store `record`, keeping at most `MAX_TRANSACTIONS` (the oldest go first)."""
        with self._lock:
            self._prune(now)
            if len(self._items) >= MAX_TRANSACTIONS:
                oldest = min(self._items, key=lambda k: self._expiry(self._items[k]))
                del self._items[oldest]
            self._items[key] = record


# --- authorization codes -----------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationCode:
    """What a code stands for; everything the token endpoint must check and mint from."""

    pool_id: str
    client_id: str
    redirect_uri: str
    sub: str
    scopes: tuple[str, ...]
    auth_time: int
    nonce: str | None
    code_challenge: str | None
    expires_at: float


class CodeStore(_ExpiringStore[AuthorizationCode]):
    """Outstanding authorization codes."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock, lambda record: record.expires_at)

    def issue(
        self,
        *,
        pool_id: str,
        client_id: str,
        redirect_uri: str,
        sub: str,
        scopes: tuple[str, ...],
        auth_time: int,
        nonce: str | None,
        code_challenge: str | None,
    ) -> str:
        """Create a new code (UUID-shaped, as Cognito's) and return it."""
        code = str(uuid.uuid4())
        now = self._clock()
        record = AuthorizationCode(
            pool_id=pool_id,
            client_id=client_id,
            redirect_uri=redirect_uri,
            sub=sub,
            scopes=scopes,
            auth_time=auth_time,
            nonce=nonce,
            code_challenge=code_challenge,
            expires_at=now + CODE_TTL_SECONDS,
        )
        with self._lock:
            self._prune(now)
            self._items[code] = record
        return code

    def redeem(self, code: str) -> AuthorizationCode | None:
        """Take ``code`` out of the store: a code works once, even when the exchange fails."""
        return self._live(code, take=True)


# --- single sign-on sessions ------------------------------------------------------------


@dataclass(frozen=True)
class SsoLogin:
    """A user's sign-in to one pool, remembered by the browser cookie."""

    pool_id: str
    sub: str
    auth_time: int
    expires_at: float


class SsoSessions(_ExpiringStore[dict[str, SsoLogin]]):
    """Cookie value -> {pool id: SsoLogin}; a record lives while one of its pools does."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__(
            clock, lambda entries: max((x.expires_at for x in entries.values()), default=0.0)
        )

    def login(self, sid: str | None, pool_id: str, sub: str) -> tuple[str, SsoLogin]:
        """Record a fresh sign-in; returns the NEW cookie value (rotated at every sign-in)."""
        now = self._clock()
        login = SsoLogin(pool_id, sub, int(now), now + SESSION_SECONDS)
        new_sid = secrets.token_urlsafe(32)
        with self._lock:
            self._prune(now)
            entries = self._items.pop(sid, {}) if sid else {}
            entries[pool_id] = login
            self._items[new_sid] = entries
        return new_sid, login

    def current(self, sid: str | None, pool_id: str) -> SsoLogin | None:
        """The live sign-in to ``pool_id`` for this cookie value, if any."""
        if not sid:
            return None
        with self._lock:
            login = self._items.get(sid, {}).get(pool_id)
        if login is None or login.expires_at <= self._clock():
            return None
        return login

    def logout(self, sid: str | None, pool_id: str) -> bool:
        """Forget the pool's sign-in; returns True when the cookie has nothing left."""
        if not sid:
            return True
        with self._lock:
            entries = self._items.get(sid)
            if entries is None:
                return True
            entries.pop(pool_id, None)
            if entries:
                return False
            del self._items[sid]
            return True

    def seconds_left(self, sid: str) -> int:
        """Seconds until the last pool entry of this cookie expires (for the cookie Max-Age)."""
        now = self._clock()
        with self._lock:
            entries = self._items.get(sid, {})
            latest = max((login.expires_at for login in entries.values()), default=now)
        return max(0, int(latest - now))


# --- sign-in transactions ---------------------------------------------------------------


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


class LoginTransactions(_ExpiringStore[LoginTransaction]):
    """Pending sign-ins of the hosted UI (at most `MAX_TRANSACTIONS`, oldest dropped first)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock, lambda txn: txn.expires_at)

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
        self._add_bounded(txn.id, txn, now)
        return txn

    def get(self, txn_id: str | None, browser_id: str | None) -> LoginTransaction | None:
        """The live transaction ``txn_id`` of this browser, or ``None``."""
        if not txn_id or not browser_id or len(txn_id) > 64:
            return None
        txn = self._live(txn_id)
        return txn if txn is not None and same_browser(txn.browser_id, browser_id) else None

    def advance(
        self,
        txn: LoginTransaction,
        *,
        challenge: str,
        session: str,
        missing_attributes: tuple[str, ...] = (),
    ) -> LoginTransaction | None:
        """Move a transaction on to its next challenge; None when it is no longer pending."""
        updated = replace(
            txn,
            challenge=challenge,
            session=session,
            missing_attributes=missing_attributes,
            mfa_secret=None,
        )
        return self._replace(txn.id, updated)

    def remember_secret(self, txn: LoginTransaction, secret: str) -> LoginTransaction | None:
        """Keep the TOTP secret shown on the set-up page (shown again on a wrong code); None
        when the transaction is no longer pending."""
        return self._replace(txn.id, replace(txn, mfa_secret=secret))

    def finish(self, txn: LoginTransaction) -> None:
        """Forget a completed or abandoned transaction."""
        with self._lock:
            self._items.pop(txn.id, None)
