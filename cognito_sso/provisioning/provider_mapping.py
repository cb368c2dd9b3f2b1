"""Identity providers: spec <-> CreateIdentityProvider / DescribeIdentityProvider shapes.

As in `mapping`, the plan compares `provider_view(provider_request(spec))` with
`provider_view(described)`. The client secret is compared but never shown: `masked_views`
replaces it in both views by the name of its environment variable or "(another secret)".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from cognito_sso.provisioning.provider_spec import API_TYPES, IdentityProviderSpec

KIND = "identity provider"  # the resource kind in plans
CREATE_ONLY = frozenset({"type"})  # UpdateIdentityProvider cannot change ProviderType
_SECRET = "client_secret"  # noqa: S105 - the field name, not a secret
_TYPE_NAMES = {api: spec for spec, api in API_TYPES.items()}


def provider_secret(provider: IdentityProviderSpec) -> str | None:
    """The client secret from the provider's `client_secret_env`, None when unset."""
    if provider.client_secret_env is None:
        return None
    return os.environ.get(provider.client_secret_env) or None


def provider_details(provider: IdentityProviderSpec, secret: str | None) -> dict[str, str]:
    """ProviderDetails by type (the API's spelling); the secret only when known."""
    if provider.type == "saml":
        details = {"IDPSignout": "true" if provider.idp_sign_out else "false"}
        if provider.metadata_url is not None:
            details["MetadataURL"] = provider.metadata_url
        if provider.metadata is not None:
            details["MetadataFile"] = provider.metadata
        return details
    details = {"client_id": provider.client_id or "", "authorize_scopes": " ".join(provider.scopes)}
    if provider.type == "oidc":
        details["oidc_issuer"] = provider.issuer or ""
        details["attributes_request_method"] = provider.attributes_request_method
    if secret is not None:
        details[_SECRET] = secret
    return details


def provider_request(provider: IdentityProviderSpec, secret: str | None) -> dict[str, Any]:
    """The CreateIdentityProvider request (without UserPoolId)."""
    request: dict[str, Any] = {
        "ProviderName": provider.name,
        "ProviderType": provider.api_type,
        "ProviderDetails": provider_details(provider, secret),
        "AttributeMapping": dict(provider.attribute_mapping),
    }
    if provider.identifiers:
        request["IdpIdentifiers"] = list(provider.identifiers)
    return request


def provider_update_request(
    provider: IdentityProviderSpec, described: Mapping[str, Any], secret: str | None
) -> dict[str, Any]:
    """The full UpdateIdentityProvider request; without a secret in the environment the
    described one is kept. Endpoints Cognito discovered from the issuer are not sent back (a
    new issuer must be discovered again)."""
    if secret is None:
        secret = (described.get("ProviderDetails") or {}).get(_SECRET)
    request = provider_request(provider, secret)
    del request["ProviderType"]
    request["IdpIdentifiers"] = list(provider.identifiers)
    request["UserPoolId"] = described["UserPoolId"]
    return request


def provider_view(api: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a CreateIdentityProvider request or a DescribeIdentityProvider result."""
    details = api.get("ProviderDetails") or {}
    kind = _TYPE_NAMES.get(str(api.get("ProviderType")), str(api.get("ProviderType")))
    mapping = dict(api.get("AttributeMapping") or {})
    # [U] Cognito adds username -> sub to OIDC providers by itself; only a spec that maps
    # username manages it.
    if mapping.get("username") == "sub":
        del mapping["username"]
    view: dict[str, Any] = {"type": kind}
    if kind == "saml":
        view["metadata_url"] = details.get("MetadataURL")
        view["metadata_file"] = details.get("MetadataFile")
        view["idp_sign_out"] = details.get("IDPSignout") == "true"
    else:
        view["client_id"] = details.get("client_id")
        view[_SECRET] = details.get(_SECRET)
        view["scopes"] = sorted(str(details.get("authorize_scopes", "")).split())
    if kind == "oidc":
        view["issuer"] = details.get("oidc_issuer")
        view["attributes_request_method"] = details.get("attributes_request_method", "GET")
    view["attribute_mapping"] = dict(sorted(mapping.items()))
    view["identifiers"] = sorted(api.get("IdpIdentifiers") or [])
    return view


def masked_views(
    provider: IdentityProviderSpec, desired: dict[str, Any], current: dict[str, Any] | None
) -> None:
    """Replace the secret in both views (in place) by what may be shown: `$ENV` when it is the
    one in the environment, "(another secret)" otherwise; unmanaged without the variable."""
    if _SECRET not in desired:
        return
    wanted = desired[_SECRET]
    shown = f"${provider.client_secret_env}"
    desired[_SECRET] = None if wanted is None else shown
    if current is not None:
        same = wanted is not None and current.get(_SECRET) == wanted
        current[_SECRET] = shown if same else "(another secret)"
