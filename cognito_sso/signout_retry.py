"""Sign-outs the IdP could not be told about, retried until it is back.

When the IdP is unreachable at sign-out, the local session is gone but GlobalSignOut (which
makes the other services notice) and the refresh-token revocation did not happen. They are
kept here, in this process's memory only (tokens are never written anywhere), and retried by
one background thread every ``interval`` seconds. GlobalSignOut is retried while the access
token is valid; the revocation while the refresh token may still work (``keep_for``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cognito_sso.errors import CognitoSSOError
from cognito_sso.oidc import IdPUnavailableError, OIDCClient, TokenRevokedError

__all__ = ["PendingSignOut", "SignOutRetries"]

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


class SignOutRetries:
    """A queue of pending remote sign-outs and the thread that retries them."""

    def __init__(
        self,
        oidc: OIDCClient,
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
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
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
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="cognito-sso-signout-retry", daemon=True
                )
                self._thread.start()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        """Stop the thread (pending sign-outs are dropped)."""
        with self._lock:
            self._closed = True
            self._pending.clear()
        self._wake.set()

    def _run(self) -> None:
        while not self._wake.wait(self.interval):
            with self._lock:
                batch = list(self._pending)
            for pending in batch:
                self.retry(pending)
            with self._lock:
                self._pending = [p for p in self._pending if not p.done]
                if not self._pending:
                    self._thread = None
                    return

    def retry(self, pending: PendingSignOut) -> None:
        """One attempt at each step still to do; an outage leaves it for the next round."""
        now = self._clock()
        if now >= pending.access_exp:
            pending.access_token = None  # GlobalSignOut needs a valid access token
        if now >= pending.give_up_at:
            pending.refresh_token = None
            log.warning("gave up revoking a refresh token after the IdP stayed unreachable")
        try:
            if pending.access_token is not None:
                _quietly(self.oidc.global_sign_out, pending.access_token)
                pending.access_token = None
                log.info("delayed global sign-out done: other services will notice")
            if pending.refresh_token is not None:
                _quietly(self.oidc.revoke, pending.refresh_token)
                pending.refresh_token = None
        except IdPUnavailableError:
            return


def _quietly(step: Callable[[str], None], token: str) -> None:
    """Run a remote step; only an outage propagates (a refusal means nothing is left to do)."""
    try:
        step(token)
    except IdPUnavailableError:
        raise
    except TokenRevokedError:
        pass
    except CognitoSSOError as exc:
        log.warning("delayed sign-out step refused: %s", exc)
