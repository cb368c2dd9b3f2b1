"""Reading tokens the IdP issued, in tests."""

from __future__ import annotations

import json
from typing import Any

from cognito_sso.base64url import b64url_decode


def claims_of(token: str) -> dict[str, Any]:
    """A JWT's payload, not verified (the tests that verify use the library's verifier)."""
    claims: dict[str, Any] = json.loads(b64url_decode(token.split(".")[1]))
    return claims
