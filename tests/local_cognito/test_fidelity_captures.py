"""The local IdP against the captured shapes of real Cognito (local_cognito/captures/):
one test per fidelity row of issue 14 item 4."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from cognito_sso.local.testing import CognitoFactory
from tests.local_cognito.captures import json_type, load_capture
from tests.plugins.idp_web import Browser, HostedPool, query_of

TARGET = "AWSCognitoIdentityProviderService."


def call(base_url: str, action: str, params: dict[str, Any]) -> httpx.Response:
    """One JSON 1.1 call, raw, so the wire shape (headers, number types) is what we check."""
    return httpx.post(
        base_url + "/",
        content=json.dumps(params).encode(),
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + action},
        timeout=10,
    )


def assert_same_shape(local: dict[str, Any], captured: dict[str, Any]) -> None:
    """Every captured member is there, with the captured JSON type."""
    missing = sorted(set(captured) - set(local))
    assert missing == [], f"members real Cognito sends but the local IdP does not: {missing}"
    for name, value in captured.items():
        assert json_type(local[name]) == json_type(value), name


def test_discovery_lists_what_the_real_document_lists(hosted_pool: HostedPool) -> None:
    capture = load_capture("discovery")
    base = hosted_pool.base_url
    doc = httpx.get(f"{hosted_pool.issuer}/.well-known/openid-configuration").json()
    assert set(doc) == set(capture["document"])
    assert not set(capture["absent"]) & set(doc)
    assert doc["end_session_endpoint"] == f"{base}/logout"
    for name, value in capture["document"].items():
        assert json_type(doc[name]) == json_type(value), name
        if isinstance(value, list):
            assert doc[name] == value, name


def test_describe_user_pool_has_the_captured_members(local_idp: Any, cognito_client: Any) -> None:
    capture = load_capture("describe-user-pool")
    pool_id = cognito_client.create_user_pool(PoolName="capture-shape")["UserPool"]["Id"]
    response = call(local_idp.base_url, "DescribeUserPool", {"UserPoolId": pool_id})
    assert response.status_code == 200
    pool = response.json()["UserPool"]
    assert_same_shape(pool, capture["response"]["UserPool"])
    for name in capture["empty_when_unset"]:
        assert pool[name] == {}, name
    assert pool["UserPoolTier"] == "ESSENTIALS"


def test_describe_user_pool_client_has_the_captured_members(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    capture = load_capture("describe-user-pool-client")
    pool_id = cognito_factory.pool()
    created = cognito_client.create_user_pool_client(UserPoolId=pool_id, ClientName="shape")
    client_id = created["UserPoolClient"]["ClientId"]
    assert re.fullmatch(capture["patterns"]["ClientId"], client_id)
    response = call(
        local_idp.base_url,
        "DescribeUserPoolClient",
        {"UserPoolId": pool_id, "ClientId": client_id},
    )
    assert response.status_code == 200
    client = response.json()["UserPoolClient"]
    assert_same_shape(client, capture["response"]["UserPoolClient"])
    assert client["TokenValidityUnits"] == {}
    assert client["LastModifiedDate"] >= client["CreationDate"]
    # boto3 reads the dates as datetimes, and an update moves LastModifiedDate only
    before = cognito_client.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    updated = cognito_client.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=client_id,
        ClientName="shape",
        TokenValidityUnits={"AccessToken": "minutes"},
        AccessTokenValidity=30,
    )["UserPoolClient"]
    assert updated["CreationDate"] == before["UserPoolClient"]["CreationDate"]
    assert updated["LastModifiedDate"] >= before["UserPoolClient"]["LastModifiedDate"]
    assert updated["TokenValidityUnits"] == {"AccessToken": "minutes"}
    listed = cognito_client.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
    assert [c["ClientId"] for c in listed] == [client_id]


def test_client_ids_look_like_real_ones(cognito_factory: CognitoFactory) -> None:
    pattern = load_capture("describe-user-pool-client")["patterns"]["ClientId"]
    pool_id = cognito_factory.pool()
    ids = {cognito_factory.app_client(pool_id, secret=True)["ClientId"] for _ in range(5)}
    assert len(ids) == 5
    assert all(re.fullmatch(pattern, client_id) for client_id in ids)
    # hex-only ids would never use g-z: across 5 x 26 random characters some must appear
    assert re.search("[g-z]", "".join(ids))


def test_json_errors_carry_the_captured_headers(
    local_idp: Any, cognito_factory: CognitoFactory
) -> None:
    capture = load_capture("json-error")
    _pool_id, client_id = cognito_factory.pool_with_user("wire@example.com")
    response = call(
        local_idp.base_url,
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "wire@example.com", "PASSWORD": "Wrong-passw0rd!"},
        },
    )
    assert response.status_code == capture["status"]
    for name, value in capture["headers"].items():
        assert response.headers[name] == value, name
    assert response.json() == capture["body"]


def test_errors_forwarded_from_moto_have_the_same_headers(local_idp: Any) -> None:
    response = call(local_idp.base_url, "DescribeUserPool", {"UserPoolId": "eu-west-1_nope"})
    assert response.status_code == 400
    body = response.json()
    assert response.headers["x-amzn-ErrorType"] == f"{body['__type']}:"
    assert response.headers["x-amzn-ErrorMessage"] == body["message"]


def test_an_unknown_scope_ends_on_the_error_page(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    capture = load_capture("authorize-bad-scope")["unknown_scope"]
    client = hosted_pool.billing
    response = idp_browser.authorize(client, scope=capture["example_scope"])
    assert response.status_code == capture["status"]
    location = response.headers["location"]
    assert location.startswith("/error?")
    assert query_of(location) == {"error": "invalid_scope", "client_id": client.client_id}
    page = idp_browser.follow(response)
    assert page.status_code == 400
    assert "invalid_scope" in page.text


def test_a_scope_the_client_may_not_have_goes_back_to_the_app(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    capture = load_capture("authorize-bad-scope")["scope_not_allowed"]
    client = hosted_pool.billing
    for scope in (capture["example_scope"], "email"):  # custom scope; email without openid
        response = idp_browser.authorize(client, scope=scope, state="st-scope")
        assert response.status_code == capture["status"]
        location = response.headers["location"]
        assert location.startswith(client.redirect_uri + "?")
        assert query_of(location) == {
            "error": "invalid_request",
            "error_description": "invalid_scope",
            "state": "st-scope",
        }
