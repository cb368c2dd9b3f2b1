"""Many threads at once: one lock around moto, so no call fails or answers 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cognito_sso.local.testing import (
    DEFAULT_PASSWORD,
    CognitoFactory,
    make_cognito_client,
    password_auth,
)


def test_parallel_sign_ins_and_admin_calls(local_idp: Any, cognito_factory: CognitoFactory) -> None:
    pool_id = cognito_factory.pool()
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    emails = [f"par{i}@example.com" for i in range(6)]

    def worker(email: str) -> str:
        client = make_cognito_client(local_idp.base_url)  # boto3 clients are per thread
        client.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            TemporaryPassword=DEFAULT_PASSWORD,
            MessageAction="SUPPRESS",
        )
        client.admin_set_user_password(
            UserPoolId=pool_id, Username=email, Password=DEFAULT_PASSWORD, Permanent=True
        )
        subs = set()
        for _ in range(3):
            result = password_auth(client, client_id, email.upper())["AuthenticationResult"]
            subs.add(client.get_user(AccessToken=result["AccessToken"])["Username"])
            client.initiate_auth(
                ClientId=client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
            )
        assert len(subs) == 1
        return subs.pop()

    with ThreadPoolExecutor(max_workers=6) as pool:
        subs = list(pool.map(worker, emails))
    assert len(set(subs)) == len(emails)
    listed = make_cognito_client(local_idp.base_url).list_users(UserPoolId=pool_id)["Users"]
    assert len(listed) == len(emails)
