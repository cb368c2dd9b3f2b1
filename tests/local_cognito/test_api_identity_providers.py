"""Identity providers through the JSON API (boto3 against the local IdP): the checks moto
does not make, and GetIdentityProviderByIdentifier, which moto lacks."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_sso.local.testing import CognitoFactory

OIDC_DETAILS = {
    "client_id": "corp-client",
    "client_secret": "corp-secret",
    "authorize_scopes": "openid email",
    "attributes_request_method": "GET",
    "oidc_issuer": "https://idp.example.com",
}


def _create(factory: CognitoFactory, pool_id: str, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ProviderName": "Corp",
        "ProviderType": "OIDC",
        "ProviderDetails": OIDC_DETAILS,
        "AttributeMapping": {"email": "email"},
    }
    params.update(overrides)
    return dict(factory.client.create_identity_provider(**params)["IdentityProvider"])


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def test_create_describe_list_update_delete(cognito_factory: CognitoFactory) -> None:
    client = cognito_factory.client
    pool_id = cognito_factory.pool()
    created = _create(cognito_factory, pool_id, IdpIdentifiers=["corp.example"])
    assert created["ProviderName"] == "Corp"
    assert created["ProviderDetails"] == OIDC_DETAILS
    described = client.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    assert described["IdentityProvider"]["AttributeMapping"] == {"email": "email"}
    listed = client.list_identity_providers(UserPoolId=pool_id)["Providers"]
    assert [(p["ProviderName"], p["ProviderType"]) for p in listed] == [("Corp", "OIDC")]
    by_identifier = client.get_identity_provider_by_identifier(
        UserPoolId=pool_id, IdpIdentifier="corp.example"
    )
    assert by_identifier["IdentityProvider"]["ProviderName"] == "Corp"
    client.update_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderDetails={**OIDC_DETAILS, "authorize_scopes": "openid"},
    )
    updated = client.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    assert updated["IdentityProvider"]["ProviderDetails"]["authorize_scopes"] == "openid"
    client.delete_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    assert client.list_identity_providers(UserPoolId=pool_id)["Providers"] == []


def test_saml_and_google_providers_are_stored(cognito_factory: CognitoFactory) -> None:
    pool_id = cognito_factory.pool()
    _create(
        cognito_factory,
        pool_id,
        ProviderName="Entra",
        ProviderType="SAML",
        ProviderDetails={"MetadataURL": "https://login.example.com/metadata.xml"},
    )
    _create(
        cognito_factory,
        pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={"client_id": "g", "client_secret": "s", "authorize_scopes": "email"},
    )
    listed = cognito_factory.client.list_identity_providers(UserPoolId=pool_id)["Providers"]
    assert {p["ProviderName"] for p in listed} == {"Entra", "Google"}


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"ProviderName": "Has space"}, "InvalidParameterException"),
        ({"ProviderName": "_Corp"}, "InvalidParameterException"),
        ({"ProviderName": "COGNITO"}, "InvalidParameterException"),
        ({"ProviderName": "MyGoogle", "ProviderType": "Google"}, "InvalidParameterException"),
        ({"ProviderDetails": {"client_id": "x"}}, "InvalidParameterException"),
        (
            {"ProviderDetails": {**OIDC_DETAILS, "oidc_issuer": "http://idp.example.com"}},
            "InvalidParameterException",
        ),
        (
            {"ProviderDetails": {**OIDC_DETAILS, "attributes_request_method": "PUT"}},
            "InvalidParameterException",
        ),
        ({"IdpIdentifiers": ["a.example", "A.example"]}, "InvalidParameterException"),
    ],
)
def test_bad_providers_are_refused(
    cognito_factory: CognitoFactory, overrides: dict[str, Any], code: str
) -> None:
    pool_id = cognito_factory.pool()
    with pytest.raises(ClientError) as excinfo:
        _create(cognito_factory, pool_id, **overrides)
    assert _error(excinfo) == code


def test_duplicates_are_refused(cognito_factory: CognitoFactory) -> None:
    pool_id = cognito_factory.pool()
    _create(cognito_factory, pool_id, IdpIdentifiers=["corp.example"])
    with pytest.raises(ClientError) as excinfo:
        _create(cognito_factory, pool_id)
    assert _error(excinfo) == "DuplicateProviderException"
    with pytest.raises(ClientError) as excinfo:
        _create(cognito_factory, pool_id, ProviderName="Other", IdpIdentifiers=["CORP.example"])
    assert _error(excinfo) == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        cognito_factory.client.get_identity_provider_by_identifier(
            UserPoolId=pool_id, IdpIdentifier="nobody.example"
        )
    assert _error(excinfo) == "ResourceNotFoundException"


def test_clients_may_only_name_existing_providers(cognito_factory: CognitoFactory) -> None:
    pool_id = cognito_factory.pool()
    with pytest.raises(ClientError) as excinfo:
        cognito_factory.oauth_client(pool_id, SupportedIdentityProviders=["COGNITO", "Corp"])
    assert _error(excinfo) == "InvalidParameterException"
    assert "Corp" in excinfo.value.response["Error"]["Message"]
    _create(cognito_factory, pool_id)
    created = cognito_factory.oauth_client(pool_id, SupportedIdentityProviders=["COGNITO", "Corp"])
    assert created["SupportedIdentityProviders"] == ["COGNITO", "Corp"]
