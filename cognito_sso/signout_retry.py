"""Sign-outs the IdP could not be told about, retried until it is back.

When the IdP is unreachable at sign-out, the local session is gone but GlobalSignOut (which
makes the other services notice) and the refresh-token revocation did not happen. They are
kept here, in this process's memory only (tokens are never written anywhere), and retried by
one background thread (:class:`SignOutRetries`) or one asyncio task
(:class:`cognito_sso.aio.signout_retry.AsyncSignOutRetries`, never blocking the loop) every
``interval`` seconds. GlobalSignOut is retried while the access token is valid; the
revocation while the refresh token may still work (``keep_for``). What is due and how an
answer is read live here, once, for both.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from cognito_sso.errors import CognitoSSOError
from cognito_sso.oidc import IdPUnavailableError, OIDCClient, TokenRevokedError

if TYPE_CHECKING:
    from cognito_sso.sessions.record import Session

__all__ = ["PendingSignOut", "SignOutQueue", "SignOutRetries", "Step"]

log = logging.getLogger(__name__)


@dataclass
class PendingSignOut:
    """The remote steps of one sign-out still to do (tokens hidden from ``repr``)."""

    access_token: str | None = field(repr=False)  # None: GlobalSignOut done or impossible
    access_exp: float
    refresh_token: str | None = field(repr=False)  # None: revoked or nothing to revoke
    give_up_at: float

    @property
    def done(self) -> bool:
        """Nothing left to try."""
        return self.access_token is None and self.refresh_token is None


Step = Literal["global_sign_out", "revoke"]


C = TypeVar("C")


class SignOutQueue(Generic[C]):
    """The pending remote sign-outs, and what is due for each; ``oidc`` (sync or async) is
    the runner's (no I/O here: see the runners)."""

    def __init__(
        self,
        oidc: C,
        *,
        interval: float = 5.0,
        keep_for: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.oidc = oidc
        self.interval = interval
        self.keep_for = keep_for
        self._clock = clock
        self._pending: list[PendingSignOut] = []
        self._lock = threading.Lock()
        self._closed = False

    def add(
        self, *, access_token: str | None, access_exp: float, refresh_token: str | None
    ) -> None:
        """Queue the remote steps of a sign-out (``access_token`` None: no GlobalSignOut)."""
        pending = PendingSignOut(
            access_token, access_exp, refresh_token, self._clock() + self.keep_for
        )
        with self._lock:
            if self._closed or pending.done:
                return
            self._pending.append(pending)
            self._start()

    def add_session(self, session: Session) -> None:
        """Queue the remote steps of ending ``session`` (GlobalSignOut only when its access
        token carries the scope for it)."""
        tokens = session.tokens
        self.add(
            access_token=tokens.access_token if session.may_sign_out_globally else None,
            access_exp=session.access_exp,
            refresh_token=tokens.refresh_token,
        )

    def _start(self) -> None:
        """Start the runner if it is not running (called with the lock held)."""
        raise NotImplementedError

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        """Stop retrying (pending sign-outs are dropped)."""
        with self._lock:
            self._closed = True
            self._pending.clear()

    def _batch(self) -> list[PendingSignOut]:
        with self._lock:
            return list(self._pending)

    def _prune_locked(self) -> bool:
        """Forget the finished sign-outs; False when none is left (the runner stops then).
        Called with the lock held."""
        self._pending = [p for p in self._pending if not p.done]
        return bool(self._pending)

    def due(self, pending: PendingSignOut) -> Iterator[tuple[Step, str]]:
        """The steps of ``pending`` to try now, in order; each is marked done when the caller
        comes back for the next one (an outage: the caller stops iterating)."""
        now = self._clock()
        if now >= pending.access_exp:
            pending.access_token = None  # GlobalSignOut needs a valid access token
        if now >= pending.give_up_at:
            pending.refresh_token = None
            log.warning("gave up revoking a refresh token after the IdP stayed unreachable")
        if pending.access_token is not None:
            yield "global_sign_out", pending.access_token
            pending.access_token = None
            log.info("delayed global sign-out done: other services will notice")
        if pending.refresh_token is not None:
            yield "revoke", pending.refresh_token
            pending.refresh_token = None


class SignOutRetries(SignOutQueue[OIDCClient]):
    """The pending remote sign-outs and the thread that retries them."""

    _thread: threading.Thread | None = None
    _wake: threading.Event | None = None

    def _start(self) -> None:
        if self._thread is None:
            self._wake = self._wake or threading.Event()
            self._thread = threading.Thread(
                target=self._run, name="cognito-sso-signout-retry", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the thread (pending sign-outs are dropped)."""
        super().close()
        if self._wake is not None:
            self._wake.set()

    def _run(self) -> None:
        assert self._wake is not None
        while not self._wake.wait(self.interval):
            for pending in self._batch():
                self.retry(pending)
            with self._lock:
                if not self._prune_locked():
                    self._thread = None
                    return

    def retry(self, pending: PendingSignOut) -> None:
        """One attempt at each step still to do; an outage leaves it for the next round."""
        steps = {"global_sign_out": self.oidc.global_sign_out, "revoke": self.oidc.revoke}
        for step, token in self.due(pending):
            with refusal_ends_step() as outage:
                steps[step](token)
            if outage:
                return


@contextmanager
def refusal_ends_step() -> Iterator[list[IdPUnavailableError]]:
    """Around one remote step: an outage is caught and recorded in the yielded list (try
    again later); a refusal means nothing is left to do (logged unless already revoked)."""
    outage: list[IdPUnavailableError] = []
    try:
        yield outage
    except IdPUnavailableError as exc:
        outage.append(exc)
    except TokenRevokedError:
        pass
    except CognitoSSOError as exc:
        log.warning("delayed sign-out step refused: %s", exc)
