"""PKCE (RFC 7636) for the authorize and token endpoints: S256 only, as Cognito."""

from __future__ import annotations

import hmac
import re
from typing import Final

from cognito_sso.token_hashes import s256_challenge

# RFC 7636 4.1/4.2: verifier is 43-128 unreserved characters; an S256 challenge is the
# unpadded base64url of a SHA-256 digest, i.e. exactly 43 characters.
_VERIFIER: Final = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE: Final = re.compile(r"[A-Za-z0-9\-_]{43}")


def is_valid_challenge(challenge: str) -> bool:
    """True when ``challenge`` has the shape of an S256 code challenge."""
    return _CHALLENGE.fullmatch(challenge) is not None


def verify(verifier: str, challenge: str) -> bool:
    """True when ``verifier`` is well formed and hashes to ``challenge``."""
    if _VERIFIER.fullmatch(verifier) is None:
        return False
    return hmac.compare_digest(s256_challenge(verifier), challenge)
