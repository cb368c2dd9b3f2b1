"""Token service: per-pool signing keys, JWKS, minting, refresh, revocation, sign-out.

Claims follow Cognito's shapes (reference section 3). Sessions are keyed by `origin_jti`:
every token refreshed from one refresh token shares it, so revoking a refresh token kills
its whole family, and a global sign-out kills every session of the user (reference section 4).
Revoked JWTs still verify cryptographically; only `check_access_token` (GetUser, userInfo)
and `refresh` reject them, exactly like Cognito.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from cognito_sso.local.errors import CognitoError, OAuthError, not_authorized
from cognito_sso.local.model import Client, Pool, TokenSet, User
from cognito_sso.local.tokens.claims import (
    Stamp,
    access_token_claims,
    id_token_claims,
    opaque_refresh_token,
)
from cognito_sso.local.tokens.issuer import ORIGINAL, issuer_url, pool_id_in
from cognito_sso.local.tokens.keys import KeyStore
from cognito_sso.token_hashes import at_hash

REVOKED_ACCESS = "Access Token has been revoked"
EXPIRED_ACCESS = "Access Token has expired"
INVALID_ACCESS = "Invalid Access Token"
REVOKED_REFRESH = "Refresh Token has been revoked"
INVALID_REFRESH = "Invalid Refresh Token"
EXPIRED_REFRESH = "Refresh Token has expired"
REUSED_REFRESH = "Refresh Token has been rotated and can no longer be used"  # [U] wording

UserLoader = Callable[[str, str], User | None]
"""(pool_id, sub) -> the user as stored now, or None when deleted."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Session:
    """One authentication and everything refreshed from it (keyed by `origin_jti`)."""

    origin_jti: str
    pool_id: str
    client_id: str
    sub: str
    scopes: tuple[str, ...]
    auth_time: int
    with_id_token: bool
    refresh_expires_at: float
    api_flow: bool = False
    revoked: bool = False
    refresh_digests: set[str] = field(default_factory=set)


