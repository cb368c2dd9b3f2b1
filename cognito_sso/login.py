"""The sign-in transaction of the authorization-code flow, framework-free.

:meth:`LoginFlow.begin` makes a fresh state, nonce and PKCE pair per attempt and stores them
server-side under the state, bound to the browser by a hash of a random per-browser value
(so several tabs can sign in at once). :meth:`LoginFlow.complete` consumes the transaction
exactly once, exchanges the code and verifies both tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from cognito_sso.errors import CognitoSSOError, InvalidTokenError, KeysUnavailableError
from cognito_sso.json_records import RecordError
from cognito_sso.login_transaction import LoginTransaction
from cognito_sso.oidc import (
    DiscoveryError,
    IdPUnavailableError,
    OIDCClient,
    OIDCError,
    TokenResponseError,
    new_pkce_pair,
)
from cognito_sso.random_token import random_token
from cognito_sso.redirects import safe_next_path
from cognito_sso.session_service import TokenVerifierLike, verify_token_pair
from cognito_sso.sessions.record import Session

if TYPE_CHECKING:
    from cognito_sso.sessions.base import SessionStore

__all__ = ["LoginError", "LoginFlow", "LoginResult"]

log = logging.getLogger(__name__)

_STATE: Final = re.compile(r"[A-Za-z0-9_-]{16,128}")
_KEY_PREFIX: Final = "login:"

# OAuth error codes the hosted UI may send back (anything else is reported generically).
_KNOWN_IDP_ERRORS: Final = frozenset(
    {
        "access_denied",
        "invalid_request",
        "invalid_scope",
        "login_required",
        "server_error",
        "temporarily_unavailable",
        "unauthorized_client",
        "unsupported_response_type",
    }
)


class LoginError(CognitoSSOError):
    """The sign-in could not be completed; ``message`` is safe to show the user."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _idp_error(error: str, description: str | None, said: str | None) -> LoginError:
    """The error the hosted UI redirected back with, shown by its code only when the code is
    a known one. ``error_description`` is compared with the known codes; its text is shown
    only as ``said`` (see :func:`_idp_description`). Cognito reports a scope the client may
    not ask for either as ``error=invalid_scope`` or as
    ``error=invalid_request&error_description=invalid_scope``."""
    shown = error if error in _KNOWN_IDP_ERRORS else "unknown_error"
    if "invalid_scope" in (shown, (description or "").strip()):
        hint = " Check that COGNITO_SCOPES lists only scopes the app client allows."
    else:
        hint = " Please try again."
    log.info("the hosted UI redirected back with error %s", shown)
    return LoginError(
        f"The sign-in service reported an error ({shown}){said or ''}.{hint}", code="idp_error"
    )


@dataclass(frozen=True)
class LoginResult:
    """A completed sign-in: the new session and where to go next."""

    session: Session = field(repr=False)  # holds the tokens
    next_path: str


def binding_hash(binding: str) -> str:
    """What is stored instead of the browser-binding value itself."""
    return hashlib.sha256(binding.encode()).hexdigest()


