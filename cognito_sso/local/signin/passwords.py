"""A pool's password policy and required attributes, as Cognito enforces them."""

from __future__ import annotations

import re
from collections.abc import Mapping

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.model import PasswordPolicy, Pool

_SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def validate_password(policy: PasswordPolicy, password: str) -> None:
    """Raise InvalidPasswordException when `password` breaks the pool's policy."""
    problems = []
    if len(password) < policy.minimum_length:
        problems.append("Password not long enough")
    if policy.require_uppercase and not re.search(r"[A-Z]", password):
        problems.append("Password must have uppercase characters")
    if policy.require_lowercase and not re.search(r"[a-z]", password):
        problems.append("Password must have lowercase characters")
    if policy.require_numbers and not re.search(r"[0-9]", password):
        problems.append("Password must have numeric characters")
    if policy.require_symbols and not any(c in _SYMBOLS for c in password):
        problems.append("Password must have symbol characters")
    if len(password) > 256:
        problems.append("Password too long")
    if problems:
        raise CognitoError(
            "InvalidPasswordException", f"Password did not conform with policy: {problems[0]}"
        )


def missing_required(pool: Pool, attributes: Mapping[str, str]) -> list[str]:
    """Required attributes without a value (username attributes are filled from the username)."""
    return [name for name in pool.required_attributes if not attributes.get(name)]
