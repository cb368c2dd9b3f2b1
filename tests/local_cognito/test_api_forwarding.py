"""The JSON API over real HTTP: forwarding to moto and the error wire format."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from cognito_sso.local.testing import CognitoFactory

TARGET = "AWSCognitoIdentityProviderService."


def raw_call(base_url: str, target: str | None, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        headers["X-Amz-Target"] = target
    return httpx.post(base_url + "/", content=body, headers=headers, timeout=10)


def test_pool_client_and_user_round_trip(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool("forwarding")
    assert re.fullmatch(r"eu-west-1_[0-9A-Za-z]{9}", pool_id)  # Cognito's shape
    arn = cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    assert arn.endswith(f":userpool/{pool_id}")
    client = cognito_factory.app_client(pool_id)
    described = cognito_client.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"]
    )
    assert described["UserPoolClient"]["ClientName"] == client["ClientName"]
    user = cognito_factory.user(pool_id, "round.trip@example.com", groups=["admins"])
    assert user["UserStatus"] == "CONFIRMED"
    groups = cognito_client.admin_list_groups_for_user(
        UserPoolId=pool_id, Username=user["Username"]
    )
    assert [g["GroupName"] for g in groups["Groups"]] == ["admins"]


def test_missing_pool_is_resource_not_found(cognito_client: Any) -> None:
    with pytest.raises(cognito_client.exceptions.ResourceNotFoundException):
        cognito_client.describe_user_pool(UserPoolId="eu-west-1_doesnotexist")


def test_error_wire_format(local_idp: Any) -> None:
    body = json.dumps({"UserPoolId": "eu-west-1_nope"}).encode()
    response = raw_call(local_idp.base_url, TARGET + "DescribeUserPool", body)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException:"
    assert response.json() == {
        "__type": "ResourceNotFoundException",
        "message": "User pool eu-west-1_nope does not exist.",
    }


@pytest.mark.parametrize(
    ("target", "body", "expected"),
    [
        (None, b"{}", "UnknownOperationException"),
        (TARGET + "NoSuchAction", b"{}", "UnknownOperationException"),
        (TARGET + "CreateUserPool", b"not json", "SerializationException"),
        (TARGET + "CreateUserPool", b"[1, 2]", "SerializationException"),
        (TARGET + "CreateUserPool", b"{}", "InvalidParameterException"),
        (TARGET + "CreateUserPool", b'{"PoolName": 5}', "SerializationException"),
    ],
)
def test_malformed_requests_get_clean_json_400(
    local_idp: Any, target: str | None, body: bytes, expected: str
) -> None:
    response = raw_call(local_idp.base_url, target, body)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == f"{expected}:"
    assert response.json()["__type"] == expected


def test_moto_not_implemented_becomes_clean_error(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id = cognito_factory.pool()
    with pytest.raises(ClientError) as excinfo:
        cognito_client.get_ui_customization(UserPoolId=pool_id)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"


def test_state_survives_moto_reset(cognito_client: Any, cognito_factory: CognitoFactory) -> None:
    """moto's global reset (what mock_aws() does) must not wipe the local IdP."""
    from moto.core.base_backend import BackendDict

    pool_id = cognito_factory.pool("survivor")
    BackendDict.reset()
    assert cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "survivor"


def test_mock_aws_elsewhere_in_the_process_does_not_touch_the_local_idp(
    cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    import boto3
    from moto import mock_aws

    pool_id = cognito_factory.pool("outlives-mock-aws")
    with mock_aws():
        mocked = boto3.client("cognito-idp", region_name="eu-west-1")
        assert mocked.list_user_pools(MaxResults=10)["UserPools"] == []
        # boto3 with endpoint_url still reaches the local IdP over HTTP inside mock_aws()
        assert (
            cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"]
            == "outlives-mock-aws"
        )
    assert (
        cognito_client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"]
        == "outlives-mock-aws"
    )
