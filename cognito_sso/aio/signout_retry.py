"""Sign-outs the IdP could not be told about, retried by an asyncio task (see
:mod:`cognito_sso.signout_retry`): the retries run on the event loop through
``httpx.AsyncClient``, so they never block it."""

from __future__ import annotations

import asyncio

from cognito_sso.aio.oidc import AsyncOIDCClient
from cognito_sso.signout_retry import PendingSignOut, SignOutQueue, refusal_ends_step

__all__ = ["AsyncSignOutRetries"]


class AsyncSignOutRetries(SignOutQueue[AsyncOIDCClient]):
    """The pending remote sign-outs and the task that retries them, on the loop that queued
    the first of them (call :meth:`add` from a coroutine)."""

    _task: asyncio.Task[None] | None = None

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def close(self) -> None:
        """Stop the task (pending sign-outs are dropped)."""
        super().close()
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            for pending in self._batch():
                await self.retry(pending)
            with self._lock:
                if not self._prune_locked():
                    self._task = None
                    return

    async def retry(self, pending: PendingSignOut) -> None:
        """One attempt at each step still to do; an outage leaves it for the next round."""
        steps = {"global_sign_out": self.oidc.global_sign_out, "revoke": self.oidc.revoke}
        for step, token in self.due(pending):
            with refusal_ends_step() as outage:
                await steps[step](token)
            if outage:
                return
