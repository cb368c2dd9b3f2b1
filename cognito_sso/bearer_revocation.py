"""Revoked bearer tokens (``COGNITO_BEARER_REVOCATION_CHECK_INTERVAL``): policy, cache, decision.

A revoked or globally-signed-out access token still verifies (signature and ``exp``) until it
expires; only Cognito knows. With the check on, a bearer route asks Cognito (``GetUser`` with
the token) at most once per interval per token and keeps the answer:

- a positive answer younger than the interval: the token passes, no call is made (so an IdP
  outage shorter than the rest of the interval goes unnoticed);
- an older one, or none: one request asks (the others asking for the same token wait for its
  answer); "revoked" (``NotAuthorizedException``, ``UserNotFoundException``) is kept for the
  token's remaining lifetime and refuses it (401); when the IdP cannot answer (unreachable,
  timeout, 5xx, throttled, an unexpected answer) the request gets 503, and so does every
  request for that token in the next few seconds (``retry_after``) without asking again.

:class:`RevocationCache` is the policy and the cache, with no I/O: process-local, bounded
(the oldest answers go first), keyed by the token's SHA-256 (never the token), thread-safe.
:class:`BearerRevocationCheck` adds the blocking ``GetUser`` with a single flight per token;
:class:`cognito_sso.aio.bearer_revocation.AsyncBearerRevocationCheck` is its async twin.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol

from cognito_sso.config_keys import ADMIN_SCOPE
from cognito_sso.errors import ConfigurationError
from cognito_sso.oidc import IdPUnavailableError, OIDCError, TokenRevokedError

__all__ = [
    "REVOKED_DESCRIPTION",
    "BearerRevocationCheck",
    "RevocationCache",
    "Verdict",
    "required_scopes",
    "route_interval",
    "token_key",
]

log = logging.getLogger(__name__)

REVOKED_DESCRIPTION: Final = "The access token has been revoked"
"""The ``error_description`` of the 401 for a token the IdP no longer accepts."""

DEFAULT_CAPACITY: Final = 10_000
DEFAULT_RETRY_AFTER: Final = 5.0
_MAX_ROUNDS: Final = 3  # waits for another request's answer before giving up with a 503


class Verdict(enum.Enum):
    """What the cache says about one token."""

    ACCEPT = "accept"  # a positive answer younger than the interval
    REFUSE = "refuse"  # the IdP said the token is revoked
    ASK = "ask"  # no usable answer: ask the IdP
    UNAVAILABLE = "unavailable"  # asking failed moments ago: 503 without asking again


@dataclass(frozen=True)
class _Answer:
    active: bool
    asked_at: float  # monotonic clock
    expires_at: float  # the token's ``exp`` (wall clock): a refusal is kept until then
    failed_at: float | None = None  # the last ask that got no answer (monotonic)


def token_key(token: str) -> str:
    """The cache key of a token: its SHA-256, hex (the token itself is never kept)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def route_interval(value: object) -> float | None:
    """A route's ``revocation_check_interval``: None (the configured one), 0 (off) or seconds."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigurationError(
            "revocation_check_interval must be a number of seconds (0 = off, None = "
            "COGNITO_BEARER_REVOCATION_CHECK_INTERVAL)"
        )
    return float(value)


def required_scopes(scopes: Sequence[str], interval: float) -> Sequence[str]:
    """A route's required scopes, plus the one ``GetUser`` needs when the check is on (a
    token without it cannot be checked: refused with 403 ``insufficient_scope``, never
    asked about)."""
    if interval > 0 and ADMIN_SCOPE not in scopes:
        return (*scopes, ADMIN_SCOPE)
    return scopes


class RevocationCache:
    """The policy and the answers (thread-safe, no I/O): :meth:`judge` a token, then
    :meth:`record` what asking the IdP gave."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        *,
        retry_after: float = DEFAULT_RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if capacity < 1:
            raise ValueError("the revocation cache needs room for at least one answer")
        self.capacity = capacity
        self.retry_after = retry_after
        self.clock = clock
        self.wall_clock = wall_clock
        self._answers: dict[str, _Answer] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def judge(self, key: str, interval: float) -> Verdict:
        """What to do with the token of ``key`` when answers are trusted ``interval`` s."""
        answer = self._answers.get(key)  # one atomic read; answers are immutable
        if answer is None:
            return Verdict.ASK
        if not answer.active:
            return Verdict.REFUSE
        now = self.clock()
        if now - answer.asked_at < interval:
            return Verdict.ACCEPT
        if answer.failed_at is not None and now - answer.failed_at < self._retry_after(interval):
            return Verdict.UNAVAILABLE
        return Verdict.ASK

    def record(self, key: str, expires_at: float, error: OIDCError | None) -> Verdict:
        """Keep the outcome of asking the IdP (``error`` None: the token is still accepted)
        and return the verdict for the request that asked."""
        now = self.clock()
        with self._lock:
            if error is None:
                self._store(key, _Answer(True, now, expires_at))
                return Verdict.ACCEPT
            if isinstance(error, TokenRevokedError):
                log.info("bearer token %s refused: %s", key[:12], error)
                self._store(key, _Answer(False, now, expires_at))
                return Verdict.REFUSE
            log.warning("bearer token %s not checked for revocation: %s", key[:12], error)
            previous = self._answers.get(key)
            # a stale positive answer stays (it is not trusted, only kept); else a blank one
            kept = previous if previous is not None else _Answer(True, -math.inf, expires_at)
            self._store(key, replace(kept, failed_at=now))
            return Verdict.UNAVAILABLE

    def _retry_after(self, interval: float) -> float:
        return min(self.retry_after, interval)

    def _store(self, key: str, answer: _Answer) -> None:
        self._answers.pop(key, None)  # re-inserted last: the oldest answers go first
        self._answers[key] = answer
        if len(self._answers) > self.capacity:
            self._evict()

    def _evict(self) -> None:
        """Drop refusals of expired tokens (the verifier refuses those anyway), then the
        oldest answers, down to 90% of the capacity (one scan per many insertions)."""
        wall = self.wall_clock()
        for key in [k for k, a in self._answers.items() if not a.active and a.expires_at < wall]:
            del self._answers[key]
        target = self.capacity - self.capacity // 10
        while len(self._answers) > target:
            del self._answers[next(iter(self._answers))]


