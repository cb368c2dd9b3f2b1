"""Plain, immutable views of pools, clients and users (nothing here knows about moto)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cognito_sso.userpool import PasswordPolicy as PasswordPolicy  # re-exported

#: Seconds per TokenValidityUnits value.
VALIDITY_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


@dataclass(frozen=True)
class Pool:
    """The parts of a user pool's configuration the IdP acts on."""

    id: str
    name: str
    arn: str
    region: str
    username_attributes: tuple[str, ...] = ()
    alias_attributes: tuple[str, ...] = ()
    case_sensitive: bool = True
    required_attributes: tuple[str, ...] = ()
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    allow_admin_create_user_only: bool = False
    invite_subject: str | None = None
    invite_message: str | None = None
    verification_template: Mapping[str, str] = field(default_factory=dict)
    auto_verified_attributes: tuple[str, ...] = ()
    mfa_configuration: str = "OFF"
    software_token_mfa_enabled: bool = False
    recovery_mechanisms: tuple[str, ...] = ()
    domain: str | None = None
    issuer_format: str = "ORIGINAL"  # IssuerConfiguration.Type


@dataclass(frozen=True)
class Client:
    """An app client of a pool."""

    pool_id: str
    id: str
    name: str
    secret: str | None = None
    explicit_auth_flows: frozenset[str] = frozenset()
    prevent_user_existence_errors: bool = False
    enable_token_revocation: bool = True
    read_attributes: frozenset[str] | None = None  # None: Cognito's default readable set
    callback_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    allowed_oauth_flows: frozenset[str] = frozenset()
    allowed_oauth_scopes: tuple[str, ...] = ()
    oauth_enabled: bool = False
    supported_identity_providers: tuple[str, ...] = ()
    access_token_seconds: int = 3600
    id_token_seconds: int = 3600
    refresh_token_seconds: int = 30 * 86400
    refresh_token_rotation: bool = False
    refresh_token_grace_seconds: int = 0  # RefreshTokenRotation.RetryGracePeriodSeconds
    auth_session_seconds: int = 180  # AuthSessionValidity: life of a challenge Session


@dataclass(frozen=True)
class User:
    """A user of a pool; `username` is the stored Username (the sub in email-username pools)."""

    pool_id: str
    username: str
    sub: str
    status: str
    enabled: bool
    attributes: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] = ()
    mfa_totp_enabled: bool = False
    preferred_mfa: str | None = None


@dataclass(frozen=True)
class TokenSet:
    """Tokens handed to a client; `expires_in` is the access token's lifetime in seconds."""

    access_token: str
    id_token: str | None
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class IdentityProvider:
    """An identity provider of a pool (CreateIdentityProvider), as the IdP acts on it.

    `details` is ProviderDetails (for OIDC: ``client_id``, ``client_secret``,
    ``authorize_scopes``, ``attributes_request_method``, ``oidc_issuer`` and optionally the
    endpoint URLs); `attribute_mapping` maps pool attributes to the provider's claims.
    """

    pool_id: str
    name: str
    type: str
    details: Mapping[str, str] = field(default_factory=dict)
    attribute_mapping: Mapping[str, str] = field(default_factory=dict)
    idp_identifiers: tuple[str, ...] = ()

    def __repr__(self) -> str:  # ProviderDetails hold the client secret
        return f"IdentityProvider(pool_id={self.pool_id!r}, name={self.name!r}, type={self.type!r})"
