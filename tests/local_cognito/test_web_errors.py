"""Every way a request to the authorize, token, userInfo and revoke endpoints can be wrong."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.plugins.idp_web import (
    AppClient,
    Browser,
    HostedPool,
    exchange,
    oauth_client,
    query_of,
    signed_in,
)

BAD_REQUEST_HEADER = (
    'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
)


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


# --- authorize ---------------------------------------------------------------------------


def test_unregistered_redirect_uri_goes_to_our_error_page(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    for wrong in (
        hosted_pool.billing.redirect_uri + "/",  # trailing slash matters
        "https://evil.example/cb",
        hosted_pool.reports.redirect_uri,  # another client's
    ):
        response = idp_browser.authorize(hosted_pool.billing, redirect_uri=wrong)
        assert response.status_code == 302
        location = response.headers["location"]
        assert location.startswith("/error?")
        assert query_of(location) == {
            "error": "redirect_mismatch",
            "client_id": hosted_pool.billing.client_id,
        }
    page = idp_browser.follow(response)
    assert page.status_code == 400
    assert "An error was encountered" in page.text


def test_unknown_or_missing_client_goes_to_error_page(idp_browser: Browser) -> None:
    unknown = idp_browser.get(
        "/oauth2/authorize",
        params={"client_id": "nosuchclient", "redirect_uri": "http://localhost/cb"},
    )
    assert unknown.headers["location"].startswith("/error?error=invalid_client")
    missing = idp_browser.get("/oauth2/authorize", params={"redirect_uri": "http://localhost/cb"})
    assert missing.headers["location"] == "/error?error=invalid_request"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"response_type": ""}, "invalid_request"),
        ({"response_type": "code id_token"}, "invalid_request"),
        ({"response_type": "token"}, "unauthorized_client"),  # implicit not allowed
        ({"code_challenge_method": "plain", "code_challenge": "a" * 43}, "invalid_request"),
        ({"code_challenge": "a" * 43}, "invalid_request"),  # challenge without method
        ({"code_challenge_method": "S256"}, "invalid_request"),  # method without challenge
        ({"code_challenge_method": "S256", "code_challenge": "short"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
        ({"prompt": "sometimes"}, "invalid_request"),
        ({"identity_provider": "Google"}, "invalid_request"),
        ({"state": "s" * 5000}, "invalid_request"),
    ],
)
def test_bad_authorize_parameters_redirect_with_error(
    hosted_pool: HostedPool, idp_browser: Browser, params: dict[str, str], error: str
) -> None:
    response = idp_browser.authorize(hosted_pool.billing, **params)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(hosted_pool.billing.redirect_uri + "?")
    query = query_of(location)
    assert query["error"] == error
    assert "code" not in query
    if "state" not in params:
        assert query["state"].startswith("st-")


def test_reserved_scope_not_allowed_is_dropped(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    response = idp_browser.authorize(hosted_pool.billing, scope="openid phone")
    assert response.headers["location"].startswith("/login?")


def test_client_without_hosted_ui_is_refused(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    plain = hosted_pool.factory.app_client(hosted_pool.pool_id)
    client = AppClient(plain["ClientId"], "http://localhost:5001/cb", "")
    response = idp_browser.authorize(client)
    assert response.headers["location"].startswith("/error?error=redirect_mismatch")


# --- token -------------------------------------------------------------------------------


def test_code_replay_and_pkce_errors(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "ivy@example.com")
    base = pool.base_url

    code, verifier = signed_in(idp_browser, pool, pool.billing, "ivy@example.com")
    assert exchange(base, pool.billing, code, verifier).status_code == 200
    replay = exchange(base, pool.billing, code, verifier)
    assert (replay.status_code, replay.json()) == (400, {"error": "invalid_grant"})

    code, verifier = signed_in(idp_browser, pool, pool.billing, "ivy@example.com")
    bad = exchange(base, pool.billing, code, verifier[:-1] + ("A" if verifier[-1] != "A" else "B"))
    assert bad.json() == {"error": "invalid_grant"}
    # the failed attempt used the code up
    assert exchange(base, pool.billing, code, verifier).json() == {"error": "invalid_grant"}

    code, _ = signed_in(idp_browser, pool, pool.billing, "ivy@example.com")
    missing = exchange(base, pool.billing, code, None)
    assert missing.json() == {"error": "invalid_grant"}

    code, verifier = signed_in(idp_browser, pool, pool.billing, "ivy@example.com")
    other_client = exchange(base, pool.reports, code, verifier)
    assert other_client.json() == {"error": "invalid_grant"}

    code, verifier = signed_in(idp_browser, pool, pool.billing, "ivy@example.com")
    response = httpx.post(
        f"{base}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": pool.billing.client_id,
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": pool.billing.redirect_uri + "/",
        },
    )
    assert response.json() == {"error": "unauthorized_client"}

    unknown = exchange(base, pool.billing, "00000000-0000-4000-8000-000000000000", verifier)
    assert unknown.json() == {"error": "invalid_grant"}


def test_confidential_client_authentication(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    pool = hosted_pool
    client = pool.confidential
    assert client.secret
    pool.factory.user(pool.pool_id, "jay@example.com")
    url = f"{pool.base_url}/oauth2/token"

    def code_and_verifier() -> tuple[str, str]:
        return signed_in(idp_browser, pool, client, "jay@example.com")

    code, verifier = code_and_verifier()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": client.redirect_uri,
        "code_verifier": verifier,
    }
    wrong = httpx.post(url, data=form, headers=_basic(client.client_id, "x" * 51))
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_client"})
    no_secret = httpx.post(url, data={**form, "client_id": client.client_id})
    assert no_secret.json() == {"error": "invalid_client"}
    ok = httpx.post(url, data=form, headers=_basic(client.client_id, client.secret))
    assert ok.status_code == 200, ok.text

    code, verifier = code_and_verifier()
    posted = httpx.post(
        url,
        data={
            **form,
            "code": code,
            "code_verifier": verifier,
            "client_id": client.client_id,
            "client_secret": client.secret,
        },
    )
    assert posted.status_code == 200, posted.text
    refreshed = httpx.post(
        url,
        data={"grant_type": "refresh_token", "refresh_token": posted.json()["refresh_token"]},
        headers=_basic(client.client_id, client.secret),
    )
    assert refreshed.status_code == 200

    garbage = httpx.post(url, data=form, headers={"Authorization": "Basic !!!"})
    assert garbage.json() == {"error": "invalid_client"}
    public_with_secret = httpx.post(
        url, data=form, headers=_basic(pool.billing.client_id, "made-up-secret")
    )
    assert public_with_secret.json() == {"error": "invalid_client"}


def test_token_endpoint_request_shape(hosted_pool: HostedPool) -> None:
    url = f"{hosted_pool.base_url}/oauth2/token"
    get = httpx.get(url)
    assert (get.status_code, get.json()) == (405, {"error": "invalid_request"})
    assert get.headers["content-type"] == "application/json;charset=UTF-8"  # as every error
    assert "POST" in get.headers["allow"]
    as_json = httpx.post(
        url,
        json={"grant_type": "refresh_token", "client_id": hosted_pool.billing.client_id},
    )
    assert (as_json.status_code, as_json.json()) == (400, {"error": "invalid_request"})
    unsupported = httpx.post(
        url, data={"grant_type": "password", "client_id": hosted_pool.billing.client_id}
    )
    assert unsupported.json() == {"error": "unsupported_grant_type"}
    no_grant = httpx.post(url, data={"client_id": hosted_pool.billing.client_id})
    assert no_grant.json() == {"error": "invalid_request"}
    no_refresh = httpx.post(
        url, data={"grant_type": "refresh_token", "client_id": hosted_pool.billing.client_id}
    )
    assert no_refresh.json() == {"error": "invalid_request"}
    garbage_refresh = httpx.post(
        url,
        data={
            "grant_type": "refresh_token",
            "client_id": hosted_pool.billing.client_id,
            "refresh_token": "garbage",
        },
    )
    assert garbage_refresh.json() == {"error": "invalid_grant"}
    unknown_client = httpx.post(url, data={"grant_type": "refresh_token", "client_id": "nope"})
    assert unknown_client.json() == {"error": "invalid_client"}
    not_allowed = httpx.post(
        url, data={"grant_type": "client_credentials", "client_id": hosted_pool.billing.client_id}
    )
    assert not_allowed.json() == {"error": "unauthorized_client"}


def test_client_credentials_grant(hosted_pool: HostedPool, cognito_client: object) -> None:
    pool = hosted_pool
    pool.factory.client.create_resource_server(
        UserPoolId=pool.pool_id,
        Identifier="https://api.example",
        Name="api",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "read"},
            {"ScopeName": "write", "ScopeDescription": "write"},
        ],
    )
    machine = oauth_client(
        pool.factory,
        pool.pool_id,
        "machine",
        secret=True,
        scopes=("https://api.example/read", "https://api.example/write"),
        flows=("client_credentials",),
    )
    assert machine.secret
    url = f"{pool.base_url}/oauth2/token"
    auth = _basic(machine.client_id, machine.secret)
    everything = httpx.post(url, data={"grant_type": "client_credentials"}, headers=auth)
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    one = httpx.post(
        url,
        data={"grant_type": "client_credentials", "scope": "https://api.example/read"},
        headers=auth,
    )
    assert one.status_code == 200
    bad = httpx.post(
        url, data={"grant_type": "client_credentials", "scope": "openid"}, headers=auth
    )
    assert bad.json() == {"error": "invalid_scope"}


# --- userInfo and revoke -----------------------------------------------------------------


def test_userinfo_bad_requests(hosted_pool: HostedPool) -> None:
    url = f"{hosted_pool.base_url}/oauth2/userInfo"
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 400
        assert response.headers["www-authenticate"] == BAD_REQUEST_HEADER
    garbage = httpx.get(url, headers={"Authorization": "Bearer a.b.c"})
    assert garbage.status_code == 401


def test_userinfo_refuses_api_tokens(hosted_pool: HostedPool, cognito_client: object) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "kim@example.com")
    result = pool.factory.client.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.billing.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "kim@example.com", "PASSWORD": "Passw0rd!Local"},
    )["AuthenticationResult"]
    response = httpx.get(
        f"{pool.base_url}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {result['AccessToken']}"},
    )
    assert response.status_code == 401


def test_revoke_errors(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "lee@example.com")
    code, verifier = signed_in(idp_browser, pool, pool.confidential, "lee@example.com")
    body = httpx.post(
        f"{pool.base_url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": pool.confidential.redirect_uri,
        },
        headers=_basic(pool.confidential.client_id, pool.confidential.secret or ""),
    ).json()
    url = f"{pool.base_url}/oauth2/revoke"
    auth = _basic(pool.confidential.client_id, pool.confidential.secret or "")
    wrong = httpx.post(
        url,
        data={"token": body["refresh_token"]},
        headers=_basic(pool.confidential.client_id, "wrong"),
    )
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})
    access = httpx.post(url, data={"token": body["access_token"]}, headers=auth)
    assert (access.status_code, access.json()) == (400, {"error": "unsupported_token_type"})
    missing = httpx.post(url, data={}, headers=auth)
    assert (missing.status_code, missing.json()) == (400, {"error": "invalid_request"})
    garbage = httpx.post(url, data={"token": "garbage"}, headers=auth)
    assert garbage.status_code == 200
    ok = httpx.post(url, data={"token": body["refresh_token"]}, headers=auth)
    assert ok.status_code == 200
    twice = httpx.post(url, data={"token": body["refresh_token"]}, headers=auth)
    assert twice.status_code == 200


def test_pkce_is_optional_for_confidential_clients(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "max@example.com")
    page = idp_browser.follow(idp_browser.authorize(pool.confidential, prompt="login"))
    done = idp_browser.submit(page, username="max@example.com", password="Passw0rd!Local")
    code = query_of(done.headers["location"])["code"]
    response = httpx.post(
        f"{pool.base_url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pool.confidential.redirect_uri,
        },
        headers=_basic(pool.confidential.client_id, pool.confidential.secret or ""),
    )
    assert response.status_code == 200


def test_basic_credentials_may_be_form_encoded(hosted_pool: HostedPool) -> None:
    # authlib's client_secret_basic percent-encodes id and secret (RFC 6749 2.3.1)
    client = hosted_pool.confidential
    assert client.secret
    encoded = "".join(f"%{ord(c):02X}" for c in client.secret)
    response = httpx.post(
        f"{hosted_pool.base_url}/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": "garbage"},
        headers=_basic(client.client_id, encoded),
    )
    assert response.json() == {"error": "invalid_grant"}  # authenticated, then a bad token


def test_email_scope_needs_read_access_to_email(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    narrow = oauth_client(
        pool.factory, pool.pool_id, "narrow", ReadAttributes=["name", "email"]
    )  # no email_verified
    pool.factory.user(pool.pool_id, "nat@example.com")
    code, verifier = signed_in(idp_browser, pool, narrow, "nat@example.com", scope="openid email")
    response = exchange(pool.base_url, narrow, code, verifier)
    assert response.json() == {"error": "invalid_grant"}
    code, verifier = signed_in(idp_browser, pool, narrow, "nat@example.com", scope="openid")
    assert exchange(pool.base_url, narrow, code, verifier).status_code == 200


def test_disabled_user_cannot_sign_in_or_exchange(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "olga@example.com")
    code, verifier = signed_in(idp_browser, pool, pool.billing, "olga@example.com")
    pool.factory.client.admin_disable_user(UserPoolId=pool.pool_id, Username="olga@example.com")
    assert exchange(pool.base_url, pool.billing, code, verifier).json() == {
        "error": "invalid_grant"
    }
    # the SSO cookie no longer signs the user in silently
    again = idp_browser.authorize(pool.reports)
    assert again.headers["location"].startswith("/login?")
    page = idp_browser.follow(again)
    refused = idp_browser.submit(page, username="olga@example.com", password="Passw0rd!Local")
    assert refused.status_code == 400
    assert "User is disabled." in refused.text
