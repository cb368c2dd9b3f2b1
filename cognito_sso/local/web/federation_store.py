"""Federated sign-ins in flight: what the IdP sent to a provider and must check on return.

The ``state`` sent to the provider names the record; it is random, single use (taken out at
``/oauth2/idpresponse`` whatever happens next), bound to the browser that started it (the CSRF
cookie value) and lives at most 10 minutes ([U] Cognito's own limit is not documented).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cognito_sso.local.web.stores import _ExpiringStore, same_browser

FEDERATION_SECONDS: Final = 600


@dataclass(frozen=True)
class FederationTransaction:
    """One redirect to a provider: the app's authorize request and our PKCE/nonce."""

    state: str
    browser_id: str
    query: str  # the app's authorize parameters, url-encoded
    pool_id: str
    provider: str
    nonce: str
    code_verifier: str
    expires_at: float

    def __repr__(self) -> str:  # keep the verifier and state out of logs
        return f"FederationTransaction(pool_id={self.pool_id!r}, provider={self.provider!r})"


class FederationTransactions(_ExpiringStore[FederationTransaction]):
    """Outstanding redirects to identity providers."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock, lambda txn: txn.expires_at)

    def start(
        self, *, browser_id: str, query: str, pool_id: str, provider: str
    ) -> FederationTransaction:
        """Open a transaction with a fresh state, nonce and PKCE verifier."""
        now = self._clock()
        txn = FederationTransaction(
            state=secrets.token_urlsafe(32),
            browser_id=browser_id,
            query=query,
            pool_id=pool_id,
            provider=provider,
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(48),
            expires_at=now + FEDERATION_SECONDS,
        )
        self._add_bounded(txn.state, txn, now)
        return txn

    def take(self, state: str | None, browser_id: str | None) -> FederationTransaction | None:
        """The live transaction for `state` started by this browser; it is used up either way."""
        if not state or len(state) > 128:
            return None
        txn = self._live(state, take=True)
        return txn if txn is not None and same_browser(txn.browser_id, browser_id) else None