class LoginFlow:
    """Starts and completes hosted-UI sign-ins for one app client."""

    def __init__(
        self,
        *,
        store: SessionStore,
        oidc: OIDCClient,
        verifier: TokenVerifierLike,
        redirect_uri: str,
        scopes: Sequence[str],
        transaction_ttl: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.oidc = oidc
        self.verifier = verifier
        self.redirect_uri = redirect_uri
        self.scopes = tuple(scopes)
        self.transaction_ttl = transaction_ttl
        self._clock = clock

    def begin(
        self, *, binding: str, next_path: str | None, identity_provider: str | None = None
    ) -> str:
        """Store a new transaction and return the hosted UI URL to redirect the browser to
        (with ``identity_provider``, Cognito sends the browser straight to that provider)."""
        self.oidc.ensure_hosted_ui_reachable()
        state = random_token()
        nonce = random_token()
        pkce = new_pkce_pair()
        url = self.oidc.authorization_url(
            redirect_uri=self.redirect_uri,
            scopes=self.scopes,
            state=state,
            nonce=nonce,
            code_challenge=pkce.challenge,
            identity_provider=identity_provider,
        )
        transaction = LoginTransaction(
            state=state,
            nonce=nonce,
            code_verifier=pkce.verifier,
            binding_hash=binding_hash(binding),
            next_path=safe_next_path(next_path, "/"),
        )
        self.store.put_transient(
            _KEY_PREFIX + state, transaction.to_json(), ttl=self.transaction_ttl
        )
        return url

    def complete(self, params: Mapping[str, str], *, binding: str | None) -> LoginResult:
        """Finish the sign-in from the callback's query parameters.

        Raises :class:`LoginError` (4xx) for anything the browser or the IdP got wrong, and
        :class:`IdPUnavailableError` when the IdP cannot be reached.
        """
        state = params.get("state")
        # Consume first: a state is good for one callback, whatever happens next.
        transaction = self._pop_transaction(state)
        error = params.get("error")
        if error is not None:
            said = _idp_description(params) if _bound(transaction, binding) else None
            raise _idp_error(error, params.get("error_description"), said)
        if not state:
            raise LoginError("The sign-in response has no state parameter.", code="missing_state")
        if transaction is None:
            # unknown, expired, replayed, or not what begin() stored
            raise LoginError(
                "This sign-in attempt is unknown, expired or was already used. Please start again.",
                code="unknown_state",
            )
        if not _bound(transaction, binding):
            raise LoginError(
                "This sign-in attempt was started in another browser. Please start again.",
                code="wrong_browser",
            )
        code = params.get("code")
        if not code or len(code) > 2048:
            raise LoginError("The sign-in response has no authorization code.", code="no_code")
        try:
            tokens = self.oidc.exchange_code(
                code=code,
                redirect_uri=self.redirect_uri,
                code_verifier=transaction.code_verifier,
            )
        except (IdPUnavailableError, DiscoveryError):
            raise
        except TokenResponseError as exc:
            log.warning("code exchange: %s", exc)
            raise LoginError(
                "The sign-in service sent an answer this service cannot use. Please try again.",
                code="invalid_token_response",
            ) from None
        except OIDCError as exc:
            log.warning("code exchange refused: %s", exc)
            raise LoginError(
                "The sign-in could not be completed (the code was refused). Please try again.",
                code="exchange_failed",
            ) from None
        if tokens.id_token is None:
            raise LoginError(
                "The sign-in service sent no ID token (is the openid scope allowed?).",
                code="no_id_token",
            )
        try:
            id_claims, access_claims = verify_token_pair(
                self.verifier, tokens.id_token, tokens.access_token, nonce=transaction.nonce
            )
            session = Session.from_tokens(tokens, id_claims, access_claims, now=self._clock())
        except KeysUnavailableError as exc:
            raise IdPUnavailableError("signing keys unavailable") from exc
        except InvalidTokenError as exc:
            log.warning("sign-in tokens rejected: %s: %s", type(exc).__name__, exc)
            raise LoginError(
                "The sign-in service sent tokens that failed verification.",
                code="invalid_token",
            ) from None
        _assert_storable(session)
        return LoginResult(session=session, next_path=safe_next_path(transaction.next_path))

    def _pop_transaction(self, state: str | None) -> LoginTransaction | None:
        """Consume the transaction stored under ``state``; None when there is none (or it
        is unreadable, or was stored under another state)."""
        if not state or not _STATE.fullmatch(state):
            return None
        raw = self.store.pop_transient(_KEY_PREFIX + state)
        if raw is None:
            return None
        try:
            transaction = LoginTransaction.from_json(raw)
        except RecordError as exc:
            log.warning("discarding an unreadable login transaction: %s", exc)
            return None
        return transaction if _same(transaction.state, state) else None


def _assert_storable(session: Session) -> None:
    """Refuse here, as a sign-in error, a session the store could not take (its claims do not
    encode as a record): the verifier's JSON rules make that unreachable for verified claims,
    but a failure to store at the callback would otherwise be a 500."""
    try:
        session.to_json()
    except RecordError as exc:
        log.warning("sign-in tokens not storable: %s", exc)
        raise LoginError(
            "The sign-in service sent tokens this service cannot store.", code="invalid_token"
        ) from None


def _same(stored: str, given: str) -> bool:
    """Constant-time comparison of a stored value (any text: the store is input too)."""
    return hmac.compare_digest(stored.encode(), given.encode())


def _bound(transaction: LoginTransaction | None, binding: str | None) -> bool:
    """Whether a transaction exists and was started by this browser."""
    return (
        transaction is not None
        and binding is not None
        and _same(transaction.binding_hash, binding_hash(binding))
    )


def _idp_description(params: Mapping[str, str]) -> str | None:
    """``: <error_description>`` for the error page, when the IdP sent a printable one (e.g.
    a federated provider's error, which Cognito forwards). Shown only for a sign-in this
    browser started, so nobody can put words on the page with a crafted link."""
    text = params.get("error_description")
    if not text or len(text) > 300 or not text.isprintable():
        return None
    return f": {text.strip().rstrip('.')}"
