"""Codes mailed to users (sign-up confirmation, password reset, e-mail verification).

Each code is kept as a digest, expires, and allows `MAX_CODE_ATTEMPTS` wrong guesses; the
message goes to the outbox with the pool's templates (a link instead of a code for sign-up
confirmation when the pool says CONFIRM_WITH_LINK).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.model import Pool, User
from cognito_sso.local.outbox import Outbox, render

CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."
MAX_CODE_ATTEMPTS = 5


@dataclass
class _Code:
    """A pending code (digest only)."""

    digest: str
    expires_at: float
    attempts: int = 0


def mask_destination(address: str) -> str:
    """Cognito-style masked delivery destination (`a***@e***`)."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return f"+*******{address[-4:]}"


class MailedCodes:
    """Pending codes by (purpose, pool id, sub)."""

    def __init__(self, outbox: Outbox, base_url: str, clock: Callable[[], float] = time.time):
        self.outbox = outbox
        self.base_url = base_url
        self._clock = clock
        self._pending: dict[tuple[str, str, str], _Code] = {}

    def send(
        self,
        purpose: str,
        pool: Pool,
        user: User,
        email: str,
        login: str,
        seconds: int,
        *,
        client_id: str | None = None,
    ) -> dict[str, str]:
        """Mail a new 6-digit code for `purpose` (replacing any pending one); returns
        CodeDeliveryDetails."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        self._pending[(purpose, pool.id, user.sub)] = _Code(
            digest=_digest(code), expires_at=self._clock() + seconds
        )
        template = pool.verification_template
        by_link = (
            purpose == "signup"
            and client_id is not None
            and template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK"
            and bool(template.get("EmailMessageByLink"))
        )
        if by_link:
            query = urlencode(
                {"client_id": client_id, "user_name": user.username, "confirmation_code": code}
            )
            link = f"{self.base_url}/confirmUser?{query}"
            subject = template.get("EmailSubjectByLink") or "Your verification link"
            body = render(str(template.get("EmailMessageByLink")), link=link)
        else:
            subject = template.get("EmailSubject") or "Your verification code"
            message = template.get("EmailMessage") or "Your verification code is {####}. "
            if "{####}" not in message:
                message = "Your verification code is {####}. "
            body = render(message, username=login, code=code)
        self.outbox.send(email, subject, body)
        return {
            "Destination": mask_destination(email),
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }

    def use(self, purpose: str, pool: Pool, user: User, code: str) -> None:
        """Check a mailed code; raises Cognito's code errors. Consumed on success."""
        key = (purpose, pool.id, user.sub)
        pending = self._pending.get(key)
        if pending is None or pending.expires_at <= self._clock():
            self._pending.pop(key, None)
            raise CognitoError("ExpiredCodeException", CODE_EXPIRED)
        if pending.attempts >= MAX_CODE_ATTEMPTS:
            raise CognitoError(
                "LimitExceededException", "Attempt limit exceeded, please try after some time."
            )
        if not isinstance(code, str) or not hmac.compare_digest(pending.digest, _digest(code)):
            pending.attempts += 1
            raise CognitoError("CodeMismatchException", CODE_MISMATCH)

    def forget(self, purpose: str, pool: Pool, user: User) -> None:
        """Drop the pending code, if any."""
        self._pending.pop((purpose, pool.id, user.sub), None)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
