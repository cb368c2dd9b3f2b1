"""The bearer revocation check with async I/O (``GetUser`` through ``httpx.AsyncClient``).

The policy and the cache are :mod:`cognito_sso.bearer_revocation`'s; only the call and the
single flight differ: concurrent requests of one event loop for one token await one call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from cognito_sso.aio.loops import PerLoop
from cognito_sso.bearer_revocation import (
    _MAX_ROUNDS,
    RevocationCache,
    Verdict,
    enforce,
    expiry_of,
    token_key,
)
from cognito_sso.oidc import OIDCError

__all__ = ["AsyncBearerRevocationCheck"]


class _AsyncGetUser(Protocol):
    async def get_user(self, access_token: str) -> dict[str, Any]: ...


class AsyncBearerRevocationCheck:
    """:class:`cognito_sso.bearer_revocation.BearerRevocationCheck` for asyncio apps: the
    IdP call never blocks the loop; the answers are shared by every loop of the process."""

    def __init__(
        self,
        oidc: _AsyncGetUser,
        cache: RevocationCache | None = None,
        *,
        wait_timeout: float = 15.0,
    ) -> None:
        self.oidc = oidc
        self.cache = cache or RevocationCache()
        self.wait_timeout = wait_timeout
        self._flights: PerLoop[dict[str, asyncio.Event]] = PerLoop(dict)

    async def check(self, token: str, claims: Mapping[str, Any], interval: float) -> None:
        """See :meth:`cognito_sso.bearer_revocation.BearerRevocationCheck.check`."""
        if interval <= 0:
            return
        key = token_key(token)
        verdict = self.cache.judge(key, interval)
        for _ in range(_MAX_ROUNDS):
            if verdict is not Verdict.ASK:
                break
            verdict = await self._ask_or_wait(key, token, claims, interval)
        enforce(verdict)

    async def _ask_or_wait(
        self, key: str, token: str, claims: Mapping[str, Any], interval: float
    ) -> Verdict:
        # no await between judging and electing the asker: atomic on the loop
        verdict = self.cache.judge(key, interval)
        if verdict is not Verdict.ASK:
            return verdict
        flights = self._flights.get()
        flight = flights.get(key)
        if flight is None:
            flight = flights[key] = asyncio.Event()
            return await self._ask(key, token, claims, flights, flight)
        try:
            await asyncio.wait_for(flight.wait(), self.wait_timeout)
        except TimeoutError:
            return Verdict.UNAVAILABLE
        return self.cache.judge(key, interval)

    async def _ask(
        self,
        key: str,
        token: str,
        claims: Mapping[str, Any],
        flights: dict[str, asyncio.Event],
        flight: asyncio.Event,
    ) -> Verdict:
        try:
            try:
                await self.oidc.get_user(token)
            except OIDCError as exc:
                return self.cache.record(key, expiry_of(claims), exc)
            return self.cache.record(key, expiry_of(claims), None)
        finally:  # the answer is recorded before the waiters wake up
            del flights[key]
            flight.set()
