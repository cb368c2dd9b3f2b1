"""Identity providers of a pool (CreateIdentityProvider & co.): the checks moto does not make.

moto stores providers as given; Cognito also refuses duplicate names and identifiers,
malformed names, OIDC providers without their required details, and app clients that name
providers the pool does not have. [U] the wording of these refusals.

Unlike AWS, the local IdP does not read the OIDC discovery document when a provider is
created, so DescribeIdentityProvider shows ProviderDetails exactly as given ([U] AWS adds the
discovered ``authorize_url``, ``token_url``, ``attributes_url`` and ``jwks_uri``); endpoints
are discovered at sign-in instead. SAML, Google and the other social providers are stored
(provisioning works) but signing in through them is not emulated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from cognito_sso.errors import ConfigurationError
from cognito_sso.local.api.forwarding import forward_json
from cognito_sso.local.api.params import Params, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.errors import CognitoError, invalid_parameter, resource_not_found
from cognito_sso.urls import require_https_or_loopback
from cognito_sso.userpool import COGNITO_PROVIDER, provider_name_problem

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito

OIDC_REQUIRED: Final = ("client_id", "authorize_scopes", "oidc_issuer")
OIDC_URLS: Final = ("oidc_issuer", "authorize_url", "token_url", "attributes_url", "jwks_uri")


def _check_name(name: str, provider_type: str) -> None:
    problem = provider_name_problem(name, provider_type)
    if problem is not None:
        raise invalid_parameter(f"Invalid provider name {name!r}: {problem}.")


def _check_oidc_details(details: Any) -> None:
    if not isinstance(details, dict):
        raise invalid_parameter("ProviderDetails is required.")
    for key in OIDC_REQUIRED:
        if not isinstance(details.get(key), str) or not details[key].strip():
            raise invalid_parameter(f"ProviderDetails must contain {key}.")
    if details.get("attributes_request_method", "GET") not in ("GET", "POST"):
        raise invalid_parameter("attributes_request_method must be GET or POST.")
    for key in OIDC_URLS:
        if key in details:
            try:
                require_https_or_loopback(details[key], key)
            except ConfigurationError as error:
                raise invalid_parameter(str(error)) from None


def _check_identifiers(state: LocalCognito, pool_id: str, name: str, params: Params) -> None:
    identifiers = params.get("IdpIdentifiers") or []
    taken = {
        identifier.casefold()
        for provider in state.federation.providers(pool_id)
        if provider.name != name
        for identifier in provider.idp_identifiers
    }
    if len({i.casefold() for i in identifiers}) != len(identifiers) or any(
        i.casefold() in taken for i in identifiers
    ):
        raise invalid_parameter("Duplicate identifier in IdpIdentifiers.")


@intercept("CreateIdentityProvider")
def create_identity_provider(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """CreateIdentityProvider with Cognito's checks on names, details and identifiers."""
    pool_id = required_str(params, "UserPoolId")
    name = required_str(params, "ProviderName")
    provider_type = required_str(params, "ProviderType")
    state.directory.pool(pool_id)
    _check_name(name, provider_type)
    if state.federation.provider(pool_id, name) is not None:
        raise CognitoError(
            "DuplicateProviderException", f"A provider with the name {name} already exists."
        )
    if provider_type == "OIDC":
        _check_oidc_details(params.get("ProviderDetails"))
    _check_identifiers(state, pool_id, name, params)
    return forward_json(state, "CreateIdentityProvider", params, region)


@intercept("UpdateIdentityProvider")
def update_identity_provider(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """UpdateIdentityProvider, with the same checks as CreateIdentityProvider."""
    pool_id = required_str(params, "UserPoolId")
    name = required_str(params, "ProviderName")
    state.directory.pool(pool_id)
    provider = state.federation.provider(pool_id, name)
    if provider is None:
        raise resource_not_found(f"Identity provider {name} does not exist.")
    if provider.type == "OIDC" and "ProviderDetails" in params:
        _check_oidc_details(params["ProviderDetails"])
    _check_identifiers(state, pool_id, name, params)
    return forward_json(state, "UpdateIdentityProvider", params, region)


@intercept("GetIdentityProviderByIdentifier")
def get_identity_provider_by_identifier(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """The provider that lists an identifier in its IdpIdentifiers (moto lacks this call)."""
    pool_id = required_str(params, "UserPoolId")
    identifier = required_str(params, "IdpIdentifier")
    state.directory.pool(pool_id)
    provider = state.federation.provider_by_identifier(pool_id, identifier)
    if provider is None:
        raise resource_not_found(f"Identity provider with identifier {identifier} does not exist.")
    return forward_json(
        state,
        "DescribeIdentityProvider",
        {"UserPoolId": pool_id, "ProviderName": provider.name},
        region,
    )


def check_supported_providers(state: LocalCognito, pool_id: str, params: Params) -> None:
    """An app client may only name COGNITO and identity providers of its pool."""
    for name in params.get("SupportedIdentityProviders") or ():
        if name != COGNITO_PROVIDER and state.federation.provider(pool_id, name) is None:
            raise invalid_parameter(f"The provider {name} does not exist for User Pool {pool_id}")
