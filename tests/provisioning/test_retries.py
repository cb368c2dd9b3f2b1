"""Throttling and ConcurrentModificationException are retried with bounded, growing backoff."""

from __future__ import annotations

import botocore.exceptions
import pytest

from cognito_sso.provisioning.aws import (
    MAX_ATTEMPTS,
    MAX_BACKOFF_SECONDS,
    MAX_CONNECTION_ATTEMPTS,
    backoff_seconds,
    connect,
)
from tests.provisioning.scripted_aws import Answer, error, scripted_cognito

OK_POOLS: Answer = (200, {"UserPools": []})


@pytest.mark.parametrize("code", ["ConcurrentModificationException", "TooManyRequestsException"])
def test_retried_then_succeeds(code: str, waits: list[float]) -> None:
    notices: list[str] = []
    answers = {"ListUserPools": [error(code), error(code), OK_POOLS]}
    with scripted_cognito(answers) as (url, script):
        conn = connect(endpoint_url=url, notice=notices.append)
        assert conn.client.list_user_pools(MaxResults=60)["UserPools"] == []
    assert script.calls == ["ListUserPools"] * 3
    assert len(waits) == 2 and all(0 < w <= MAX_BACKOFF_SECONDS for w in waits)
    assert len(notices) == 2 and code in notices[0] and "attempt 2 of" in notices[0]


def test_retries_are_bounded(waits: list[float]) -> None:
    answers = {"UpdateUserPool": [error("ConcurrentModificationException")]}
    with scripted_cognito(answers) as (url, script):
        conn = connect(endpoint_url=url)
        with pytest.raises(botocore.exceptions.ClientError) as info:
            conn.client.update_user_pool(UserPoolId="eu-west-1_AbC")
    assert info.value.response["Error"]["Code"] == "ConcurrentModificationException"
    assert len(script.calls) == MAX_ATTEMPTS
    assert len(waits) == MAX_ATTEMPTS - 1


def test_other_errors_are_not_retried(waits: list[float]) -> None:
    answers = {"ListUserPools": [error("NotAuthorizedException")]}
    with scripted_cognito(answers) as (url, script):
        conn = connect(endpoint_url=url)
        with pytest.raises(botocore.exceptions.ClientError):
            conn.client.list_user_pools(MaxResults=60)
    assert script.calls == ["ListUserPools"] and waits == []


def test_backoff_grows_and_is_capped() -> None:
    for attempt in range(1, 12):
        wait = backoff_seconds(attempt)
        cap = min(MAX_BACKOFF_SECONDS, 2.0 ** (attempt - 1))
        assert cap / 2 <= wait <= cap


def test_server_errors_are_retried_only_where_repeating_is_safe(waits: list[float]) -> None:
    answers = {
        "ListUserPools": [error("InternalErrorException"), OK_POOLS],
        "CreateUserPool": [error("InternalErrorException")],
    }
    for status_answers in answers.values():
        status_answers[0] = (500, status_answers[0][1])
    with scripted_cognito(answers) as (url, script):
        conn = connect(endpoint_url=url)
        assert conn.client.list_user_pools(MaxResults=60)["UserPools"] == []
        # A 500 may hide a pool that was created: repeating could make a second one.
        with pytest.raises(botocore.exceptions.ClientError):
            conn.client.create_user_pool(PoolName="p")
    assert script.calls == ["ListUserPools", "ListUserPools", "CreateUserPool"]


def test_unreachable_endpoint_gives_up_after_a_few_attempts(waits: list[float]) -> None:
    notices: list[str] = []
    conn = connect(endpoint_url="http://127.0.0.1:9", notice=notices.append)
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        conn.client.list_user_pools(MaxResults=60)
    assert len(waits) == MAX_CONNECTION_ATTEMPTS - 1
    assert "cannot connect" in notices[0]
