"""Token verification for asyncio code: keys fetched without blocking, checks shared.

:class:`AsyncTokenVerifier` looks at the token's ``kid``; when that key is not cached it
awaits the JWKS fetch (:class:`~cognito_sso.aio.jwks.AsyncJwksCache`), then runs the one
CPU-bound verification of :class:`~cognito_sso.verifier.TokenVerifier` (structure,
signature, claims) with the key already in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cognito_sso.aio.jwks import AsyncJwksCache, shared_async_jwks_cache
from cognito_sso.errors import InvalidTokenError
from cognito_sso.jws import MAX_TOKEN_LENGTH, kid_of_header
from cognito_sso.verifier import TokenVerifier

__all__ = ["AsyncTokenVerifier", "unverified_kid"]


def unverified_kid(token: object) -> str | None:
    """The ``kid`` a token's header names, or None when there is none to look up. Only used
    to decide what to fetch: the verifier checks the whole token itself."""
    if not isinstance(token, str) or not token.isascii() or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        return kid_of_header(token.split(".", 1)[0].encode("ascii"))
    except InvalidTokenError:
        return None


class AsyncTokenVerifier:
    """``await``-able :meth:`verify_id_token` / :meth:`verify_access_token` with the same
    arguments, results and errors as :class:`~cognito_sso.verifier.TokenVerifier`."""

    def __init__(
        self,
        issuer: str,
        client_ids: Sequence[str],
        *,
        jwks_uri: str | None = None,
        leeway: float = 60,
        jwks_cache: AsyncJwksCache | None = None,
    ) -> None:
        uri = jwks_uri or f"{str(issuer).rstrip('/')}/.well-known/jwks.json"
        self.keys = jwks_cache or shared_async_jwks_cache(uri)
        self.sync = TokenVerifier(
            issuer, client_ids, jwks_uri=uri, leeway=leeway, jwks_cache=self.keys
        )

    def __repr__(self) -> str:
        return f"AsyncTokenVerifier({self.sync!r})"

    async def _prefetch(self, token: object) -> None:
        kid = unverified_kid(token)
        if kid is not None and self.keys.peek(kid) is None:
            try:
                await self.keys.aget_key(kid)
            except InvalidTokenError:
                pass  # the verification below raises the same miss, without fetching

    async def verify_id_token(
        self, token: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> Mapping[str, Any]:
        """See :meth:`TokenVerifier.verify_id_token`."""
        await self._prefetch(token)
        return self.sync.verify_id_token(token, nonce=nonce, access_token=access_token)

    async def verify_access_token(
        self, token: str, *, scopes: Iterable[str] = ()
    ) -> Mapping[str, Any]:
        """See :meth:`TokenVerifier.verify_access_token`."""
        await self._prefetch(token)
        return self.sync.verify_access_token(token, scopes=scopes)
