"""The one mapping between spec fields and Cognito API shapes, in both directions.

`*_request(spec)` builds the create request for a resource; `*_view(api_dict)` flattens an
API dict (a create request *or* a describe result) into `{spec key: comparable value}`.
The plan compares `view(request(spec))` with `view(describe())`, so each field is mapped
exactly once. A desired value of None means "not managed by the spec" and is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from cognito_sso.provisioning.spec import (
    ClientSpec,
    Duration,
    GroupSpec,
    PoolSpec,
    Spec,
    UserSpec,
)
from cognito_sso.userpool import STANDARD_ATTRIBUTES, PasswordPolicy

# Fields that exist only at creation time (reference 5.4): changing them needs a new pool.
# The issuer format is one too by our rule (issue 14), although the 2026 model lists
# IssuerConfiguration on UpdateUserPool: a new issuer invalidates every token and every
# service configured with the old one, which apply never does on its own.
POOL_CREATE_ONLY = frozenset(
    {
        "sign_in.username_attributes",
        "sign_in.case_sensitive",
        "attributes.required",
        "issuer_format",
    }
)
CLIENT_CREATE_ONLY = frozenset({"generate_secret"})
MFA_KEYS = frozenset({"mfa.mode", "mfa.totp", "mfa.sms"})
# Legacy pool fields superseded by VerificationMessageTemplate; sending them together with a
# new template could contradict it (the template's SmsMessage is carried over instead).
_LEGACY_POOL_FIELDS = (
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsVerificationMessage",
)


def _sorted(values: Any) -> list[str]:
    return sorted(str(v) for v in values or ())


# -- pool ---------------------------------------------------------------------------------
def pool_request(pool: PoolSpec) -> dict[str, Any]:
    """The CreateUserPool request for the spec (MFA is set afterwards with SetUserPoolMfaConfig:
    CreateUserPool only knows SMS MFA)."""
    request: dict[str, Any] = {
        "PoolName": pool.name,
        "Policies": {"PasswordPolicy": pool.password_policy.to_api()},
        "DeletionProtection": "ACTIVE" if pool.deletion_protection else "INACTIVE",
        "AutoVerifiedAttributes": list(pool.auto_verified_attributes),
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
        "VerificationMessageTemplate": _verification_template(pool),
        "EmailConfiguration": _email_configuration(pool),
        "UserPoolTags": dict(pool.tags),
        "AdminCreateUserConfig": _admin_create_user_config(pool),
        "MfaConfiguration": "OFF",
    }
    if pool.username_attributes:
        request["UsernameAttributes"] = list(pool.username_attributes)
    if pool.required_attributes:  # the API refuses an empty Schema list
        request["Schema"] = [
            {
                "Name": name,
                "AttributeDataType": "Number" if name == "updated_at" else "String",
                "Mutable": True,
                "Required": True,
            }
            for name in pool.required_attributes
        ]
    if pool.sms is not None:
        request["SmsConfiguration"] = _sms_configuration(pool)
    if pool.devices.remember != "off":
        request["DeviceConfiguration"] = {
            "ChallengeRequiredOnNewDevice": pool.devices.challenge_required_on_new_device,
            "DeviceOnlyRememberedOnUserPrompt": pool.devices.remember == "user_opt_in",
        }
    if pool.account_recovery:
        request["AccountRecoverySetting"] = {
            "RecoveryMechanisms": [
                {"Priority": i, "Name": name} for i, name in enumerate(pool.account_recovery, 1)
            ]
        }
    if pool.mfa.sms_message is not None:
        request["SmsAuthenticationMessage"] = pool.mfa.sms_message
    if pool.issuer_format is not None:
        request["IssuerConfiguration"] = {"Type": pool.issuer_format.upper()}
    return request


def _verification_template(pool: PoolSpec) -> dict[str, Any]:
    v = pool.verification
    # Only the message pair matching the chosen option may be sent (reference 5.1).
    if v.default_option == "link":
        template: dict[str, Any] = {"DefaultEmailOption": "CONFIRM_WITH_LINK"}
        if v.email_subject is not None:
            template["EmailSubjectByLink"] = v.email_subject
        if v.email_message is not None:
            template["EmailMessageByLink"] = v.email_message
        return template
    template = {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    if v.email_subject is not None:
        template["EmailSubject"] = v.email_subject
    if v.email_message is not None:
        template["EmailMessage"] = v.email_message
    return template


def _email_configuration(pool: PoolSpec) -> dict[str, Any]:
    e = pool.email
    config: dict[str, Any] = {"EmailSendingAccount": e.sending_account}
    for key, value in (
        ("SourceArn", e.source_arn),
        ("From", e.from_address),
        ("ReplyToEmailAddress", e.reply_to),
        ("ConfigurationSet", e.configuration_set),
    ):
        if value is not None:
            config[key] = value
    return config


def _sms_configuration(pool: PoolSpec) -> dict[str, Any]:
    assert pool.sms is not None
    config: dict[str, Any] = {"SnsCallerArn": pool.sms.role_arn}
    if pool.sms.external_id is not None:
        config["ExternalId"] = pool.sms.external_id
    return config


def _admin_create_user_config(pool: PoolSpec) -> dict[str, Any]:
    invite = pool.invitation
    template: dict[str, Any] = {}
    if invite.email_subject is not None:
        template["EmailSubject"] = invite.email_subject
    if invite.email_message is not None:
        template["EmailMessage"] = invite.email_message
    if invite.sms_message is not None:
        template["SMSMessage"] = invite.sms_message
    config: dict[str, Any] = {"AllowAdminCreateUserOnly": pool.admin_only}
    if template:
        config["InviteMessageTemplate"] = template
    return config


def pool_update_request(
    pool: PoolSpec, described: Mapping[str, Any], members: set[str]
) -> dict[str, Any]:
    """The full UpdateUserPool request: the described pool (so unmanaged settings such as
    Lambda triggers survive the full-replacement update) overlaid with the whole desired state.
    `members` are the input members of UpdateUserPool from the service model."""
    request = {k: v for k, v in described.items() if k in members}
    for legacy in _LEGACY_POOL_FIELDS:
        request.pop(legacy, None)
    desired = pool_request(pool)
    # Nested settings the spec leaves out (texts it does not set, PasswordHistorySize, ...)
    # are kept as described: the update would otherwise reset them.
    desired["Policies"] = _merged(described.get("Policies"), desired["Policies"], "PasswordPolicy")
    desired["AdminCreateUserConfig"] = _merged(
        described.get("AdminCreateUserConfig"),
        desired["AdminCreateUserConfig"],
        "InviteMessageTemplate",
    )
    # Legacy; refused together with TemporaryPasswordValidityDays, which is always sent.
    desired["AdminCreateUserConfig"].pop("UnusedAccountValidityDays", None)
    email = dict(described.get("EmailConfiguration") or {})
    if email.get("EmailSendingAccount") == desired["EmailConfiguration"]["EmailSendingAccount"]:
        # Same sending account: keep its unmanaged fields. A switch starts from the spec alone
        # (DEVELOPER's SES settings must not linger on COGNITO_DEFAULT).
        desired["EmailConfiguration"] = {**email, **desired["EmailConfiguration"]}
    desired["VerificationMessageTemplate"] = _verification_update(
        described.get("VerificationMessageTemplate") or {}, desired["VerificationMessageTemplate"]
    )
    if "DeviceConfiguration" not in desired:
        request.pop("DeviceConfiguration", None)
    request.update({k: v for k, v in desired.items() if k in members})
    request["MfaConfiguration"] = pool.mfa.mode.upper()
    request["UserPoolId"] = described["Id"]
    return request


def _merged(described: Any, desired: dict[str, Any], nested: str) -> dict[str, Any]:
    """`desired` over `described`, one level deeper for the `nested` table."""
    merged = {**(described or {}), **desired}
    inner = {**((described or {}).get(nested) or {}), **(desired.get(nested) or {})}
    if inner:
        merged[nested] = inner
    return merged


_CODE_PAIR = ("EmailMessage", "EmailSubject")
_LINK_PAIR = ("EmailMessageByLink", "EmailSubjectByLink")


def _verification_update(described: Mapping[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """The desired template plus the described texts it leaves out, but only the message pair
    of the chosen option (AWS refuses both pairs together, reference 5.1)."""
    link = desired["DefaultEmailOption"] == "CONFIRM_WITH_LINK"
    keep = (*(_LINK_PAIR if link else _CODE_PAIR), "SmsMessage")
    return {**{k: v for k, v in described.items() if k in keep and v}, **desired}


def pool_view(api: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a CreateUserPool request or a DescribeUserPool `UserPool` (MFA and tags excluded)."""
    policy = PasswordPolicy.from_api((api.get("Policies") or {}).get("PasswordPolicy"))
    admin = api.get("AdminCreateUserConfig") or {}
    invite = admin.get("InviteMessageTemplate") or {}
    email = api.get("EmailConfiguration") or {}
    template = api.get("VerificationMessageTemplate") or {}
    link = template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK"
    devices = api.get("DeviceConfiguration")
    schema = api.get("SchemaAttributes") or api.get("Schema") or []
    recovery = (api.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    sms = api.get("SmsConfiguration") or {}
    if devices:
        remember = "user_opt_in" if devices.get("DeviceOnlyRememberedOnUserPrompt") else "always"
    else:
        remember = "off"
    return {
        "sign_in.username_attributes": _sorted(api.get("UsernameAttributes")),
        # No UsernameConfiguration at all means a case-sensitive pool (reference 5.1).
        "sign_in.case_sensitive": (api.get("UsernameConfiguration") or {}).get(
            "CaseSensitive", True
        ),
        "attributes.required": _sorted(
            a["Name"] for a in schema if a.get("Required") and a["Name"] in STANDARD_ATTRIBUTES
        ),
        "attributes.auto_verified": _sorted(api.get("AutoVerifiedAttributes")),
        **{f"password_policy.{k}": v for k, v in asdict(policy).items()},
        "admin_create_user_only": admin.get("AllowAdminCreateUserOnly", False),
        "invitation.email_subject": invite.get("EmailSubject"),
        "invitation.email_message": invite.get("EmailMessage"),
        "invitation.sms_message": invite.get("SMSMessage"),
        "sms.role_arn": sms.get("SnsCallerArn"),
        "sms.external_id": sms.get("ExternalId"),
        "mfa.sms_message": api.get("SmsAuthenticationMessage"),
        "account_recovery.mechanisms": [
            m["Name"] for m in sorted(recovery, key=lambda m: m.get("Priority", 0))
        ],
        "email.sending_account": email.get("EmailSendingAccount", "COGNITO_DEFAULT"),
        "email.source_arn": email.get("SourceArn"),
        "email.from": email.get("From"),
        "email.reply_to": email.get("ReplyToEmailAddress"),
        "email.configuration_set": email.get("ConfigurationSet"),
        "verification.default_option": "link" if link else "code",
        "verification.email_subject": template.get(
            "EmailSubjectByLink" if link else "EmailSubject"
        ),
        "verification.email_message": template.get(
            "EmailMessageByLink" if link else "EmailMessage"
        ),
        "devices.remember": remember,
        "devices.challenge_required_on_new_device": bool(
            devices and devices.get("ChallengeRequiredOnNewDevice")
        ),
        "deletion_protection": api.get("DeletionProtection") == "ACTIVE",
        # No IssuerConfiguration means the original issuer form (reference 5.1).
        "issuer_format": str(
            (api.get("IssuerConfiguration") or {}).get("Type") or "ORIGINAL"
        ).lower(),
    }


# -- MFA ------------------------------------------------------------------------------------
def mfa_request(pool: PoolSpec) -> dict[str, Any]:
    """The SetUserPoolMfaConfig request (without UserPoolId)."""
    request: dict[str, Any] = {
        "MfaConfiguration": pool.mfa.mode.upper(),
        # [U] Sending Enabled=False together with OFF: the documented error is only for
        # OFF combined with an *enabled* factor.
        "SoftwareTokenMfaConfiguration": {"Enabled": pool.mfa.totp},
    }
    if pool.mfa.sms and pool.sms is not None:
        sms: dict[str, Any] = {"SmsConfiguration": _sms_configuration(pool)}
        if pool.mfa.sms_message is not None:
            sms["SmsAuthenticationMessage"] = pool.mfa.sms_message
        request["SmsMfaConfiguration"] = sms
    return request


def mfa_view(api: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a SetUserPoolMfaConfig request or a GetUserPoolMfaConfig response."""
    return {
        "mfa.mode": str(api.get("MfaConfiguration") or "OFF").lower(),
        "mfa.totp": bool((api.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled")),
        "mfa.sms": bool((api.get("SmsMfaConfiguration") or {}).get("SmsConfiguration")),
    }


def desired_pool_view(spec: Spec) -> dict[str, Any]:
    """Every managed pool field as the spec wants it (including MFA and tags)."""
    view = pool_view(pool_request(spec.pool))
    view.update(mfa_view(mfa_request(spec.pool)))
    view["tags"] = dict(sorted(spec.pool.tags.items()))
    # Optional texts the spec leaves out are Cognito's business (it fills in defaults), and
    # so is account recovery (the update keeps the described setting).
    if not spec.pool.account_recovery:
        view["account_recovery.mechanisms"] = None
    if spec.pool.issuer_format is None:
        view["issuer_format"] = None
    return view


def current_pool_view(
    described: Mapping[str, Any], mfa: Mapping[str, Any], tags: Mapping[str, str]
) -> dict[str, Any]:
    """Every managed pool field as Cognito reports it."""
    view = pool_view(described)
    view.update(mfa_view(mfa))
    view["tags"] = dict(sorted(tags.items()))
    return view


# -- clients --------------------------------------------------------------------------------
def client_request(client: ClientSpec) -> dict[str, Any]:
    """The CreateUserPoolClient request (without UserPoolId)."""
    request: dict[str, Any] = {
        "ClientName": client.name,
        "GenerateSecret": client.generate_secret,
        "RefreshTokenValidity": client.refresh_token_validity.value,
        "AccessTokenValidity": client.access_token_validity.value,
        "IdTokenValidity": client.id_token_validity.value,
        "TokenValidityUnits": {
            "RefreshToken": client.refresh_token_validity.unit,
            "AccessToken": client.access_token_validity.unit,
            "IdToken": client.id_token_validity.unit,
        },
        "ExplicitAuthFlows": list(client.auth_flows),
        "PreventUserExistenceErrors": "ENABLED"
        if client.prevent_user_existence_errors
        else "LEGACY",
        "EnableTokenRevocation": client.enable_token_revocation,
        "CallbackURLs": list(client.callback_urls),
        "LogoutURLs": list(client.logout_urls),
        "AllowedOAuthFlows": list(client.oauth_flows),
        "AllowedOAuthScopes": list(client.oauth_scopes),
        # Defaults to false and an update omitting it turns the hosted UI off (reference 7.3).
        "AllowedOAuthFlowsUserPoolClient": bool(client.oauth_flows),
        "SupportedIdentityProviders": list(client.identity_providers),
        "RefreshTokenRotation": _rotation(client),
    }
    if client.read_attributes is not None:
        request["ReadAttributes"] = list(client.read_attributes)
    if client.write_attributes is not None:
        request["WriteAttributes"] = list(client.write_attributes)
    return request


def _rotation(client: ClientSpec) -> dict[str, Any]:
    if not client.refresh_token_rotation:
        return {"Feature": "DISABLED"}
    grace = client.refresh_token_grace_period.seconds
    return {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace}


def client_update_request(
    client: ClientSpec, described: Mapping[str, Any], members: set[str]
) -> dict[str, Any]:
    """The full UpdateUserPoolClient request: described settings the spec does not manage
    (e.g. AuthSessionValidity) overlaid with the whole desired state."""
    request = {k: v for k, v in described.items() if k in members}
    request.update({k: v for k, v in client_request(client).items() if k in members})
    if request.get("DefaultRedirectURI") not in request.get("CallbackURLs", []):
        request.pop("DefaultRedirectURI", None)
    request["UserPoolId"] = described["UserPoolId"]
    request["ClientId"] = described["ClientId"]
    return request


def _validity(api: Mapping[str, Any], field: str, unit_key: str, default: Duration) -> str:
    value = api.get(field)
    if not value:  # absent, or RefreshTokenValidity 0 which Cognito reads as the default
        return default.normalized()
    unit = (api.get("TokenValidityUnits") or {}).get(unit_key) or default.unit
    return Duration(int(value), unit).normalized()


def client_view(api: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a CreateUserPoolClient request or a DescribeUserPoolClient `UserPoolClient`."""
    read = api.get("ReadAttributes")
    write = api.get("WriteAttributes")
    return {
        "generate_secret": bool(api.get("GenerateSecret") or api.get("ClientSecret")),
        "refresh_token_validity": _validity(
            api, "RefreshTokenValidity", "RefreshToken", Duration(30, "days")
        ),
        "access_token_validity": _validity(
            api, "AccessTokenValidity", "AccessToken", Duration(1, "hours")
        ),
        "id_token_validity": _validity(api, "IdTokenValidity", "IdToken", Duration(1, "hours")),
        "auth_flows": _sorted(api.get("ExplicitAuthFlows")),
        "prevent_user_existence_errors": api.get("PreventUserExistenceErrors") == "ENABLED",
        "enable_token_revocation": bool(api.get("EnableTokenRevocation")),
        "read_attributes": None if read is None else _sorted(read),
        "write_attributes": None if write is None else _sorted(write),
        "callback_urls": _sorted(api.get("CallbackURLs")),
        "logout_urls": _sorted(api.get("LogoutURLs")),
        "oauth_flows": _sorted(api.get("AllowedOAuthFlows")),
        "oauth_scopes": _sorted(api.get("AllowedOAuthScopes")),
        "oauth_enabled": bool(api.get("AllowedOAuthFlowsUserPoolClient")),
        "identity_providers": _sorted(api.get("SupportedIdentityProviders")),
        **_rotation_view(api.get("RefreshTokenRotation") or {}),
    }


def _rotation_view(rotation: Mapping[str, Any]) -> dict[str, Any]:
    """The grace period only counts while rotation is on (None: not compared)."""
    enabled = rotation.get("Feature") == "ENABLED"
    grace = Duration(int(rotation.get("RetryGracePeriodSeconds") or 0), "seconds")
    return {
        "refresh_token_rotation": enabled,
        "refresh_token_grace_period": grace.normalized() if enabled else None,
    }


# -- groups and users -----------------------------------------------------------------------
def group_request(group: GroupSpec) -> dict[str, Any]:
    """The CreateGroup request (without UserPoolId)."""
    request: dict[str, Any] = {"GroupName": group.name}
    if group.description is not None:
        request["Description"] = group.description
    if group.precedence is not None:
        request["Precedence"] = group.precedence
    return request


def group_view(api: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a CreateGroup request or a ListGroups entry."""
    return {"description": api.get("Description"), "precedence": api.get("Precedence")}


def user_login(spec: Spec, user: UserSpec) -> str:
    """The name an administrator uses for this user: the e-mail address in e-mail sign-in
    pools, otherwise the spec key."""
    return user.email if "email" in spec.pool.username_attributes else user.key


def user_attributes(user: UserSpec) -> list[dict[str, str]]:
    """The attributes AdminCreateUser sets; the address counts as verified because an
    administrator vouches for it (avoids a verification prompt at first sign-in)."""
    attrs = [{"Name": "email", "Value": user.email}, {"Name": "email_verified", "Value": "true"}]
    if user.name is not None:
        attrs.append({"Name": "name", "Value": user.name})
    return attrs


def user_view(attributes: Mapping[str, str], groups: Any) -> dict[str, Any]:
    """Flatten a user's attributes and group names."""
    return {"name": attributes.get("name"), "groups": _sorted(groups)}


def desired_user_view(user: UserSpec) -> dict[str, Any]:
    """The managed user fields as the spec wants them."""
    return user_view({"name": user.name} if user.name is not None else {}, user.groups)
