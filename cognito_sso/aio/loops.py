"""Event-loop plumbing: per-loop objects, and blocking code in a worker thread whose I/O
calls hop back onto the loop.

An ``asyncio.Lock`` or an ``httpx.AsyncClient`` belongs to one event loop; :class:`PerLoop`
keeps one per loop (tests and servers may run several). :func:`run_blocking` runs blocking
core code (SQLite, the session service) in a worker thread and tells it which loop it
serves, so :func:`call_on_loop` can run that code's network calls there, through the async
clients, while the worker thread waits.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, Generic, ParamSpec, TypeVar

__all__ = ["PerLoop", "call_on_loop", "run_blocking", "serving_loop"]

T = TypeVar("T")
P = ParamSpec("P")

_SERVING_LOOP: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "cognito_sso_serving_loop", default=None
)


class PerLoop(Generic[T]):
    """One object per running event loop, made on first use by ``factory``."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._items: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )

    def get(self) -> T:
        """The running loop's object (call from a coroutine)."""
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        if item is None:
            item = self._items[loop] = self._factory()
        return item

    def pop(self) -> T | None:
        """Forget (and return) the running loop's object, if any."""
        return self._items.pop(asyncio.get_running_loop(), None)


async def run_blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking ``fn`` in a worker thread without blocking the loop; inside it,
    :func:`serving_loop` is this loop."""
    token = _SERVING_LOOP.set(asyncio.get_running_loop())
    try:
        # to_thread copies the context (with the loop in it) into the worker thread
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))
    finally:
        _SERVING_LOOP.reset(token)


def serving_loop() -> asyncio.AbstractEventLoop | None:
    """The loop a worker thread started by :func:`run_blocking` serves (None elsewhere, and
    None on the loop's own thread, where blocking on the loop would deadlock)."""
    loop = _SERVING_LOOP.get()
    if loop is None or loop.is_closed():
        return None
    try:
        if asyncio.get_running_loop() is loop:
            return None
    except RuntimeError:
        pass  # no loop running in this thread: a worker thread
    return loop


def call_on_loop(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on ``loop`` from a worker thread and wait for its result (or error)."""
    return asyncio.run_coroutine_threadsafe(coro, loop).result()
