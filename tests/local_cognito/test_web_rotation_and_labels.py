"""Refresh-token rotation at the token endpoint, and the sign-in field's label."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from cognito_sso.local.testing import CognitoFactory
from tests.plugins.idp_web import Browser, HostedPool, oauth_client, tokens_for


def refresh(base_url: str, client_id: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/oauth2/token",
        data={"grant_type": "refresh_token", "client_id": client_id, "refresh_token": token},
        timeout=10,
    )


@pytest.mark.parametrize("grace", [0, 30])
def test_token_endpoint_rotates_refresh_tokens(
    hosted_pool: HostedPool, idp_browser: Browser, grace: int
) -> None:
    client = oauth_client(
        hosted_pool.factory,
        hosted_pool.pool_id,
        f"rotating{grace}",
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": grace},
    )
    hosted_pool.factory.user(hosted_pool.pool_id, f"rot{grace}@example.com")
    first = tokens_for(idp_browser, hosted_pool, client, f"rot{grace}@example.com")
    rotated = refresh(hosted_pool.base_url, client.client_id, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first["refresh_token"]

    again = refresh(hosted_pool.base_url, client.client_id, first["refresh_token"])
    if grace:
        # a retry inside the grace period works (and rotates once more)
        assert again.status_code == 200, again.text
        assert again.json()["refresh_token"] not in (first["refresh_token"], second)
    else:
        assert again.status_code == 400
        assert again.json() == {"error": "invalid_grant"}
    newest = refresh(hosted_pool.base_url, client.client_id, second)
    assert newest.status_code == 200, newest.text
    assert "refresh_token" in newest.json()


class _Labels(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.target: str | None = None
        self.labels: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "label":
            self.target = dict(attrs).get("for")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.target = None

    def handle_data(self, data: str) -> None:
        if self.target and data.strip():
            self.labels[self.target] = self.labels.get(self.target, "") + data.strip()


def username_label(page: httpx.Response) -> str:
    parser = _Labels()
    parser.feed(page.text)
    return parser.labels["username"]


@pytest.mark.parametrize(
    ("pool_kwargs", "label"),
    [
        ({}, "Email address"),  # UsernameAttributes=[email] (the factory's default)
        ({"email_username": False}, "Username"),
        ({"email_username": False, "AliasAttributes": ["email"]}, "Username or email address"),
        ({"email_username": False, "UsernameAttributes": ["phone_number"]}, "Phone number"),
        (
            {"email_username": False, "UsernameAttributes": ["email", "phone_number"]},
            "Email address or phone number",
        ),
    ],
)
def test_sign_in_field_is_labelled_by_the_pool_sign_in_attributes(
    local_idp: Any,
    cognito_factory: CognitoFactory,
    idp_browser: Browser,
    pool_kwargs: dict[str, Any],
    label: str,
) -> None:
    pool_id = cognito_factory.pool(**pool_kwargs)
    client = oauth_client(cognito_factory, pool_id, "labels")
    login = idp_browser.follow(idp_browser.authorize(client))
    assert login.status_code == 200
    assert username_label(login) == label
    forgot = idp_browser.get("/forgotPassword", params=dict(login.url.params))
    assert forgot.status_code == 200
    assert username_label(forgot) == label
