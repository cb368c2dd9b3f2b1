"""moto's pool, client and user objects as the IdP's plain records (`cognito_sso.local.model`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.cognitoidp.models import UserStatus

from cognito_sso.local.model import VALIDITY_UNIT_SECONDS, Client, PasswordPolicy, Pool, User

# Cognito's defaults when TokenValidityUnits is absent: access/id in hours, refresh in days.
_DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


def set_status(user: Any, status: str) -> None:
    """Set a moto user's status from its text."""
    user.status = UserStatus[status]


def flat_attributes(attributes: Any) -> dict[str, str]:
    """moto's `[{"Name", "Value"}]` attributes as a dict."""
    return {str(a["Name"]): str(a.get("Value", "")) for a in attributes or []}


def status_text(status: Any) -> str:
    """A moto status (enum or text) as text."""
    return str(getattr(status, "value", status))


def pool_from(moto_pool: Any) -> Pool:
    """The `Pool` record of a moto pool."""
    cfg: dict[str, Any] = moto_pool.extended_config
    policy = (cfg.get("Policies") or {}).get("PasswordPolicy") or {}
    admin_cfg = cfg.get("AdminCreateUserConfig") or {}
    invite = admin_cfg.get("InviteMessageTemplate") or {}
    username_cfg = cfg.get("UsernameConfiguration") or {}
    recovery = (cfg.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    required = tuple(
        str(att.name)
        for att in moto_pool.schema_attributes.values()
        if getattr(att, "required", False) and att.name != "sub"
    )
    token_mfa = moto_pool.token_mfa_config or {}
    return Pool(
        id=str(moto_pool.id),
        name=str(moto_pool.name),
        arn=str(moto_pool.arn),
        region=str(moto_pool.region),
        username_attributes=tuple(cfg.get("UsernameAttributes") or ()),
        alias_attributes=tuple(cfg.get("AliasAttributes") or ()),
        # the API default is case sensitive when UsernameConfiguration is omitted
        case_sensitive=bool(username_cfg.get("CaseSensitive", True)),
        required_attributes=required,
        password_policy=PasswordPolicy(
            minimum_length=int(policy.get("MinimumLength", 8)),
            require_uppercase=bool(policy.get("RequireUppercase", True)),
            require_lowercase=bool(policy.get("RequireLowercase", True)),
            require_numbers=bool(policy.get("RequireNumbers", True)),
            require_symbols=bool(policy.get("RequireSymbols", True)),
            temporary_password_validity_days=int(policy.get("TemporaryPasswordValidityDays", 7)),
        ),
        allow_admin_create_user_only=bool(admin_cfg.get("AllowAdminCreateUserOnly", False)),
        invite_subject=invite.get("EmailSubject"),
        invite_message=invite.get("EmailMessage"),
        verification_template=dict(cfg.get("VerificationMessageTemplate") or {}),
        auto_verified_attributes=tuple(cfg.get("AutoVerifiedAttributes") or ()),
        mfa_configuration=str(moto_pool.mfa_config or "OFF"),
        software_token_mfa_enabled=bool(token_mfa.get("Enabled", False)),
        issuer_format=str((cfg.get("IssuerConfiguration") or {}).get("Type") or "ORIGINAL"),
        recovery_mechanisms=tuple(
            str(m["Name"]) for m in sorted(recovery, key=lambda m: int(m.get("Priority", 0)))
        ),
    )


def _seconds(cfg: Mapping[str, Any], key: str, unit_key: str, default: int) -> int:
    value = cfg.get(key)
    if value is None or int(value) == 0:
        return default  # RefreshTokenValidity 0 means the default (reference 3.4)
    units = cfg.get("TokenValidityUnits") or {}
    unit = str(units.get(unit_key) or _DEFAULT_UNITS[unit_key])
    return int(value) * VALIDITY_UNIT_SECONDS.get(unit, 1)


def client_from(moto_client: Any) -> Client:
    """The `Client` record of a moto app client."""
    cfg: dict[str, Any] = moto_client.extended_config
    read = cfg.get("ReadAttributes")
    rotation_cfg = cfg.get("RefreshTokenRotation") or {}
    rotation = rotation_cfg.get("Feature") == "ENABLED"
    return Client(
        pool_id=str(moto_client.user_pool_id),
        id=str(moto_client.id),
        name=str(cfg.get("ClientName") or ""),
        secret=str(moto_client.secret) if moto_client.generate_secret else None,
        explicit_auth_flows=frozenset(cfg.get("ExplicitAuthFlows") or ()),
        prevent_user_existence_errors=cfg.get("PreventUserExistenceErrors") == "ENABLED",
        enable_token_revocation=bool(cfg.get("EnableTokenRevocation", True)),
        read_attributes=frozenset(read) if read else None,
        callback_urls=tuple(cfg.get("CallbackURLs") or ()),
        logout_urls=tuple(cfg.get("LogoutURLs") or ()),
        allowed_oauth_flows=frozenset(cfg.get("AllowedOAuthFlows") or ()),
        allowed_oauth_scopes=tuple(cfg.get("AllowedOAuthScopes") or ()),
        oauth_enabled=bool(cfg.get("AllowedOAuthFlowsUserPoolClient", False)),
        supported_identity_providers=tuple(cfg.get("SupportedIdentityProviders") or ()),
        access_token_seconds=_seconds(cfg, "AccessTokenValidity", "AccessToken", 3600),
        id_token_seconds=_seconds(cfg, "IdTokenValidity", "IdToken", 3600),
        refresh_token_seconds=_seconds(cfg, "RefreshTokenValidity", "RefreshToken", 30 * 86400),
        refresh_token_rotation=rotation,
        refresh_token_grace_seconds=int(rotation_cfg.get("RetryGracePeriodSeconds") or 0),
        auth_session_seconds=60 * int(cfg.get("AuthSessionValidity") or 3),
    )


def user_from(moto_user: Any) -> User:
    """The `User` record of a moto user."""
    groups = sorted(
        moto_user.groups,
        key=lambda g: (g.precedence if g.precedence is not None else 2**31, g.group_name),
    )
    preferred = moto_user.preferred_mfa_setting or None
    return User(
        pool_id=str(moto_user.user_pool_id),
        username=str(moto_user.username),
        sub=str(moto_user.id),
        status=status_text(moto_user.status),
        enabled=bool(moto_user.enabled),
        attributes=flat_attributes(moto_user.attributes),
        groups=tuple(str(g.group_name) for g in groups),
        mfa_totp_enabled=bool(moto_user.software_token_mfa_enabled),
        preferred_mfa=str(preferred) if preferred else None,
    )
