"""The session record: what a signed-in session holds, as a frozen, versioned value.

Stores keep it as JSON bytes (:meth:`Session.to_json` / :meth:`Session.from_json`). Format 2
adds the version field ``"v"`` to the layout that was written before this record existed
(format 1, no ``"v"``); both decode, so sessions survive an upgrade of the library. Anything
else (unknown version, a missing field, a field of the wrong type) raises
:class:`~cognito_sso.json_records.RecordError`, and the session service ends such a session.

Pure data and pure functions: usable from sync and async code alike. Tokens never appear in
a ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

from cognito_sso.claims import groups_claim, scopes_claim, str_claim
from cognito_sso.config_keys import ADMIN_SCOPE
from cognito_sso.errors import InvalidClaimError
from cognito_sso.json_records import (
    RecordError,
    decode_record,
    encode_object,
    read_number,
    read_optional_str,
    read_str,
    read_str_list,
)
from cognito_sso.oidc import TokenResponse
from cognito_sso.random_token import random_token

__all__ = ["SESSION_FORMAT", "Session", "SessionTokens"]

SESSION_FORMAT: Final = 2
"""Format version written by :meth:`Session.to_json` (1: the same fields without ``"v"``)."""

_READABLE_FORMATS: Final = (1, 2)


@dataclass(frozen=True)
class SessionTokens:
    """The user's tokens. They leave the store only as request headers to the IdP."""

    access_token: str = field(repr=False)
    id_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)

    def to_dict(self) -> dict[str, str | None]:
        """The JSON form."""
        return {
            "access_token": self.access_token,
            "id_token": self.id_token,
            "refresh_token": self.refresh_token,
        }

    @classmethod
    def from_dict(cls, data: object) -> SessionTokens:
        """Read the JSON form; RecordError unless it has the expected fields."""
        if not isinstance(data, dict):
            raise RecordError("field 'tokens' is not an object")
        return cls(
            access_token=read_str(data, "access_token"),
            id_token=read_optional_str(data, "id_token"),
            refresh_token=read_optional_str(data, "refresh_token"),
        )


@dataclass(frozen=True)
class Session:
    """One signed-in session: who the user is, what the tokens allow, and when they were
    last refreshed (``access_exp``) and checked with the IdP (``checked_at``)."""

    sub: str
    username: str | None
    email: str | None
    name: str | None
    groups: tuple[str, ...]
    claims: Mapping[str, Any] = field(repr=False)
    """The verified ID token's claims."""
    scopes: tuple[str, ...]
    access_exp: float
    """When the access token expires (epoch seconds)."""
    checked_at: float
    """When the IdP last confirmed the session (sign-in, refresh or revocation probe)."""
    csrf: str = field(repr=False)
    tokens: SessionTokens = field(repr=False)

    # --- building ----------------------------------------------------------------------

    @classmethod
    def from_tokens(
        cls,
        tokens: TokenResponse,
        id_claims: Mapping[str, Any],
        access_claims: Mapping[str, Any],
        *,
        now: float,
        previous: Session | None = None,
    ) -> Session:
        """The session for freshly issued (or refreshed) and verified tokens.

        On refresh, ``previous`` supplies what the IdP does not resend (the refresh token
        when rotation is off) and what must survive (the CSRF token).
        """
        sub = str_claim(id_claims, "sub")
        if sub is None:  # the verifier already insists on one
            raise InvalidClaimError("token has no string 'sub' claim")
        exp = access_claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            exp = now + tokens.expires_in
        group_source = id_claims if "cognito:groups" in id_claims else access_claims
        return cls(
            sub=sub,
            username=str_claim(id_claims, "cognito:username")
            or str_claim(access_claims, "username"),
            email=str_claim(id_claims, "email"),
            name=str_claim(id_claims, "name"),
            groups=tuple(groups_claim(group_source)),
            claims=MappingProxyType(dict(id_claims)),
            scopes=tuple(scopes_claim(access_claims)),
            access_exp=float(exp),
            checked_at=now,
            csrf=previous.csrf if previous is not None else random_token(),
            tokens=SessionTokens(
                access_token=tokens.access_token,
                id_token=tokens.id_token,
                refresh_token=tokens.refresh_token
                or (previous.tokens.refresh_token if previous is not None else None),
            ),
        )

    def checked(self, now: float) -> Session:
        """This session, confirmed by the IdP at ``now``."""
        return replace(self, checked_at=now)

    # --- decisions (pure, shared by sync and async services) ---------------------------

    def needs_refresh(self, now: float, leeway: float) -> bool:
        """Whether the access token expires within ``leeway`` seconds."""
        return self.access_exp - leeway <= now

    def check_due(self, now: float, interval: float) -> bool:
        """Whether the revocation probe is due."""
        return now - self.checked_at >= interval

    def access_token_valid(self, now: float) -> bool:
        """Whether the access token has not expired yet."""
        return self.access_exp > now

    @property
    def may_sign_out_globally(self) -> bool:
        """Whether the access token carries the scope GlobalSignOut needs."""
        return ADMIN_SCOPE in self.scopes

    # --- JSON --------------------------------------------------------------------------

    def to_json(self) -> bytes:
        """The stored form (format :data:`SESSION_FORMAT`)."""
        return encode_object(
            {
                "v": SESSION_FORMAT,
                "sub": self.sub,
                "username": self.username,
                "email": self.email,
                "name": self.name,
                "groups": list(self.groups),
                "claims": dict(self.claims),
                "scopes": list(self.scopes),
                "access_exp": self.access_exp,
                "checked_at": self.checked_at,
                "csrf": self.csrf,
                "tokens": self.tokens.to_dict(),
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Session:
        """Decode a stored session of any readable format; RecordError otherwise."""
        data = decode_record(raw, _READABLE_FORMATS, "session", default=1)
        claims = data.get("claims")
        if not isinstance(claims, dict):
            raise RecordError("field 'claims' is not an object")
        return cls(
            sub=read_str(data, "sub"),
            username=read_optional_str(data, "username"),
            email=read_optional_str(data, "email"),
            name=read_optional_str(data, "name"),
            groups=read_str_list(data, "groups"),
            claims=MappingProxyType(claims),
            scopes=read_str_list(data, "scopes"),
            access_exp=read_number(data, "access_exp"),
            checked_at=read_number(data, "checked_at"),
            csrf=read_str(data, "csrf"),
            tokens=SessionTokens.from_dict(data.get("tokens")),
        )
