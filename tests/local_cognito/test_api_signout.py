"""Revocation and global sign-out: JWTs still verify, but Cognito-side checks reject them."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from cognito_sso.local.testing import DEFAULT_PASSWORD, CognitoFactory, password_auth


def sign_in(cognito_client: Any, client_id: str, username: str) -> dict[str, Any]:
    return dict(password_auth(cognito_client, client_id, username)["AuthenticationResult"])


def refresh(cognito_client: Any, client_id: str, token: str) -> Any:
    return cognito_client.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}
    )


def assert_rejected(cognito_client: Any, client_id: str, tokens: dict[str, Any]) -> None:
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as get_user:
        cognito_client.get_user(AccessToken=tokens["AccessToken"])
    assert get_user.value.response["Error"]["Message"] == "Access Token has been revoked"
    assert get_user.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as refreshed:
        refresh(cognito_client, client_id, tokens["RefreshToken"])
    assert refreshed.value.response["Error"]["Message"] == "Refresh Token has been revoked"


def assert_still_valid(cognito_client: Any, client_id: str, tokens: dict[str, Any]) -> None:
    cognito_client.get_user(AccessToken=tokens["AccessToken"])
    refresh(cognito_client, client_id, tokens["RefreshToken"])


@pytest.fixture
def setup(cognito_factory: CognitoFactory) -> dict[str, Any]:
    pool_id = cognito_factory.pool()
    billing = cognito_factory.app_client(pool_id)["ClientId"]
    reports = cognito_factory.app_client(pool_id)["ClientId"]
    user = cognito_factory.user(pool_id, "Signed.Out@Example.com")
    other = cognito_factory.user(pool_id, "bystander@example.com")
    return {
        "pool": pool_id,
        "billing": billing,
        "reports": reports,
        "sub": user["Username"],
        "other": other,
    }


def test_revoke_token_kills_only_that_family(
    local_idp: Any, cognito_client: Any, setup: dict[str, Any]
) -> None:
    first = sign_in(cognito_client, setup["billing"], "signed.out@example.com")
    second = sign_in(cognito_client, setup["billing"], "signed.out@example.com")
    refreshed = refresh(cognito_client, setup["billing"], first["RefreshToken"])[
        "AuthenticationResult"
    ]
    cognito_client.revoke_token(Token=first["RefreshToken"], ClientId=setup["billing"])
    assert_rejected(cognito_client, setup["billing"], first)
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.get_user(AccessToken=refreshed["AccessToken"])  # same origin_jti
    assert_still_valid(cognito_client, setup["billing"], second)
    # the revoked JWT still verifies cryptographically, as on AWS
    key_set = KeySet.import_key_set(local_idp.state.tokens.jwks(setup["pool"]))
    jwt.decode(first["AccessToken"], key_set, algorithms=["RS256"])
    # revoking again, or revoking garbage, is not an error (RFC 7009)
    cognito_client.revoke_token(Token=first["RefreshToken"], ClientId=setup["billing"])
    cognito_client.revoke_token(Token="not-a-token", ClientId=setup["billing"])


def test_revoke_token_rejects_access_tokens_and_disabled_clients(
    cognito_client: Any, cognito_factory: CognitoFactory, setup: dict[str, Any]
) -> None:
    tokens = sign_in(cognito_client, setup["billing"], "signed.out@example.com")
    with pytest.raises(cognito_client.exceptions.UnsupportedTokenTypeException):
        cognito_client.revoke_token(Token=tokens["AccessToken"], ClientId=setup["billing"])
    no_revocation = cognito_factory.app_client(setup["pool"], EnableTokenRevocation=False)[
        "ClientId"
    ]
    other = sign_in(cognito_client, no_revocation, "signed.out@example.com")
    with pytest.raises(cognito_client.exceptions.UnsupportedOperationException):
        cognito_client.revoke_token(Token=other["RefreshToken"], ClientId=no_revocation)


def test_revoke_token_with_secret_client_checks_secret(
    cognito_client: Any, cognito_factory: CognitoFactory, setup: dict[str, Any]
) -> None:
    client = cognito_factory.app_client(
        setup["pool"],
        secret=True,
        flows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    from cognito_sso.local.testing import secret_hash

    tokens = cognito_client.admin_initiate_auth(
        UserPoolId=setup["pool"],
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "signed.out@example.com",
            "PASSWORD": DEFAULT_PASSWORD,
            "SECRET_HASH": secret_hash(
                "signed.out@example.com", client["ClientId"], client["ClientSecret"]
            ),
        },
    )["AuthenticationResult"]
    with pytest.raises(cognito_client.exceptions.UnauthorizedException):
        cognito_client.revoke_token(
            Token=tokens["RefreshToken"], ClientId=client["ClientId"], ClientSecret="wrong" * 6
        )
    cognito_client.get_user(AccessToken=tokens["AccessToken"])
    cognito_client.revoke_token(
        Token=tokens["RefreshToken"],
        ClientId=client["ClientId"],
        ClientSecret=client["ClientSecret"],
    )
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.get_user(AccessToken=tokens["AccessToken"])


def test_global_sign_out_affects_every_client_of_the_user(
    cognito_client: Any, setup: dict[str, Any]
) -> None:
    billing = sign_in(cognito_client, setup["billing"], "signed.out@example.com")
    reports = sign_in(cognito_client, setup["reports"], "SIGNED.OUT@example.com")
    bystander = sign_in(cognito_client, setup["billing"], "bystander@example.com")
    cognito_client.global_sign_out(AccessToken=billing["AccessToken"])
    assert_rejected(cognito_client, setup["billing"], billing)
    assert_rejected(cognito_client, setup["reports"], reports)
    assert_still_valid(cognito_client, setup["billing"], bystander)
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.global_sign_out(AccessToken=billing["AccessToken"])
    # signing in again afterwards works at once
    assert_still_valid(
        cognito_client,
        setup["billing"],
        sign_in(cognito_client, setup["billing"], "signed.out@example.com"),
    )


@pytest.mark.parametrize("how", ["sub", "email-other-case"])
def test_admin_user_global_sign_out(cognito_client: Any, setup: dict[str, Any], how: str) -> None:
    tokens = sign_in(cognito_client, setup["billing"], "Signed.Out@Example.com")
    reports = sign_in(cognito_client, setup["reports"], "signed.out@example.com")
    username = setup["sub"] if how == "sub" else "SIGNED.out@EXAMPLE.com"
    cognito_client.admin_user_global_sign_out(UserPoolId=setup["pool"], Username=username)
    assert_rejected(cognito_client, setup["billing"], tokens)
    assert_rejected(cognito_client, setup["reports"], reports)


def test_admin_user_global_sign_out_unknown_user(
    cognito_client: Any, setup: dict[str, Any]
) -> None:
    with pytest.raises(cognito_client.exceptions.UserNotFoundException):
        cognito_client.admin_user_global_sign_out(
            UserPoolId=setup["pool"], Username="ghost@example.com"
        )


def test_garbage_and_foreign_access_tokens(cognito_client: Any, setup: dict[str, Any]) -> None:
    tokens = sign_in(cognito_client, setup["billing"], "signed.out@example.com")
    header, payload, signature = tokens["AccessToken"].split(".")
    tampered = ".".join(
        [header, payload, signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")]
    )
    for bad in ("garbage", "a.b.c", tampered, tokens["IdToken"]):
        with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as excinfo:
            cognito_client.get_user(AccessToken=bad)
        assert excinfo.value.response["Error"]["Message"] == "Invalid Access Token"


def test_expired_access_token(local_idp: Any, cognito_client: Any, setup: dict[str, Any]) -> None:
    tokens = sign_in(cognito_client, setup["billing"], "signed.out@example.com")
    service = local_idp.state.tokens
    real_clock = service._clock
    service._clock = lambda: real_clock() + 7200  # two hours later
    try:
        with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as excinfo:
            cognito_client.get_user(AccessToken=tokens["AccessToken"])
    finally:
        service._clock = real_clock
    assert excinfo.value.response["Error"]["Message"] == "Access Token has expired"
