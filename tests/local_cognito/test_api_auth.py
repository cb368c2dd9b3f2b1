"""Sign-in, challenges, tokens and their claims over the JSON API (boto3 on loopback)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from cognito_sso.local.testing import DEFAULT_PASSWORD, CognitoFactory, password_auth, secret_hash

NEW_PASSWORD = "N3w!Passw0rd"


def verify(local_idp: Any, pool_id: str, token: str) -> dict[str, Any]:
    """Verify a token with joserfc against the JWKS served at `{issuer}/.well-known/jwks.json`."""
    served = httpx.get(f"{local_idp.base_url}/{pool_id}/.well-known/jwks.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == local_idp.state.tokens.jwks(pool_id)
    key_set = KeySet.import_key_set(served.json())
    decoded = jwt.decode(token, key_set, algorithms=["RS256"])
    return {"header": decoded.header, "claims": dict(decoded.claims)}


@pytest.fixture
def pool_id(cognito_factory: CognitoFactory) -> str:
    return cognito_factory.pool(
        Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}]
    )


def test_temporary_password_new_password_required_then_tokens_verify(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory, pool_id: str
) -> None:
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(
        pool_id, "Ann@Example.com", permanent=False, groups=["staff"], attributes={"name": "Ann"}
    )
    first = password_auth(cognito_client, client_id, "ann@example.com")
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in first

    weak = cognito_client.exceptions.InvalidPasswordException
    with pytest.raises(weak):
        cognito_client.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=first["Session"],
            ChallengeResponses={"USERNAME": "ann@example.com", "NEW_PASSWORD": "short"},
        )
    done = cognito_client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={"USERNAME": "ann@example.com", "NEW_PASSWORD": NEW_PASSWORD},
    )
    result = done["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600

    issuer = f"{local_idp.base_url}/{pool_id}"
    id_token = verify(local_idp, pool_id, result["IdToken"])
    access = verify(local_idp, pool_id, result["AccessToken"])
    assert id_token["header"]["kid"] != access["header"]["kid"]
    assert len(id_token["header"]["kid"]) == 44
    assert set(id_token["header"]) == {"kid", "alg"}
    idc, acc = id_token["claims"], access["claims"]
    sub = idc["sub"]
    assert idc["iss"] == acc["iss"] == issuer
    assert idc["aud"] == client_id and acc["client_id"] == client_id
    assert "aud" not in acc
    assert idc["token_use"] == "id" and acc["token_use"] == "access"
    assert idc["cognito:username"] == sub == acc["username"]  # email-username pool
    assert idc["email"] == "Ann@Example.com" and idc["email_verified"] is True
    assert idc["name"] == "Ann"
    assert idc["cognito:groups"] == acc["cognito:groups"] == ["staff"]
    assert idc["origin_jti"] == acc["origin_jti"]
    assert idc["jti"] != acc["jti"]
    assert idc["event_id"] == acc["event_id"]
    assert acc["scope"] == "aws.cognito.signin.user.admin"
    assert acc["version"] == 2
    assert idc["exp"] - idc["iat"] == 3600
    # reference 3.1: at_hash only on ID tokens of the authorization server (hosted UI/OAuth),
    # not on InitiateAuth ones (test_web_fidelity checks both sides)
    assert "at_hash" not in idc
    assert "nonce" not in idc

    refresh = result["RefreshToken"]
    assert refresh.count(".") == 4  # JWE-shaped and opaque
    user = cognito_client.get_user(AccessToken=result["AccessToken"])
    assert user["Username"] == sub
    assert (
        cognito_client.admin_get_user(UserPoolId=pool_id, Username=sub)["UserStatus"] == "CONFIRMED"
    )
    # the new password now works, the temporary one does not
    assert "AuthenticationResult" in password_auth(
        cognito_client, client_id, "ANN@example.com", NEW_PASSWORD
    )
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        password_auth(cognito_client, client_id, "ann@example.com")


def test_new_password_required_asks_for_missing_required_attributes(
    cognito_client: Any, cognito_factory: CognitoFactory, local_idp: Any
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user("late@example.com", permanent=False)
    # the pool gains a required attribute the user does not have (possible only via the side door)
    with local_idp.state.lock:
        moto_pool = local_idp.state.directory.moto.pool(pool_id)
        moto_pool.schema_attributes["name"].required = True
    first = password_auth(cognito_client, client_id, "late@example.com")
    assert first["ChallengeParameters"]["requiredAttributes"] == '["userAttributes.name"]'
    responses = {"USERNAME": "late@example.com", "NEW_PASSWORD": NEW_PASSWORD}
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=first["Session"],
            ChallengeResponses=responses,
        )
    done = cognito_client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={**responses, "userAttributes.name": "Late Comer"},
    )
    claims = verify(local_idp, pool_id, done["AuthenticationResult"]["IdToken"])["claims"]
    assert claims["name"] == "Late Comer"


def test_challenge_session_is_single_use_and_bound_to_client(
    cognito_client: Any, cognito_factory: CognitoFactory, pool_id: str
) -> None:
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    other_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, "once@example.com", permanent=False, attributes={"name": "O"})
    session = password_auth(cognito_client, client_id, "once@example.com")["Session"]
    responses = {"USERNAME": "once@example.com", "NEW_PASSWORD": NEW_PASSWORD}
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as wrong_client:
        cognito_client.respond_to_auth_challenge(
            ClientId=other_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses=responses,
        )
    assert "session is expired" in str(wrong_client.value)
    cognito_client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses=responses,
    )
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses=responses,
        )


def test_token_lifetimes_follow_client_settings(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(
        pool_id,
        AccessTokenValidity=5,
        IdTokenValidity=5,
        RefreshTokenValidity=60,
        TokenValidityUnits={
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "minutes",
        },
    )["ClientId"]
    cognito_factory.user(pool_id, "short@example.com")
    result = password_auth(cognito_client, client_id, "short@example.com")["AuthenticationResult"]
    assert result["ExpiresIn"] == 300
    for token in (result["IdToken"], result["AccessToken"]):
        claims = verify(local_idp, pool_id, token)["claims"]
        assert claims["exp"] - claims["iat"] == 300


def test_refresh_token_validity_zero_means_thirty_days(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id, RefreshTokenValidity=0)["ClientId"]
    cognito_factory.user(pool_id, "zero@example.com")
    first = password_auth(cognito_client, client_id, "zero@example.com")["AuthenticationResult"]
    refreshed = cognito_client.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    assert "AccessToken" in refreshed["AuthenticationResult"]


def test_admin_initiate_auth_and_refresh_keep_auth_time(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user("admin.flow@example.com")
    result = cognito_client.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "Admin.Flow@example.com", "PASSWORD": DEFAULT_PASSWORD},
    )["AuthenticationResult"]
    first = verify(local_idp, pool_id, result["IdToken"])["claims"]
    refreshed = cognito_client.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed  # no rotation by default
    again = verify(local_idp, pool_id, refreshed["IdToken"])["claims"]
    assert again["auth_time"] == first["auth_time"]
    assert again["origin_jti"] == first["origin_jti"]
    assert again["jti"] != first["jti"]
    cognito_client.get_user(AccessToken=refreshed["AccessToken"])


def test_get_tokens_from_refresh_token_rotates_only_when_enabled(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    plain = cognito_factory.app_client(pool_id)["ClientId"]
    rotating = cognito_factory.app_client(
        pool_id, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    )["ClientId"]
    cognito_factory.user(pool_id, "rot@example.com")
    token = password_auth(cognito_client, plain, "rot@example.com")["AuthenticationResult"][
        "RefreshToken"
    ]
    same = cognito_client.get_tokens_from_refresh_token(RefreshToken=token, ClientId=plain)
    assert "RefreshToken" not in same["AuthenticationResult"]

    first = password_auth(cognito_client, rotating, "rot@example.com")["AuthenticationResult"][
        "RefreshToken"
    ]
    rotated = cognito_client.get_tokens_from_refresh_token(RefreshToken=first, ClientId=rotating)
    second = rotated["AuthenticationResult"]["RefreshToken"]
    assert second != first
    with pytest.raises(cognito_client.exceptions.RefreshTokenReuseException):
        cognito_client.get_tokens_from_refresh_token(RefreshToken=first, ClientId=rotating)
    cognito_client.get_tokens_from_refresh_token(RefreshToken=second, ClientId=rotating)
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.initiate_auth(
            ClientId=rotating,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": second},
        )


def test_revoking_a_rotated_out_refresh_token_ends_its_family(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    """An app that revokes the refresh token it holds at logout must end the session even
    when that token was already rotated out (reference 2.5: the whole origin_jti family)."""
    pool_id = cognito_factory.pool()
    rotating = cognito_factory.app_client(
        pool_id, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30}
    )["ClientId"]
    cognito_factory.user(pool_id, "fam@example.com")
    first = password_auth(cognito_client, rotating, "fam@example.com")["AuthenticationResult"]
    rotated = cognito_client.get_tokens_from_refresh_token(
        RefreshToken=first["RefreshToken"], ClientId=rotating
    )["AuthenticationResult"]
    cognito_client.revoke_token(Token=first["RefreshToken"], ClientId=rotating)
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException, match="revoked"):
        cognito_client.get_tokens_from_refresh_token(
            RefreshToken=rotated["RefreshToken"], ClientId=rotating
        )
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException, match="revoked"):
        cognito_client.get_user(AccessToken=rotated["AccessToken"])


def test_refresh_token_of_another_client_or_garbage_is_invalid(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    one = cognito_factory.app_client(pool_id)["ClientId"]
    two = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, "cross@example.com")
    token = password_auth(cognito_client, one, "cross@example.com")["AuthenticationResult"][
        "RefreshToken"
    ]
    for client_id, refresh in ((two, token), (one, "garbage"), (one, "a.b.c.d.e")):
        with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as excinfo:
            cognito_client.initiate_auth(
                ClientId=client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh},
            )
        assert excinfo.value.response["Error"]["Message"] == "Invalid Refresh Token"


def test_disabled_and_deleted_users(cognito_client: Any, cognito_factory: CognitoFactory) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    user = cognito_factory.user(pool_id, "gone@example.com")
    result = password_auth(cognito_client, client_id, "gone@example.com")["AuthenticationResult"]
    cognito_client.admin_disable_user(UserPoolId=pool_id, Username="GONE@example.com")
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as disabled:
        password_auth(cognito_client, client_id, "gone@example.com")
    assert disabled.value.response["Error"]["Message"] == "User is disabled."
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.get_user(AccessToken=result["AccessToken"])
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
        )
    # re-enabling does not bring the revoked tokens back
    cognito_client.admin_enable_user(UserPoolId=pool_id, Username=user["Username"])
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as revoked:
        cognito_client.get_user(AccessToken=result["AccessToken"])
    assert revoked.value.response["Error"]["Message"] == "Access Token has been revoked"
    fresh = password_auth(cognito_client, client_id, "gone@example.com")["AuthenticationResult"]
    cognito_client.admin_delete_user(UserPoolId=pool_id, Username=user["Username"])
    with pytest.raises(cognito_client.exceptions.UserNotFoundException):
        cognito_client.get_user(AccessToken=fresh["AccessToken"])
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": fresh["RefreshToken"]},
        )


def test_secret_hash_enforced(cognito_client: Any, cognito_factory: CognitoFactory) -> None:
    pool_id = cognito_factory.pool()
    client = cognito_factory.app_client(pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    cognito_factory.user(pool_id, "hash@example.com")
    params = {"USERNAME": "hash@example.com", "PASSWORD": DEFAULT_PASSWORD}
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as missing:
        cognito_client.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert missing.value.response["Error"]["Message"] == (
        f"Client {client_id} is configured for secret but secret was not received"
    )
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as wrong:
        cognito_client.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={
                **params,
                "SECRET_HASH": secret_hash("other@example.com", client_id, secret),
            },
        )
    assert (
        wrong.value.response["Error"]["Message"]
        == f"Unable to verify secret hash for client {client_id}"
    )
    good = cognito_client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            **params,
            "SECRET_HASH": secret_hash("hash@example.com", client_id, secret),
        },
    )["AuthenticationResult"]
    sub = cognito_client.get_user(AccessToken=good["AccessToken"])["Username"]
    refreshed = cognito_client.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": good["RefreshToken"],
            "SECRET_HASH": secret_hash(sub, client_id, secret),
        },
    )
    assert "AccessToken" in refreshed["AuthenticationResult"]


def test_non_ascii_secrets_are_refused_not_crashed(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    """Hostile SECRET_HASH / ClientSecret values with non-ASCII characters: a clean 400."""
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id, secret=True)["ClientId"]
    cognito_factory.user(pool_id, "utf@example.com")
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "utf@example.com",
                "PASSWORD": DEFAULT_PASSWORD,
                "SECRET_HASH": "\u00e9" * 44,
            },
        )
    with pytest.raises(cognito_client.exceptions.UnauthorizedException):
        cognito_client.revoke_token(Token="x", ClientId=client_id, ClientSecret="\u00e9" * 52)
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        password_auth(
            cognito_client,
            cognito_factory.app_client(pool_id)["ClientId"],
            "utf@example.com",
            "P\u00e4ssw\u00f6rd!1",
        )


def test_auth_flow_must_be_enabled(cognito_client: Any, cognito_factory: CognitoFactory) -> None:
    pool_id = cognito_factory.pool()
    refresh_only = cognito_factory.app_client(pool_id, flows=["ALLOW_REFRESH_TOKEN_AUTH"])[
        "ClientId"
    ]
    cognito_factory.user(pool_id, "flow@example.com")
    with pytest.raises(cognito_client.exceptions.InvalidParameterException) as user_flow:
        password_auth(cognito_client, refresh_only, "flow@example.com")
    assert (
        user_flow.value.response["Error"]["Message"]
        == "USER_PASSWORD_AUTH flow not enabled for this client"
    )
    with pytest.raises(cognito_client.exceptions.InvalidParameterException) as admin_flow:
        cognito_client.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=refresh_only,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "flow@example.com", "PASSWORD": DEFAULT_PASSWORD},
        )
    assert (
        "ADMIN_USER_PASSWORD_AUTH flow not enabled" in admin_flow.value.response["Error"]["Message"]
    )


@pytest.mark.parametrize("prevent", ["ENABLED", "LEGACY"])
def test_prevent_user_existence_errors(
    cognito_client: Any, cognito_factory: CognitoFactory, prevent: str
) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id, PreventUserExistenceErrors=prevent)["ClientId"]
    cognito_factory.user(pool_id, "exists@example.com")
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as wrong_password:
        password_auth(cognito_client, client_id, "exists@example.com", "Wrong!Passw0rd")
    assert wrong_password.value.response["Error"]["Message"] == "Incorrect username or password."
    if prevent == "ENABLED":
        with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as unknown:
            password_auth(cognito_client, client_id, "nobody@example.com")
        assert unknown.value.response["Error"]["Message"] == "Incorrect username or password."
        delivery = cognito_client.forgot_password(ClientId=client_id, Username="nobody@example.com")
        assert delivery["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    else:
        with pytest.raises(cognito_client.exceptions.UserNotFoundException) as unknown:
            password_auth(cognito_client, client_id, "nobody@example.com")
        assert unknown.value.response["Error"]["Message"] == "User does not exist."
        with pytest.raises(cognito_client.exceptions.UserNotFoundException):
            cognito_client.forgot_password(ClientId=client_id, Username="nobody@example.com")


def test_temporary_password_expires(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool(
        Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 1}}
    )
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    user = cognito_factory.user(pool_id, "stale@example.com", permanent=False)
    key = (pool_id, user["Username"])
    with local_idp.state.lock:  # move the temporary password two days into the past
        local_idp.state.directory._password_set_at[key] -= 2 * 86400
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as expired:
        password_auth(cognito_client, client_id, "stale@example.com")
    assert expired.value.response["Error"]["Message"] == (
        "Temporary password has expired and must be reset by an administrator."
    )
    # RESEND issues a new temporary password and restarts the validity period
    cognito_client.admin_create_user(
        UserPoolId=pool_id,
        Username="stale@example.com",
        MessageAction="RESEND",
        TemporaryPassword="Fresh!Temp1",
    )
    again = password_auth(cognito_client, client_id, "stale@example.com", "Fresh!Temp1")
    assert again["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_flows_of_the_other_api_and_unsupported_flows(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(
        pool_id,
        flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"],
    )["ClientId"]
    params = {"USERNAME": "x@example.com", "PASSWORD": DEFAULT_PASSWORD}
    with pytest.raises(cognito_client.exceptions.InvalidParameterException) as admin_on_public:
        cognito_client.initiate_auth(
            ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert (
        admin_on_public.value.response["Error"]["Message"] == "Initiate Auth method not supported."
    )
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters=params,
        )
    with pytest.raises(cognito_client.exceptions.InvalidParameterException) as srp:
        cognito_client.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "x", "SRP_A": "1"},
        )
    assert "not supported by the local IdP" in srp.value.response["Error"]["Message"]
