"""Authorization codes: single use, 5 minutes, bound to client, redirect URI, PKCE and nonce."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

CODE_TTL_SECONDS: Final = 300


@dataclass(frozen=True)
class AuthorizationCode:
    """What a code stands for; everything the token endpoint must check and mint from."""

    pool_id: str
    client_id: str
    redirect_uri: str
    sub: str
    scopes: tuple[str, ...]
    auth_time: int
    nonce: str | None
    code_challenge: str | None
    expires_at: float


class CodeStore:
    """In-memory, thread-safe store of outstanding authorization codes."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, AuthorizationCode] = {}

    def issue(
        self,
        *,
        pool_id: str,
        client_id: str,
        redirect_uri: str,
        sub: str,
        scopes: tuple[str, ...],
        auth_time: int,
        nonce: str | None,
        code_challenge: str | None,
    ) -> str:
        """Create a new code (UUID-shaped, as Cognito's) and return it."""
        code = str(uuid.uuid4())
        now = self._clock()
        record = AuthorizationCode(
            pool_id=pool_id,
            client_id=client_id,
            redirect_uri=redirect_uri,
            sub=sub,
            scopes=scopes,
            auth_time=auth_time,
            nonce=nonce,
            code_challenge=code_challenge,
            expires_at=now + CODE_TTL_SECONDS,
        )
        with self._lock:
            self._prune(now)
            self._codes[code] = record
        return code

    def redeem(self, code: str) -> AuthorizationCode | None:
        """Take ``code`` out of the store: a code works once, even when the exchange fails."""
        with self._lock:
            record = self._codes.pop(code, None)
        if record is None or record.expires_at <= self._clock():
            return None
        return record

    def _prune(self, now: float) -> None:
        expired = [code for code, record in self._codes.items() if record.expires_at <= now]
        for code in expired:
            del self._codes[code]
