"""Which user attributes ``/oauth2/userInfo`` returns for an access token's scopes (ref. 2.4)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from cognito_sso.local.model import Client, User
from cognito_sso.local.tokens.claims import readable_attributes

PROFILE_ATTRIBUTES: Final = frozenset(
    {
        "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
        "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale",
        "updated_at",
    }
)  # fmt: skip
EMAIL_ATTRIBUTES: Final = frozenset({"email", "email_verified"})
PHONE_ATTRIBUTES: Final = frozenset({"phone_number", "phone_number_verified"})


def scopes_readable(client: Client, scopes: Collection[str]) -> bool:
    """False when a granted ``email``/``phone`` scope names attributes the client may not read.

    Cognito then refuses the code exchange with ``invalid_grant`` (reference 2.3).
    """
    if client.read_attributes is None:
        return True
    needed = (EMAIL_ATTRIBUTES if "email" in scopes else frozenset()) | (
        PHONE_ATTRIBUTES if "phone" in scopes else frozenset()
    )
    return needed <= client.read_attributes


def _unlocked(name: str, narrowing: set[str]) -> bool:
    """Whether the scopes in ``narrowing`` (profile/email/phone) release attribute ``name``."""
    return (
        ("profile" in narrowing and (name in PROFILE_ATTRIBUTES or name.startswith("custom:")))
        or ("email" in narrowing and name in EMAIL_ATTRIBUTES)
        or ("phone" in narrowing and name in PHONE_ATTRIBUTES)
    )


def userinfo_claims(user: User, client: Client, scopes: Collection[str]) -> dict[str, str]:
    """The userInfo body: ``sub``, ``username`` and the readable attributes the scopes unlock.

    ``openid`` alone unlocks every attribute the client may read; ``profile`` the profile
    attributes and custom ones, ``email`` and ``phone`` their pairs. Values stay strings, as
    on AWS ([U] for the ``*_verified`` flags).
    """
    narrowing = {"profile", "email", "phone"} & set(scopes)
    claims = {
        name: value
        for name, value in readable_attributes(client, user).items()
        if not narrowing or _unlocked(name, narrowing)
    }
    claims["sub"] = user.sub
    claims["username"] = user.username
    return claims
