"""Facts about Cognito user pools shared by provisioning and the local IdP (reference 5.1, 5.2).

Framework-free and dependency-free: the standard attributes, what an app client may read by
default, and the password policy with its API shape (``Policies.PasswordPolicy``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "COGNITO_PROVIDER",
    "DEFAULT_READ_ATTRIBUTES",
    "MAX_ATTRIBUTE_VALUE",
    "MAX_USERNAME",
    "PROVIDER_NAME",
    "SOCIAL_PROVIDER_TYPES",
    "STANDARD_ATTRIBUTES",
    "VERIFICATION_ATTRIBUTES",
    "PasswordPolicy",
    "attribute_value_fits",
    "provider_name_problem",
]

STANDARD_ATTRIBUTES: tuple[str, ...] = (
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
)
"""The OIDC standard attributes every user pool has (``sub`` aside)."""

VERIFICATION_ATTRIBUTES: tuple[str, ...] = ("email_verified", "phone_number_verified")
"""Readable flags that are not standard attributes themselves."""

DEFAULT_READ_ATTRIBUTES: frozenset[str] = frozenset(STANDARD_ATTRIBUTES + VERIFICATION_ATTRIBUTES)
"""What an app client may read when its ``ReadAttributes`` is not set (no custom attributes)."""

MAX_USERNAME: Final = 128
"""Longest user name (the API's ``UsernameType``)."""

MAX_ATTRIBUTE_VALUE: Final = 2048
"""Longest attribute value, in UTF-8 bytes (reference 6, quotas)."""


def attribute_value_fits(value: str) -> bool:
    """Whether ``value`` is short enough for a user attribute."""
    return len(value.encode("utf-8", "surrogatepass")) <= MAX_ATTRIBUTE_VALUE


@dataclass(frozen=True)
class PasswordPolicy:
    """A pool's password policy; the defaults are Cognito's when a field is omitted."""

    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    temporary_password_validity_days: int = 7

    def to_api(self) -> dict[str, Any]:
        """The ``Policies.PasswordPolicy`` member of CreateUserPool / UpdateUserPool."""
        return {
            "MinimumLength": self.minimum_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
            "TemporaryPasswordValidityDays": self.temporary_password_validity_days,
        }

    @classmethod
    def from_api(cls, api: Mapping[str, Any] | None) -> PasswordPolicy:
        """From a ``Policies.PasswordPolicy`` (request or DescribeUserPool); omitted fields
        take Cognito's defaults."""
        policy = api or {}
        default = cls()
        return cls(
            minimum_length=int(policy.get("MinimumLength", default.minimum_length)),
            require_uppercase=bool(policy.get("RequireUppercase", default.require_uppercase)),
            require_lowercase=bool(policy.get("RequireLowercase", default.require_lowercase)),
            require_numbers=bool(policy.get("RequireNumbers", default.require_numbers)),
            require_symbols=bool(policy.get("RequireSymbols", default.require_symbols)),
            temporary_password_validity_days=int(
                policy.get(
                    "TemporaryPasswordValidityDays", default.temporary_password_validity_days
                )
            ),
        )


COGNITO_PROVIDER = "COGNITO"
"""The user pool itself in an app client's ``SupportedIdentityProviders``."""

PROVIDER_NAME = re.compile(r"[^_\s][^\s][^_\s]{1,30}")
r"""An identity provider's name: the model's ``[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+``,
at most 32 characters (so at least 3)."""

SOCIAL_PROVIDER_TYPES = frozenset({"Facebook", "Google", "LoginWithAmazon", "SignInWithApple"})


def provider_name_problem(name: str, provider_type: str) -> str | None:
    """Why Cognito refuses ``name`` for a provider of ``provider_type`` (API spelling, e.g.
    ``OIDC``, ``Google``); None when it accepts it. Social providers are named by their type."""
    if provider_type in SOCIAL_PROVIDER_TYPES and name != provider_type:
        return f"a {provider_type} provider must be called {provider_type}"
    if name == COGNITO_PROVIDER or PROVIDER_NAME.fullmatch(name) is None:
        return "provider names are 3-32 characters, no spaces, no _ first or last, not COGNITO"
    return None
