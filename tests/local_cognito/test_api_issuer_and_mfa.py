"""Both issuer formats (IssuerConfiguration) and one source of truth for the pool's MFA mode."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from cognito_sso.local.testing import CognitoFactory, password_auth


def password_tokens(cognito_client: Any, client_id: str, email: str) -> dict[str, Any]:
    result = password_auth(cognito_client, client_id, email)
    return dict(result["AuthenticationResult"])


def discovery(url: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_updated_issuer_is_reported_and_must_be_read_from_discovery(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    base = local_idp.base_url
    pool_id = cognito_factory.pool(IssuerConfiguration={"Type": "UPDATED"})
    described = cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["IssuerConfiguration"] == {"Type": "UPDATED"}

    # discovery where provisioning looks, {endpoint}/{poolId}, names an issuer that is not
    # {endpoint}/{poolId}; the document beside that issuer says the same
    issuer = discovery(f"{base}/{pool_id}")["issuer"]
    assert issuer.startswith(base + "/") and issuer.endswith(f"/{pool_id}")
    assert issuer != f"{base}/{pool_id}"
    beside = discovery(issuer)
    assert beside["issuer"] == issuer
    keys = httpx.get(beside["jwks_uri"], timeout=10).json()

    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, "updated@example.com")
    tokens = password_tokens(cognito_client, client_id, "updated@example.com")
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        claims = jwt.decode(token, KeySet.import_key_set(keys)).claims
        assert claims["iss"] == issuer
    cognito_client.get_user(AccessToken=tokens["AccessToken"])  # the IdP accepts its own

    # an update that does not name IssuerConfiguration keeps it ([U], see the adapter)
    cognito_client.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"][
        "IssuerConfiguration"
    ] == {"Type": "UPDATED"}
    assert discovery(f"{base}/{pool_id}")["issuer"] == issuer


def test_original_issuer_is_the_default(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    base = local_idp.base_url
    pool_id = cognito_factory.pool()
    described = cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["IssuerConfiguration"] == {"Type": "ORIGINAL"}
    assert discovery(f"{base}/{pool_id}")["issuer"] == f"{base}/{pool_id}"
    # nothing is served under the UPDATED form for an ORIGINAL pool
    updated_form = discovery(f"{base}/{pool_id}")["issuer"].replace(pool_id, f"issuer/{pool_id}")
    missing = httpx.get(f"{updated_form}/.well-known/openid-configuration", timeout=10)
    assert missing.status_code == 404


def test_a_token_with_the_other_issuer_form_is_refused(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    """GetUser checks `iss` against the pool's own format, not just the host."""
    pool_id = cognito_factory.pool(IssuerConfiguration={"Type": "ORIGINAL"})
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, "form@example.com")
    access = password_tokens(cognito_client, client_id, "form@example.com")["AccessToken"]
    state = local_idp.state
    claims = jwt.decode(access, KeySet.import_key_set(state.tokens.jwks(pool_id))).claims
    keys = state.tokens.key_store.for_pool(pool_id)
    forged = jwt.encode(
        {"alg": "RS256", "kid": keys.access_kid},
        {**claims, "iss": f"{local_idp.base_url}/issuer/{pool_id}"},
        keys.access_key,
    )
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException, match="Invalid"):
        cognito_client.get_user(AccessToken=forged)


def test_an_unknown_issuer_type_is_refused(cognito_client: Any) -> None:
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.create_user_pool(PoolName="bad-issuer", IssuerConfiguration={"Type": "NEW"})


def test_describe_user_pool_and_get_user_pool_mfa_config_agree(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    cognito_client.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )

    def modes() -> tuple[str, str]:
        described = cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        config = cognito_client.get_user_pool_mfa_config(UserPoolId=pool_id)
        return described["MfaConfiguration"], config["MfaConfiguration"]

    assert modes() == ("OPTIONAL", "OPTIONAL")
    cognito_client.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OPTIONAL")
    assert modes() == ("OPTIONAL", "OPTIONAL")
    # an UpdateUserPool without MfaConfiguration resets it to OFF (reference 5.5)
    cognito_client.update_user_pool(UserPoolId=pool_id)
    assert modes() == ("OFF", "OFF")
