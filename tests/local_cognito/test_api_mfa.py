"""TOTP MFA: per-user secrets, real code checks, MFA_SETUP and SOFTWARE_TOKEN_MFA challenges."""

from __future__ import annotations

import time
from typing import Any, Literal

import pyotp
import pytest

from cognito_sso.local.testing import CognitoFactory, password_auth


def mfa_pool(cognito_factory: CognitoFactory, mode: Literal["ON", "OPTIONAL"]) -> str:
    pool_id = cognito_factory.pool()
    cognito_factory.client.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration=mode, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    return pool_id


def respond(
    cognito_client: Any,
    client_id: str,
    challenge: Literal["MFA_SETUP", "SOFTWARE_TOKEN_MFA"],
    session: str,
    username: str,
    code: str | None = None,
) -> Any:
    """Answer ``challenge`` for ``username`` (with the TOTP ``code`` when given)."""
    responses = {"USERNAME": username}
    if code is not None:
        responses["SOFTWARE_TOKEN_MFA_CODE"] = code
    return cognito_client.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName=challenge, Session=session, ChallengeResponses=responses
    )


def mfa_user(cognito_factory: CognitoFactory, username: str) -> str:
    """The app client id of a new pool with MFA on and ``username`` in it."""
    pool_id = mfa_pool(cognito_factory, "ON")
    client_id: str = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, username)
    return client_id


def wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + delta) for delta in (-60, -30, 0, 30, 60)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)


def test_mfa_on_requires_setup_then_challenges(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = mfa_pool(cognito_factory, "ON")
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, "totp@example.com")
    setup = password_auth(cognito_client, client_id, "totp@example.com")
    assert setup["ChallengeName"] == "MFA_SETUP"
    associated = cognito_client.associate_software_token(Session=setup["Session"])
    secret = associated["SecretCode"]
    assert len(secret) >= 16 and secret != "asdfasdfasdf"
    with pytest.raises(cognito_client.exceptions.EnableSoftwareTokenMFAException):
        cognito_client.verify_software_token(
            Session=associated["Session"], UserCode=wrong_code(secret)
        )
    verified = cognito_client.verify_software_token(
        Session=associated["Session"], UserCode=pyotp.TOTP(secret).now()
    )
    assert verified["Status"] == "SUCCESS"
    done = respond(cognito_client, client_id, "MFA_SETUP", verified["Session"], "totp@example.com")
    assert "AccessToken" in done["AuthenticationResult"]
    described = cognito_client.admin_get_user(UserPoolId=pool_id, Username="totp@example.com")
    assert described["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert described["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    challenge = password_auth(cognito_client, client_id, "TOTP@example.com")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(cognito_client.exceptions.CodeMismatchException):
        respond(
            cognito_client,
            client_id,
            "SOFTWARE_TOKEN_MFA",
            challenge["Session"],
            "totp@example.com",
            wrong_code(secret),
        )
    tokens = respond(
        cognito_client,
        client_id,
        "SOFTWARE_TOKEN_MFA",
        challenge["Session"],
        "totp@example.com",
        pyotp.TOTP(secret).now(),
    )
    assert "IdToken" in tokens["AuthenticationResult"]


def test_mfa_setup_without_verification_gives_no_tokens(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    client_id = mfa_user(cognito_factory, "lazy@example.com")
    setup = password_auth(cognito_client, client_id, "lazy@example.com")
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        respond(cognito_client, client_id, "MFA_SETUP", setup["Session"], "lazy@example.com")


def test_optional_mfa_only_challenges_users_who_enabled_totp(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = mfa_pool(cognito_factory, "OPTIONAL")
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, "opt@example.com")
    cognito_factory.user(pool_id, "plain@example.com")
    tokens = password_auth(cognito_client, client_id, "opt@example.com")["AuthenticationResult"]
    access = tokens["AccessToken"]
    secret = cognito_client.associate_software_token(AccessToken=access)["SecretCode"]
    other_secret = cognito_client.associate_software_token(
        AccessToken=password_auth(cognito_client, client_id, "plain@example.com")[
            "AuthenticationResult"
        ]["AccessToken"]
    )["SecretCode"]
    assert secret != other_secret  # per-user secrets
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.set_user_mfa_preference(
            AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
    cognito_client.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())
    # verified but not yet enabled: no challenge
    assert "AuthenticationResult" in password_auth(cognito_client, client_id, "opt@example.com")
    cognito_client.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    assert (
        password_auth(cognito_client, client_id, "opt@example.com")["ChallengeName"]
        == "SOFTWARE_TOKEN_MFA"
    )
    assert "AuthenticationResult" in password_auth(cognito_client, client_id, "plain@example.com")
    cognito_client.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="OPT@example.com", SoftwareTokenMfaSettings={"Enabled": False}
    )
    assert "AuthenticationResult" in password_auth(cognito_client, client_id, "opt@example.com")


def test_totp_challenge_session_dies_after_five_wrong_codes(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    """A six-digit code must not be guessable inside one challenge session."""
    client_id = mfa_user(cognito_factory, "guess@example.com")
    setup = password_auth(cognito_client, client_id, "guess@example.com")
    secret = cognito_client.associate_software_token(Session=setup["Session"])["SecretCode"]
    cognito_client.verify_software_token(
        Session=setup["Session"], UserCode=pyotp.TOTP(secret).now()
    )

    def answer(session: str, code: str) -> Any:
        return respond(
            cognito_client, client_id, "SOFTWARE_TOKEN_MFA", session, "guess@example.com", code
        )

    challenge = password_auth(cognito_client, client_id, "guess@example.com")
    for _ in range(4):
        with pytest.raises(cognito_client.exceptions.CodeMismatchException):
            answer(challenge["Session"], wrong_code(secret))
    assert (
        "AccessToken"
        in answer(challenge["Session"], pyotp.TOTP(secret).now())["AuthenticationResult"]
    )  # four wrong codes are forgiven

    challenge = password_auth(cognito_client, client_id, "guess@example.com")
    for _ in range(5):
        with pytest.raises(cognito_client.exceptions.CodeMismatchException):
            answer(challenge["Session"], wrong_code(secret))
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException, match="session"):
        answer(challenge["Session"], pyotp.TOTP(secret).now())
