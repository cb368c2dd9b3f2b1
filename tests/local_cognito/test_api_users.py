"""Admin and self-service user management: the moto gaps we fix, checked over the JSON API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cognito_sso.local.testing import DEFAULT_PASSWORD, CognitoFactory, password_auth
from cognito_sso.userpool import MAX_ATTRIBUTE_VALUE
from tests.tokens import claims_of

INVITE = {
    "EmailSubject": "Welcome to the demo",
    "EmailMessage": "Hello {username}, your temporary password is {####}.",
    "SMSMessage": "User {username} code {####}",
}


@pytest.fixture
def outbox(local_idp: Any) -> Any:
    return local_idp.state.outbox


def messages_to(outbox: Any, address: str) -> list[dict[str, str]]:
    return [m for m in outbox.messages() if m["to"] == address]


def code_in(message: dict[str, str]) -> str:
    match = re.search(r"\b(\d{6})\b", message["body"])
    assert match, message
    return match.group(1)


def test_admin_create_user_sends_invitation_from_pool_template(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id = cognito_factory.pool(
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True, "InviteMessageTemplate": INVITE}
    )
    cognito_client.admin_create_user(
        UserPoolId=pool_id,
        Username="Invited@Example.com",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    [message] = messages_to(outbox, "Invited@Example.com")
    assert message["subject"] == "Welcome to the demo"
    match = re.fullmatch(
        r"Hello Invited@Example\.com, your temporary password is (\S+)\.", message["body"]
    )
    assert match, message["body"]
    temporary = match.group(1)
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    challenge = password_auth(cognito_client, client_id, "invited@example.com", temporary)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert message["sent_at"].endswith("Z")


def test_admin_create_user_suppress_and_resend(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id = cognito_factory.pool(AdminCreateUserConfig={"InviteMessageTemplate": INVITE})
    created = cognito_client.admin_create_user(
        UserPoolId=pool_id,
        Username="quiet@example.com",
        MessageAction="SUPPRESS",
        TemporaryPassword="Temp!Pass1",
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {"Name": "email", "Value": "quiet@example.com"} in created["Attributes"]
    assert messages_to(outbox, "quiet@example.com") == []
    cognito_client.admin_create_user(
        UserPoolId=pool_id, Username="QUIET@example.com", MessageAction="RESEND"
    )
    [message] = messages_to(outbox, "quiet@example.com")
    assert "Temp!Pass1" not in message["body"]  # a new temporary password
    users = cognito_client.list_users(UserPoolId=pool_id)["Users"]
    assert [u["Username"] for u in users] == [created["Username"]]  # still one user, same sub
    with pytest.raises(cognito_client.exceptions.UserNotFoundException):
        cognito_client.admin_create_user(
            UserPoolId=pool_id, Username="nobody@example.com", MessageAction="RESEND"
        )


def test_admin_create_user_enforces_required_attributes(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool(
        Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}]
    )
    with pytest.raises(cognito_client.exceptions.InvalidParameterException) as excinfo:
        cognito_client.admin_create_user(
            UserPoolId=pool_id, Username="noname@example.com", MessageAction="SUPPRESS"
        )
    assert "name" in excinfo.value.response["Error"]["Message"]
    cognito_client.admin_create_user(
        UserPoolId=pool_id,
        Username="named@example.com",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "name", "Value": "Named"}],
    )


def test_admin_create_user_enforces_temporary_password_policy(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    for weak in ("x", "alllowercase1!", "NoNumbers!!", "NoSymbols123"):
        with pytest.raises(cognito_client.exceptions.InvalidPasswordException):
            cognito_client.admin_create_user(
                UserPoolId=pool_id,
                Username="weak@example.com",
                TemporaryPassword=weak,
                MessageAction="SUPPRESS",
            )
    assert cognito_client.list_users(UserPoolId=pool_id)["Users"] == []
    with pytest.raises(cognito_client.exceptions.InvalidPasswordException):
        cognito_client.admin_set_user_password(
            UserPoolId=pool_id,
            Username=cognito_factory.user(pool_id, "set@example.com")["Username"],
            Password="weak",
            Permanent=True,
        )


def test_case_insensitive_usernames_everywhere(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    user = cognito_factory.user(pool_id, "Mixed.Case@Example.com", groups=["g1"])
    with pytest.raises(cognito_client.exceptions.UsernameExistsException):
        cognito_client.admin_create_user(
            UserPoolId=pool_id, Username="mixed.case@example.com", MessageAction="SUPPRESS"
        )
    for variant in ("mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM", user["Username"]):
        assert (
            cognito_client.admin_get_user(UserPoolId=pool_id, Username=variant)["Username"]
            == user["Username"]
        )
    groups = cognito_client.admin_list_groups_for_user(
        UserPoolId=pool_id, Username="MIXED.case@example.com"
    )
    assert [g["GroupName"] for g in groups["Groups"]] == ["g1"]
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    password_auth(cognito_client, client_id, "mixed.CASE@example.COM")


def test_case_sensitive_pool_keeps_case(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool(
        email_username=False, UsernameConfiguration={"CaseSensitive": True}
    )
    cognito_client.admin_create_user(UserPoolId=pool_id, Username="Bob", MessageAction="SUPPRESS")
    cognito_client.admin_create_user(UserPoolId=pool_id, Username="bob", MessageAction="SUPPRESS")
    with pytest.raises(cognito_client.exceptions.UserNotFoundException):
        cognito_client.admin_get_user(UserPoolId=pool_id, Username="BOB")


def test_sign_up_refused_when_admin_create_only(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool(AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as excinfo:
        cognito_client.sign_up(
            ClientId=client_id, Username="self@example.com", Password=DEFAULT_PASSWORD
        )
    assert (
        excinfo.value.response["Error"]["Message"] == "SignUp is not permitted for this user pool"
    )
    assert cognito_client.list_users(UserPoolId=pool_id)["Users"] == []


def test_sign_up_and_confirm(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    signed = cognito_client.sign_up(
        ClientId=client_id, Username="Self@Example.com", Password=DEFAULT_PASSWORD
    )
    assert signed["UserConfirmed"] is False
    with pytest.raises(cognito_client.exceptions.UsernameExistsException):
        cognito_client.sign_up(
            ClientId=client_id, Username="self@example.com", Password=DEFAULT_PASSWORD
        )
    with pytest.raises(cognito_client.exceptions.UserNotConfirmedException):
        password_auth(cognito_client, client_id, "self@example.com", "wrong-but-unconfirmed")
    [message] = messages_to(outbox, "Self@Example.com")
    with pytest.raises(cognito_client.exceptions.CodeMismatchException):
        cognito_client.confirm_sign_up(
            ClientId=client_id,
            Username="self@example.com",
            ConfirmationCode="000000" if code_in(message) != "000000" else "111111",
        )
    cognito_client.confirm_sign_up(
        ClientId=client_id, Username="self@example.com", ConfirmationCode=code_in(message)
    )
    user = cognito_client.admin_get_user(UserPoolId=pool_id, Username="self@example.com")
    assert user["UserStatus"] == "CONFIRMED"
    assert user["Username"] == signed["UserSub"]


def test_forgot_password_round_trip(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id = cognito_factory.pool(
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailSubject": "Reset code",
            "EmailMessage": "Your code is {####}",
        }
    )
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_factory.user(pool_id, "forgot@example.com")
    delivery = cognito_client.forgot_password(ClientId=client_id, Username="FORGOT@example.com")
    assert delivery["CodeDeliveryDetails"] == {
        "Destination": "f***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [message] = messages_to(outbox, "forgot@example.com")
    assert message["subject"] == "Reset code"
    code = code_in(message)
    with pytest.raises(cognito_client.exceptions.InvalidPasswordException):
        cognito_client.confirm_forgot_password(
            ClientId=client_id,
            Username="forgot@example.com",
            ConfirmationCode=code,
            Password="weak",
        )
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(cognito_client.exceptions.CodeMismatchException):
        cognito_client.confirm_forgot_password(
            ClientId=client_id,
            Username="forgot@example.com",
            ConfirmationCode=wrong,
            Password="Brand!New1",
        )
    cognito_client.confirm_forgot_password(
        ClientId=client_id,
        Username="forgot@example.com",
        ConfirmationCode=code,
        Password="Brand!New1",
    )
    with pytest.raises(cognito_client.exceptions.ExpiredCodeException):  # single use
        cognito_client.confirm_forgot_password(
            ClientId=client_id,
            Username="forgot@example.com",
            ConfirmationCode=code,
            Password="Brand!New2",
        )
    password_auth(cognito_client, client_id, "forgot@example.com", "Brand!New1")


def test_admin_reset_user_password_requires_reset(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user("reset@example.com")
    cognito_client.admin_reset_user_password(UserPoolId=pool_id, Username="Reset@example.com")
    with pytest.raises(cognito_client.exceptions.PasswordResetRequiredException):
        password_auth(cognito_client, client_id, "reset@example.com")
    [message] = messages_to(outbox, "reset@example.com")
    cognito_client.confirm_forgot_password(
        ClientId=client_id,
        Username="reset@example.com",
        ConfirmationCode=code_in(message),
        Password="After!Reset1",
    )
    assert (
        cognito_client.admin_get_user(UserPoolId=pool_id, Username="reset@example.com")[
            "UserStatus"
        ]
        == "CONFIRMED"
    )


def test_change_password_and_self_service_attributes(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    _pool_id, client_id = cognito_factory.pool_with_user("self.service@example.com")
    access = password_auth(cognito_client, client_id, "self.service@example.com")[
        "AuthenticationResult"
    ]["AccessToken"]
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.change_password(
            PreviousPassword="Wrong!Pass1", ProposedPassword="Next!Pass1", AccessToken=access
        )
    with pytest.raises(cognito_client.exceptions.InvalidPasswordException):
        cognito_client.change_password(
            PreviousPassword=DEFAULT_PASSWORD, ProposedPassword="weak", AccessToken=access
        )
    cognito_client.change_password(
        PreviousPassword=DEFAULT_PASSWORD, ProposedPassword="Next!Pass1", AccessToken=access
    )
    cognito_client.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "name", "Value": "Selfie"}]
    )
    attributes = {
        a["Name"]: a["Value"] for a in cognito_client.get_user(AccessToken=access)["UserAttributes"]
    }
    assert attributes["name"] == "Selfie"


def test_tags_round_trip_and_match_describe(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool(UserPoolTags={"team": "platform"})
    arn = cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    assert cognito_client.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "platform"}
    cognito_client.tag_resource(ResourceArn=arn, Tags={"env": "local", "team": "identity"})
    cognito_client.untag_resource(ResourceArn=arn, TagKeys=["missing-is-fine"])
    expected = {"team": "identity", "env": "local"}
    assert cognito_client.list_tags_for_resource(ResourceArn=arn)["Tags"] == expected
    assert (
        cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolTags"]
        == expected
    )
    cognito_client.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert cognito_client.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity"}
    with pytest.raises(cognito_client.exceptions.ResourceNotFoundException):
        cognito_client.list_tags_for_resource(ResourceArn=arn + "nope")


def test_update_user_pool_keeps_create_only_settings_and_resets_the_rest(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool(AutoVerifiedAttributes=["email"], UserPoolTags={"a": "b"})
    cognito_client.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    cognito_client.update_user_pool(
        UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 10}}
    )
    pool = cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    # omitted, the MFA mode takes its default too (reference 5.5): one value for both readers
    assert pool["MfaConfiguration"] == "OFF"
    assert cognito_client.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert "AutoVerifiedAttributes" not in pool  # omitted updatable field: reset (full replacement)
    assert not pool.get("UserPoolTags")
    # users are still addressed by e-mail, with the sub as Username
    created = cognito_client.admin_create_user(
        UserPoolId=pool_id, Username="after@example.com", MessageAction="SUPPRESS"
    )
    assert created["User"]["Username"] != "after@example.com"
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.admin_create_user(
            UserPoolId=pool_id, Username="not-an-email", MessageAction="SUPPRESS"
        )


def test_sign_up_confirmation_by_link(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id = cognito_factory.pool(
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailSubjectByLink": "Verify your e-mail",
            "EmailMessageByLink": "Please confirm: {##Verify Email##}",
        }
    )
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    signed = cognito_client.sign_up(
        ClientId=client_id, Username="link@example.com", Password=DEFAULT_PASSWORD
    )
    [message] = messages_to(outbox, "link@example.com")
    assert message["subject"] == "Verify your e-mail"
    match = re.fullmatch(
        r"Please confirm: Verify Email: (http://\S+/confirmUser\?client_id=(\w+)&user_name=([\w-]+)&confirmation_code=(\d{6}))",
        message["body"],
    )
    assert match, message["body"]
    assert match.group(1).startswith(local_idp.base_url + "/confirmUser?")
    assert match.group(2) == client_id and match.group(3) == signed["UserSub"]
    cognito_client.confirm_sign_up(
        ClientId=client_id, Username=match.group(3), ConfirmationCode=match.group(4)
    )


def test_resend_confirmation_code(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    cognito_client.sign_up(
        ClientId=client_id, Username="again@example.com", Password=DEFAULT_PASSWORD
    )
    first = code_in(messages_to(outbox, "again@example.com")[-1])
    cognito_client.resend_confirmation_code(ClientId=client_id, Username="AGAIN@example.com")
    second = code_in(messages_to(outbox, "again@example.com")[-1])
    if first != second:
        with pytest.raises(cognito_client.exceptions.CodeMismatchException):
            cognito_client.confirm_sign_up(
                ClientId=client_id, Username="again@example.com", ConfirmationCode=first
            )
    cognito_client.confirm_sign_up(
        ClientId=client_id, Username="again@example.com", ConfirmationCode=second
    )
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.resend_confirmation_code(ClientId=client_id, Username="again@example.com")


def test_verify_email_attribute(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    _pool_id, client_id = cognito_factory.pool_with_user(
        "verify.me@example.com", attributes={"email_verified": "false"}
    )
    access = password_auth(cognito_client, client_id, "verify.me@example.com")[
        "AuthenticationResult"
    ]["AccessToken"]
    delivery = cognito_client.get_user_attribute_verification_code(
        AccessToken=access, AttributeName="email"
    )
    assert delivery["CodeDeliveryDetails"]["AttributeName"] == "email"
    code = code_in(messages_to(outbox, "verify.me@example.com")[-1])
    cognito_client.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    attributes = {
        a["Name"]: a["Value"] for a in cognito_client.get_user(AccessToken=access)["UserAttributes"]
    }
    assert attributes["email_verified"] == "true"


def test_generated_client_secrets_look_like_cognitos(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    created = cognito_factory.app_client(pool_id, secret=True)
    assert re.fullmatch(r"[a-z0-9]{52}", created["ClientSecret"])
    described = cognito_client.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=created["ClientId"]
    )
    assert described["UserPoolClient"]["ClientSecret"] == created["ClientSecret"]


def test_challenge_session_expires(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id, AuthSessionValidity=3)["ClientId"]
    cognito_factory.user(pool_id, "slow@example.com", permanent=False)
    session = password_auth(cognito_client, client_id, "slow@example.com")["Session"]
    auth = local_idp.state.auth
    real_clock = auth._clock
    auth._clock = lambda: real_clock() + 181
    try:
        with pytest.raises(cognito_client.exceptions.NotAuthorizedException) as excinfo:
            cognito_client.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": "slow@example.com", "NEW_PASSWORD": "Brand!New1"},
            )
    finally:
        auth._clock = real_clock
    assert (
        excinfo.value.response["Error"]["Message"]
        == "Invalid session for the user, session is expired."
    )


def test_update_user_pool_cannot_turn_mfa_on(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON")
    assert cognito_client.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    cognito_client.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OFF")


def test_delete_user_and_attributes_by_access_token(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user(
        "leaving@example.com", attributes={"nickname": "bye"}
    )
    tokens = password_auth(cognito_client, client_id, "leaving@example.com")["AuthenticationResult"]
    cognito_client.delete_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributeNames=["nickname"]
    )
    names = {
        a["Name"]
        for a in cognito_client.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]
    }
    assert "nickname" not in names and "email" in names
    cognito_client.delete_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(cognito_client.exceptions.UserNotFoundException):
        cognito_client.admin_get_user(UserPoolId=pool_id, Username="leaving@example.com")
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.get_user(AccessToken=tokens["AccessToken"])


def test_admin_challenge_and_secret_client_refresh(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    from cognito_sso.local.testing import secret_hash

    pool_id = cognito_factory.pool()
    client = cognito_factory.app_client(pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    cognito_factory.user(pool_id, "adm@example.com", permanent=False)
    first = cognito_client.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "adm@example.com",
            "PASSWORD": DEFAULT_PASSWORD,
            "SECRET_HASH": secret_hash("adm@example.com", client_id, secret),
        },
    )
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    responses = {"USERNAME": "adm@example.com", "NEW_PASSWORD": "Adm!nNew1"}
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.admin_respond_to_auth_challenge(
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=first["Session"],
            ChallengeResponses=responses,
        )
    done = cognito_client.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={
            **responses,
            "SECRET_HASH": secret_hash("adm@example.com", client_id, secret),
        },
    )["AuthenticationResult"]
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):
        cognito_client.get_tokens_from_refresh_token(
            RefreshToken=done["RefreshToken"], ClientId=client_id, ClientSecret="x" * 52
        )
    fresh = cognito_client.get_tokens_from_refresh_token(
        RefreshToken=done["RefreshToken"], ClientId=client_id, ClientSecret=secret
    )
    assert "AccessToken" in fresh["AuthenticationResult"]


def test_attribute_updates_follow_cognito_rules(
    cognito_client: Any, cognito_factory: CognitoFactory, outbox: Any
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user("first@example.com")
    cognito_factory.user(pool_id, "Taken@Example.com")
    with pytest.raises(cognito_client.exceptions.AliasExistsException):
        cognito_client.admin_update_user_attributes(
            UserPoolId=pool_id,
            Username="first@example.com",
            UserAttributes=[{"Name": "email", "Value": "taken@example.com"}],
        )
    with pytest.raises(cognito_client.exceptions.InvalidParameterException):
        cognito_client.admin_update_user_attributes(
            UserPoolId=pool_id,
            Username="first@example.com",
            UserAttributes=[{"Name": "sub", "Value": "x"}],
        )
    access = password_auth(cognito_client, client_id, "first@example.com")["AuthenticationResult"][
        "AccessToken"
    ]
    result = cognito_client.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email", "Value": "moved@example.com"}]
    )
    assert result["CodeDeliveryDetailsList"][0]["AttributeName"] == "email"
    attributes = {
        a["Name"]: a["Value"] for a in cognito_client.get_user(AccessToken=access)["UserAttributes"]
    }
    assert attributes["email"] == "moved@example.com" and attributes["email_verified"] == "false"
    code = code_in(messages_to(outbox, "moved@example.com")[-1])
    cognito_client.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    cognito_client.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="MOVED@example.com",
        UserAttributes=[
            {"Name": "email", "Value": "again@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert cognito_client.admin_get_user(UserPoolId=pool_id, Username="again@example.com")[
        "Enabled"
    ]


def test_attribute_values_longer_than_cognito_allows_are_refused(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user("first@example.com")
    longest = "é" * (MAX_ATTRIBUTE_VALUE // 2)  # two UTF-8 bytes each
    cognito_client.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="first@example.com",
        UserAttributes=[{"Name": "name", "Value": longest}],
    )
    too_long = [{"Name": "given_name", "Value": "Ann"}, {"Name": "name", "Value": longest + "x"}]
    calls = {
        "AdminUpdateUserAttributes": lambda: cognito_client.admin_update_user_attributes(
            UserPoolId=pool_id, Username="first@example.com", UserAttributes=too_long
        ),
        "AdminCreateUser": lambda: cognito_client.admin_create_user(
            UserPoolId=pool_id, Username="second@example.com", UserAttributes=too_long
        ),
        "SignUp": lambda: cognito_client.sign_up(
            ClientId=client_id,
            Username="third@example.com",
            Password=DEFAULT_PASSWORD,
            UserAttributes=too_long,
        ),
    }
    for name, call in calls.items():
        with pytest.raises(cognito_client.exceptions.InvalidParameterException) as raised:
            call()
        message = raised.value.response["Error"]["Message"]
        assert "'userAttributes.2.member.value'" in message, name
        assert f"less than or equal to {MAX_ATTRIBUTE_VALUE}" in message, name
        assert "é" not in message, name
    attributes = cognito_client.admin_get_user(UserPoolId=pool_id, Username="first@example.com")
    assert {"Name": "name", "Value": longest} in attributes["UserAttributes"]
    assert not [a for a in attributes["UserAttributes"] if a["Name"] == "given_name"]


def test_an_unreadable_identities_attribute_is_left_out_of_tokens(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    """An administrator may store any text in ``identities``; tokens are still issued, without
    the claim (what Cognito does then is [U]). Nested too deeply for Python's json, it used to
    fail the sign-in with InternalErrorException."""
    pool_id, client_id = cognito_factory.pool_with_user("first@example.com")
    entry = {"userId": "u1", "providerName": "Corp", "providerType": "OIDC", "primary": True}
    for value, kept in (
        (json.dumps([entry]), True),
        ("not json", False),
        ("[" * (MAX_ATTRIBUTE_VALUE // 2) + "]" * (MAX_ATTRIBUTE_VALUE // 2), False),
    ):
        cognito_client.admin_update_user_attributes(
            UserPoolId=pool_id,
            Username="first@example.com",
            UserAttributes=[{"Name": "identities", "Value": value}],
        )
        result = password_auth(cognito_client, client_id, "first@example.com")
        claims = claims_of(result["AuthenticationResult"]["IdToken"])
        assert ("identities" in claims) is kept, value[:20]
