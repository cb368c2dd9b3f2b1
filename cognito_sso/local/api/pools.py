"""User pools, their tags and domains: the calls moto gets wrong or lacks."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.forwarding import forward_json, moto_reply
from cognito_sso.local.api.params import Params, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.errors import invalid_parameter
from cognito_sso.local.tokens.issuer import ISSUER_FORMATS

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


def _check_issuer_configuration(params: Params) -> None:
    """`IssuerConfiguration.Type` is ORIGINAL or UPDATED (reference 1; botocore checks no enums)."""
    config = params.get("IssuerConfiguration")
    if config is not None and config.get("Type") not in ISSUER_FORMATS:
        raise invalid_parameter(
            "1 validation error detected: Value at 'issuerConfiguration.type' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ORIGINAL, UPDATED]"
        )


@intercept("CreateUserPool")
def create_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """CreateUserPool, with a Cognito-shaped pool id (`eu-west-1_AbC123def`).

    CreateUserPool only knows SMS MFA: ON/OPTIONAL needs an SMS configuration and phone
    verification (reference 5.1; TOTP is switched on with SetUserPoolMfaConfig)."""
    if params.get("MfaConfiguration") in ("ON", "OPTIONAL") and (
        not params.get("SmsConfiguration")
        or "phone_number" not in (params.get("AutoVerifiedAttributes") or [])
    ):
        raise invalid_parameter(
            "SMS configuration and Auto verification for phone_number are required when MFA "
            "is required/optional"
        )
    _check_issuer_configuration(params)
    created = forward_json(state, "CreateUserPool", params, region)
    return {"UserPool": state.directory.give_realistic_pool_id(str(created["UserPool"]["Id"]))}


@intercept("UpdateUserPool")
def update_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """UpdateUserPool that keeps the create-only settings (moto wipes them)."""
    pool_id = required_str(params, "UserPoolId")
    _check_issuer_configuration(params)
    state.directory.pool(pool_id)
    status, _headers, payload = state.directory.update_user_pool(
        json.dumps(params).encode(), region, pool_id
    )
    return moto_reply(status, payload)


@intercept("DescribeUserPool")
def describe_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """DescribeUserPool in AWS's shape: the attached domain (moto looks for it in the wrong
    place), one MFA mode, the issuer format and the fields moto leaves out."""
    return {"UserPool": state.directory.describe_pool(required_str(params, "UserPoolId"))}


@intercept("DeleteUserPool")
def delete_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """DeleteUserPool, refused under deletion protection or with a domain attached."""
    pool_id = required_str(params, "UserPoolId")
    reason = state.directory.deletion_blockers(pool_id)
    if reason is not None:
        raise invalid_parameter(reason)
    return forward_json(state, "DeleteUserPool", params, region)


@intercept("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """SetUserPoolMfaConfig, refusing "MFA OFF" together with an enabled factor (reference 5.1)."""
    totp = (params.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled") is True
    sms = bool((params.get("SmsMfaConfiguration") or {}).get("SmsConfiguration"))
    enabled = totp or sms
    if params.get("MfaConfiguration") == "OFF" and enabled:
        raise invalid_parameter(
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
        )
    return forward_json(state, "SetUserPoolMfaConfig", params, region)


@intercept("ListTagsForResource")
def list_tags_for_resource(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Tags of a user pool."""
    return {"Tags": state.directory.tags(required_str(params, "ResourceArn"))}


@intercept("TagResource")
def tag_resource(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Add tags to a user pool."""
    tags = params.get("Tags") or {}
    state.directory.tag(
        required_str(params, "ResourceArn"), {str(k): str(v) for k, v in tags.items()}
    )
    return {}


@intercept("UntagResource")
def untag_resource(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Remove tags from a user pool."""
    keys = params.get("TagKeys") or []
    state.directory.untag(required_str(params, "ResourceArn"), [str(k) for k in keys])
    return {}


_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@intercept("CreateUserPoolDomain")
def create_user_pool_domain(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """CreateUserPoolDomain with prefix rules and one owner per prefix."""
    pool_id = required_str(params, "UserPoolId")
    state.directory.pool(pool_id)
    domain = required_str(params, "Domain")
    if not params.get("CustomDomainConfig"):
        if not _DOMAIN_PREFIX.match(domain):
            raise invalid_parameter(f"Value '{domain}' at 'domain' failed to satisfy constraint")
        for reserved in ("aws", "amazon", "cognito"):
            if reserved in domain:
                raise invalid_parameter(f"Domain cannot contain reserved word: {reserved}")
    if state.directory.domain_owner(domain) is not None:
        raise invalid_parameter("Domain already associated with another user pool.")
    return forward_json(state, "CreateUserPoolDomain", params, region)
