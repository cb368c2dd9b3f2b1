"""App clients: Cognito's token-validity ranges and OAuth-setting rules (reference 5.2)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.client_checks import LEGACY_FLOWS
from cognito_sso.local.api.forwarding import forward_json, moto_reply
from cognito_sso.local.api.identity_providers import check_supported_providers
from cognito_sso.local.api.params import Params, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
    resource_not_found,
)
from cognito_sso.local.model import VALIDITY_UNIT_SECONDS
from cognito_sso.local.tokens.claims import ADMIN_SCOPE
from cognito_sso.urls import redirect_url_problem

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


_VALIDITY_LIMITS = {
    # field: (unit key, default unit, min seconds, max seconds)
    "AccessTokenValidity": ("AccessToken", "hours", 300, 86400),
    "IdTokenValidity": ("IdToken", "hours", 300, 86400),
    "RefreshTokenValidity": ("RefreshToken", "days", 3600, 3650 * 86400),
}


def _check_token_validity(params: Params) -> None:
    """Token validities (reference 3.4), AuthSessionValidity and the rotation grace period."""
    units = params.get("TokenValidityUnits") or {}
    for name, (unit_key, default_unit, low, high) in _VALIDITY_LIMITS.items():
        value = params.get(name)
        if value is None or (name == "RefreshTokenValidity" and value == 0):
            continue  # RefreshTokenValidity 0 means the 30-day default
        seconds = int(value) * VALIDITY_UNIT_SECONDS.get(
            str(units.get(unit_key) or default_unit), 0
        )
        if not low <= seconds <= high:
            raise invalid_parameter("Invalid range for token validity.")
    # boto3 checks only the lower bounds of these two; AWS refuses values above the model's
    # upper bounds ([U] the exact wording, AWS's usual validation message shape)
    session = params.get("AuthSessionValidity")
    if isinstance(session, int) and not 3 <= session <= 15:
        raise invalid_parameter(
            f"1 validation error detected: Value '{session}' at 'authSessionValidity' failed "
            "to satisfy constraint: Member must have value less than or equal to 15"
        )
    grace = (params.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds")
    if isinstance(grace, int) and not 0 <= grace <= 60:
        raise invalid_parameter(
            f"1 validation error detected: Value '{grace}' at "
            "'refreshTokenRotation.retryGracePeriodSeconds' failed to satisfy constraint: "
            "Member must have value less than or equal to 60"
        )


_RESERVED_SCOPES = frozenset({"openid", "email", "phone", "profile", ADMIN_SCOPE})


def _check_client_oauth(
    state: LocalCognito, params: Params, region: str, *, has_secret: bool
) -> None:
    """The client-settings rules of reference 5.2 that boto3 does not check itself.

    [U] the messages: AWS's exact wording for these refusals is not confirmed.
    """
    auth_flows = set(params.get("ExplicitAuthFlows") or ())
    if auth_flows & LEGACY_FLOWS and auth_flows - LEGACY_FLOWS:
        raise invalid_parameter("ExplicitAuthFlows cannot mix legacy values and ALLOW_* values")
    for field in ("CallbackURLs", "LogoutURLs"):
        for url in params.get(field) or ():
            problem = redirect_url_problem(url)
            if problem is not None:
                raise invalid_parameter(f"{field}: {url!r} {problem}")
    default = params.get("DefaultRedirectURI")
    if default is not None and default not in (params.get("CallbackURLs") or ()):
        raise invalid_parameter("DefaultRedirectURI must be one of the CallbackURLs")
    flows = list(params.get("AllowedOAuthFlows") or ())
    scopes = list(params.get("AllowedOAuthScopes") or ())
    if (flows or scopes) and not params.get("AllowedOAuthFlowsUserPoolClient"):
        raise invalid_parameter(
            "AllowedOAuthFlows and AllowedOAuthScopes need AllowedOAuthFlowsUserPoolClient=true"
        )
    if "client_credentials" in flows:
        if len(flows) > 1:
            raise CognitoError(
                "InvalidOAuthFlowException",
                "client_credentials flow can not be selected along with code flow or "
                "implicit flow.",
            )
        if not has_secret:
            raise CognitoError(
                "InvalidOAuthFlowException",
                "client_credentials flow can not be selected if client does not have a secret.",
            )
    custom = [scope for scope in scopes if scope not in _RESERVED_SCOPES]
    if custom:
        servers = forward_json(
            state,
            "ListResourceServers",
            {"UserPoolId": params["UserPoolId"], "MaxResults": 50},
            region,
        ).get("ResourceServers", [])
        known = {
            f"{server['Identifier']}/{scope['ScopeName']}"
            for server in servers
            for scope in server.get("Scopes") or ()
        }
        for scope in custom:
            if scope not in known:
                raise CognitoError(
                    "ScopeDoesNotExistException", f"Invalid scope requested: {scope}"
                )


@intercept("CreateUserPoolClient")
def create_user_pool_client(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """CreateUserPoolClient with Cognito's token-validity ranges and OAuth-setting rules."""
    state.directory.pool(required_str(params, "UserPoolId"))
    _check_token_validity(params)
    has_secret = bool(params.get("GenerateSecret")) or bool(params.get("ClientSecret"))
    _check_client_oauth(state, params, region, has_secret=has_secret)
    check_supported_providers(state, required_str(params, "UserPoolId"), params)
    created = forward_json(state, "CreateUserPoolClient", params, region)
    client_id = str(created["UserPoolClient"]["ClientId"])
    return {"UserPoolClient": state.directory.give_realistic_ids(client_id)}


@intercept("UpdateUserPoolClient")
def update_user_pool_client(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """UpdateUserPoolClient as AWS does it: a full replacement of the updatable fields."""
    pool_id = required_str(params, "UserPoolId")
    state.directory.pool(pool_id)
    _check_token_validity(params)
    client = state.directory.client(required_str(params, "ClientId"))
    _check_client_oauth(state, params, region, has_secret=client.secret is not None)
    check_supported_providers(state, pool_id, params)
    status, _headers, payload = state.directory.update_user_pool_client(
        json.dumps(params).encode(), region, pool_id, required_str(params, "ClientId")
    )
    return moto_reply(status, payload)


@intercept("DescribeUserPoolClient")
def describe_user_pool_client(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """DescribeUserPoolClient in AWS's shape (dates, TokenValidityUnits even when unset)."""
    pool_id = required_str(params, "UserPoolId")
    client = state.directory.client(required_str(params, "ClientId"))
    if client.pool_id != pool_id:
        raise resource_not_found(f"User pool client {client.id} does not exist.")
    return {"UserPoolClient": state.directory.describe_client(client.id)}