def enforce(verdict: Verdict) -> None:
    """Raise for a verdict that does not let the token pass."""
    if verdict is Verdict.REFUSE:
        raise TokenRevokedError(REVOKED_DESCRIPTION)
    if verdict is not Verdict.ACCEPT:
        raise IdPUnavailableError("the IdP could not tell whether the bearer token is revoked")


def expiry_of(claims: Mapping[str, Any]) -> float:
    """The verified token's ``exp`` (how long a refusal is kept)."""
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else 0.0


class _GetUser(Protocol):
    def get_user(self, access_token: str) -> dict[str, Any]: ...


class BearerRevocationCheck:
    """The check with blocking I/O (Flask): ``oidc.get_user`` at most once per interval per
    token; concurrent requests for one token wait for a single call (``wait_timeout`` s at
    most, then 503)."""

    def __init__(
        self, oidc: _GetUser, cache: RevocationCache | None = None, *, wait_timeout: float = 15.0
    ) -> None:
        self.oidc = oidc
        self.cache = cache or RevocationCache()
        self.wait_timeout = wait_timeout
        self._flights: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def check(self, token: str, claims: Mapping[str, Any], interval: float) -> None:
        """Pass a verified token the IdP still accepts (trusting an answer ``interval`` s);
        :class:`TokenRevokedError` for a revoked one, :class:`IdPUnavailableError` when that
        cannot be known now. ``interval`` 0 passes every token (the check is off)."""
        if interval <= 0:
            return
        key = token_key(token)
        verdict = self.cache.judge(key, interval)
        for _ in range(_MAX_ROUNDS):
            if verdict is not Verdict.ASK:
                break
            verdict = self._ask_or_wait(key, token, claims, interval)
        enforce(verdict)

    def _ask_or_wait(
        self, key: str, token: str, claims: Mapping[str, Any], interval: float
    ) -> Verdict:
        with self._lock:  # judge again and elect one asker atomically
            verdict = self.cache.judge(key, interval)
            if verdict is not Verdict.ASK:
                return verdict
            flight = self._flights.get(key)
            leading = flight is None
            if flight is None:
                flight = self._flights[key] = threading.Event()
        if leading:
            return self._ask(key, token, claims, flight)
        if not flight.wait(self.wait_timeout):
            return Verdict.UNAVAILABLE
        return self.cache.judge(key, interval)

    def _ask(
        self, key: str, token: str, claims: Mapping[str, Any], flight: threading.Event
    ) -> Verdict:
        try:
            try:
                self.oidc.get_user(token)
            except OIDCError as exc:
                return self.cache.record(key, expiry_of(claims), exc)
            return self.cache.record(key, expiry_of(claims), None)
        finally:  # the answer is recorded before the waiters wake up
            with self._lock:
                del self._flights[key]
            flight.set()