class TokenService:
    """Mints and checks tokens for every pool of one local IdP."""

    def __init__(
        self,
        base_url: str,
        *,
        state_dir: str | Path | None = None,
        user_loader: UserLoader | None = None,
        pool_loader: Callable[[str], Pool] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_store = KeyStore(Path(state_dir) if state_dir is not None else None)
        self._user_loader = user_loader
        self._pool_loader = pool_loader  # None: every pool has the ORIGINAL issuer format
        self._clock = clock
        self._lock = threading.RLock()
        self._sessions: dict[str, Session] = {}
        self._refresh_index: dict[str, str] = {}  # sha256(refresh token) -> origin_jti
        self._access_index: dict[str, str] = {}  # sha256(access token) -> origin_jti
        # rotated-out refresh tokens: sha256 -> (origin_jti, usable until)
        self._retired: dict[str, tuple[str, float]] = {}
        # (pool_id, sub) -> time of the last global sign-out; judges tokens we no longer track
        self._signed_out: dict[tuple[str, str], float] = {}

    # ------------------------------------------------------------------ keys
    def jwks(self, pool_id: str) -> dict[str, Any]:
        """The pool's public JWKS document (two RS256 keys)."""
        return self.key_store.jwks(pool_id)

    def issuer(self, pool_id: str) -> str:
        """The `iss` of this pool's tokens (`cognito_sso.local.tokens.issuer`); raises
        `CognitoError` for a pool the pool loader does not know."""
        pool = self._pool_loader(pool_id) if self._pool_loader is not None else None
        return issuer_url(self.base_url, pool_id, pool.issuer_format if pool else ORIGINAL)

    def _sign(self, key: RSAKey, kid: str, claims: Mapping[str, Any]) -> str:
        payload = json.dumps(claims, separators=(",", ":")).encode()
        return jws.serialize_compact({"kid": kid, "alg": "RS256"}, payload, key)

    # ------------------------------------------------------------------ issuing
    def issue(
        self,
        *,
        pool: Pool,
        client: Client,
        user: User,
        scopes: Sequence[str],
        nonce: str | None = None,
        auth_time: int | None = None,
        with_refresh: bool = True,
        api_flow: bool = False,
    ) -> TokenSet:
        """Start a new session (new `origin_jti`) and mint its tokens.

        OAuth flows (``api_flow=False``) get an ID token only when ``openid`` was granted,
        with ``at_hash``; JSON API flows (InitiateAuth & co.) always get one, without
        ``at_hash`` (reference 3.1: at_hash comes from the authorization server).
        """
        now = int(self._clock())
        scopes = tuple(dict.fromkeys(scopes))
        session = Session(
            origin_jti=str(uuid.uuid4()),
            pool_id=pool.id,
            client_id=client.id,
            sub=user.sub,
            scopes=scopes,
            auth_time=auth_time if auth_time is not None else now,
            with_id_token=api_flow or "openid" in scopes,
            refresh_expires_at=now + client.refresh_token_seconds,
            api_flow=api_flow,
        )
        refresh_token = opaque_refresh_token() if with_refresh else None
        with self._lock:
            self._sessions[session.origin_jti] = session
            if refresh_token is not None:
                self._remember_refresh(session, refresh_token)
        return self._mint(pool.id, client, user, session, nonce=nonce, refresh_token=refresh_token)

    def issue_client_credentials(
        self, *, pool: Pool, client: Client, scopes: Sequence[str]
    ) -> TokenSet:
        """An access token for the client itself (`sub` = `client_id`); no ID or refresh token."""
        now = int(self._clock())
        keys = self.key_store.for_pool(pool.id)
        claims: dict[str, Any] = {
            "sub": client.id,
            "token_use": "access",
            "scope": " ".join(dict.fromkeys(scopes)),
            "auth_time": now,
            "iss": self.issuer(pool.id),
            "exp": now + client.access_token_seconds,
            "iat": now,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client.id,
        }
        token = self._sign(keys.access_key, keys.access_kid, claims)
        return TokenSet(
            access_token=token,
            id_token=None,
            refresh_token=None,
            expires_in=client.access_token_seconds,
        )

    def _mint(
        self,
        pool_id: str,
        client: Client,
        user: User,
        session: Session,
        *,
        nonce: str | None,
        refresh_token: str | None,
    ) -> TokenSet:
        now = int(self._clock())
        keys = self.key_store.for_pool(pool_id)
        stamp = Stamp(
            issuer=self.issuer(pool_id),
            now=now,
            auth_time=session.auth_time,
            origin_jti=session.origin_jti if client.enable_token_revocation else None,
            event_id=str(uuid.uuid4()),
        )
        access = access_token_claims(stamp, client, user, session.scopes)
        access_token = self._sign(keys.access_key, keys.access_kid, access)
        id_token = None
        if session.with_id_token:
            claims = id_token_claims(stamp, client, user, nonce)
            if not session.api_flow:
                claims["at_hash"] = at_hash(access_token)
            id_token = self._sign(keys.id_key, keys.id_kid, claims)

        with self._lock:
            self._access_index[_digest(access_token)] = session.origin_jti
        return TokenSet(
            access_token=access_token,
            id_token=id_token,
            refresh_token=refresh_token,
            expires_in=client.access_token_seconds,
        )

    def _remember_refresh(self, session: Session, refresh_token: str) -> None:
        digest = _digest(refresh_token)
        session.refresh_digests.add(digest)
        self._refresh_index[digest] = session.origin_jti

    # ------------------------------------------------------------------ refresh & revoke
    def session_for_refresh_token(self, refresh_token: str) -> Session | None:
        """The session a refresh token belongs to (None for unknown tokens)."""
        with self._lock:
            origin = self._refresh_index.get(_digest(refresh_token))
            session = self._sessions.get(origin) if origin else None
            return (
                replace(session, refresh_digests=set(session.refresh_digests)) if session else None
            )

    def refresh(self, *, client: Client, refresh_token: str, pool: Pool | None = None) -> TokenSet:
        """New ID/access tokens for a refresh token (and a new refresh token with rotation).

        `pool` is accepted for callers that have it at hand; the session knows its pool.
        Raises `OAuthError("invalid_grant", <Cognito API message>)`.
        """
        digest = _digest(refresh_token)
        with self._lock:
            origin = self._refresh_index.get(digest)
            retired = self._retired.get(digest)
            if origin is None and retired is not None:
                if self._clock() >= retired[1]:
                    raise OAuthError("invalid_grant", REUSED_REFRESH)
                origin = retired[0]  # still inside the rotation grace period
            session = self._sessions.get(origin) if origin else None
            if session is None or session.client_id != client.id:
                raise OAuthError("invalid_grant", INVALID_REFRESH)
            if session.revoked:
                raise OAuthError("invalid_grant", REVOKED_REFRESH)
            if self._clock() >= session.refresh_expires_at:
                raise OAuthError("invalid_grant", EXPIRED_REFRESH)
            user = self._load_user(session.pool_id, session.sub)
            if user is None or not user.enabled:
                # a deleted or disabled user's sessions are over
                raise OAuthError(
                    "invalid_grant", INVALID_REFRESH if user is None else "User is disabled."
                )
            new_refresh = None
            if client.refresh_token_rotation:
                # the old token keeps working only for the client's grace period
                if digest in session.refresh_digests:
                    session.refresh_digests.discard(digest)
                    self._refresh_index.pop(digest, None)
                    grace = client.refresh_token_grace_seconds
                    self._retired[digest] = (session.origin_jti, self._clock() + grace)
                new_refresh = opaque_refresh_token()
                self._remember_refresh(session, new_refresh)
        return self._mint(
            session.pool_id, client, user, session, nonce=None, refresh_token=new_refresh
        )

    def revoke(self, *, client: Client, refresh_token: str) -> None:
        """Revoke a refresh token and every token issued from it (unknown/garbage: no-op).

        Raises `OAuthError("unsupported_token_type")` for JWTs (ID/access tokens) and
        `OAuthError("invalid_request")` when the client has revocation disabled.
        """
        if not client.enable_token_revocation:
            raise OAuthError("invalid_request", "Token revocation is not enabled for this client")
        if refresh_token.count(".") == 2 and self._looks_like_jws(refresh_token):
            raise OAuthError("unsupported_token_type")
        digest = _digest(refresh_token)
        with self._lock:
            # a rotated-out token still names its family: revoking it ends the family too
            retired = self._retired.get(digest)
            origin = self._refresh_index.get(digest) or (retired[0] if retired else None)
            session = self._sessions.get(origin) if origin else None
            # [U] a token of another client is left alone (Cognito: "must use the same client")
            if session is not None and session.client_id == client.id:
                session.revoked = True

    @staticmethod
    def _looks_like_jws(token: str) -> bool:
        try:
            jws.extract_compact(token.encode())
        except (JoseError, ValueError, UnicodeError):
            return False
        return True

    def global_sign_out(self, pool_id: str, sub: str) -> None:
        """Revoke every session of the user, for every client of the pool."""
        with self._lock:
            self._signed_out[(pool_id, sub)] = self._clock()
            for session in self._sessions.values():
                if session.pool_id == pool_id and session.sub == sub:
                    session.revoked = True

    def _load_user(self, pool_id: str, sub: str) -> User | None:
        if self._user_loader is None:
            raise RuntimeError("TokenService needs a user_loader to refresh tokens")
        return self._user_loader(pool_id, sub)

    # ------------------------------------------------------------------ checking
    def check_access_token(self, token: str) -> Mapping[str, Any]:
        """Claims of a valid, unexpired, unrevoked access token of ours.

        Raises `CognitoError("NotAuthorizedException", ...)` with Cognito's messages.
        """
        claims = self._verified_claims(token, "access")
        if int(claims.get("exp", 0)) <= self._clock():
            raise not_authorized(EXPIRED_ACCESS)
        with self._lock:
            origin = self._access_index.get(_digest(token))
            session = self._sessions.get(origin) if origin else None
            if session is not None:
                if session.revoked:
                    raise not_authorized(REVOKED_ACCESS)
            else:
                # not minted by this process (e.g. before a restart): judge by sign-out time
                pool_id = pool_id_in(str(claims["iss"]))
                cutoff = self._signed_out.get((pool_id, str(claims.get("sub"))))
                if cutoff is not None and int(claims.get("iat", 0)) <= cutoff:
                    raise not_authorized(REVOKED_ACCESS)
        return claims

    def pool_id_of(self, claims: Mapping[str, Any]) -> str:
        """The pool id of a token's claims (last path segment of `iss`)."""
        return pool_id_in(str(claims["iss"]))

    def _verified_claims(self, token: str, token_use: str) -> dict[str, Any]:
        if not isinstance(token, str) or token.count(".") != 2 or len(token) > 16384:
            raise not_authorized(INVALID_ACCESS)
        try:
            unverified = jws.extract_compact(token.encode())
            header = unverified.headers()
            body = json.loads(unverified.payload)
        except (JoseError, ValueError, UnicodeError):
            raise not_authorized(INVALID_ACCESS) from None
        if not isinstance(body, dict) or header.get("alg") != "RS256":
            raise not_authorized(INVALID_ACCESS)
        iss = body.get("iss")
        if not isinstance(iss, str) or not iss.startswith(self.base_url + "/"):
            raise not_authorized(INVALID_ACCESS)
        pool_id = pool_id_in(iss)
        try:
            expected = self.issuer(pool_id)
        except CognitoError:
            raise not_authorized(INVALID_ACCESS) from None
        if iss != expected:
            raise not_authorized(INVALID_ACCESS)
        keys = self.key_store.known(pool_id)
        if keys is None:
            raise not_authorized(INVALID_ACCESS)
        is_access = {"access": True, "id": False}[token_use]
        key = keys.access_key if is_access else keys.id_key
        kid = keys.access_kid if is_access else keys.id_kid
        if header.get("kid") != kid:
            raise not_authorized(INVALID_ACCESS)
        try:
            jws.deserialize_compact(token, key, algorithms=["RS256"])
        except (JoseError, ValueError):
            raise not_authorized(INVALID_ACCESS) from None
        if body.get("token_use") != token_use:
            raise not_authorized(INVALID_ACCESS)
        return body
