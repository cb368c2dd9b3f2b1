"""Rules for a new user, shared by SignUp and AdminCreateUser."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping

from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
)
from cognito_sso.local.model import Pool
from cognito_sso.local.signin.passwords import missing_required


def username_exists(pool: Pool) -> CognitoError:
    """The UsernameExistsException Cognito gives for this pool's kind of username."""
    if "email" in pool.username_attributes:
        return CognitoError(
            "UsernameExistsException", "An account with the given email already exists."
        )
    if "phone_number" in pool.username_attributes:
        return CognitoError(
            "UsernameExistsException", "An account with the given phone_number already exists."
        )
    return CognitoError("UsernameExistsException", "User account already exists")


def check_required(pool: Pool, username: str, attributes: Mapping[str, str]) -> None:
    """Refuse a new user without every required attribute (username attributes count)."""
    filled = dict(attributes)
    for name in pool.username_attributes:
        if name == "email" and "@" in username:
            filled.setdefault("email", username)
        elif name == "phone_number" and username.startswith("+"):
            filled.setdefault("phone_number", username)
    missing = missing_required(pool, filled)
    if missing:
        raise invalid_parameter(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required"
        )


def temporary_password(pool: Pool) -> str:
    """A random password that satisfies the pool's policy."""
    policy = pool.password_policy
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(max(policy.minimum_length, 12)))
    return (
        core
        + secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.ascii_lowercase)
        + secrets.choice(string.digits)
        + "!"
    )
