"""The hosted UI's sign-in, single sign-on and sign-out, hop by hop over real HTTP."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from cognito_sso.base64url import b64url_encode
from tests.plugins.idp_web import (
    NEW_PASSWORD,
    TEMP_PASSWORD,
    AppClient,
    Browser,
    HostedPool,
    exchange,
    pkce_pair,
    query_of,
    signed_in,
    tokens_for,
)

USERINFO_401 = (
    'error="invalid_token", error_description="Access token is expired, disabled, or deleted, '
    'or the user has globally signed out."'
)


def test_first_sign_in_with_temporary_password_gives_verifiable_tokens(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    user = pool.factory.user(
        pool.pool_id, "Ada@Example.com", TEMP_PASSWORD, permanent=False, groups=["admins"]
    )
    verifier, challenge = pkce_pair()
    start = idp_browser.authorize(
        pool.billing,
        state="opaque-state",
        nonce="n-0S6_WzA2Mj",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert start.status_code == 302
    assert start.headers["location"].startswith("/login?")
    login_page = idp_browser.follow(start)
    assert login_page.status_code == 200
    assert login_page.headers["content-type"].startswith("text/html")
    form = idp_browser.form(login_page)
    assert {"username", "password", "csrf_token"} <= set(form.fields)

    challenge_hop = idp_browser.submit(
        login_page, username="ada@example.com", password=TEMP_PASSWORD
    )
    assert challenge_hop.status_code == 303
    new_password_page = idp_browser.follow(challenge_hop)
    assert new_password_page.status_code == 200
    assert {"new_password", "confirm_password"} <= set(idp_browser.form(new_password_page).fields)

    mismatch = idp_browser.submit(
        new_password_page, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD + "x"
    )
    assert mismatch.status_code == 400
    assert "do not match" in mismatch.text

    done = idp_browser.submit(mismatch, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert done.status_code == 302
    location = done.headers["location"]
    assert location.startswith(pool.billing.redirect_uri + "?")
    params = query_of(location)
    assert params["state"] == "opaque-state"
    assert set(params) == {"code", "state"}

    token_response = exchange(pool.base_url, pool.billing, params["code"], verifier)
    assert token_response.status_code == 200, token_response.text
    assert token_response.headers["cache-control"] == "no-store"
    body = token_response.json()
    assert set(body) == {"access_token", "id_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600

    discovery = httpx.get(f"{pool.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == pool.issuer
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(body["id_token"], keys, algorithms=["RS256"])
    access_token = jwt.decode(body["access_token"], keys, algorithms=["RS256"])
    assert id_token.header["kid"] != access_token.header["kid"]

    claims = id_token.claims
    assert claims["iss"] == pool.issuer
    assert claims["aud"] == pool.billing.client_id
    assert claims["token_use"] == "id"
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["sub"] == {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"]
    assert claims["email"] == "Ada@Example.com"
    assert claims["cognito:groups"] == ["admins"]
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert claims["at_hash"] == b64url_encode(digest[:16])

    access = access_token.claims
    assert access["client_id"] == pool.billing.client_id
    assert access["token_use"] == "access"
    assert set(access["scope"].split()) == {"openid", "email", "profile"}
    assert "aud" not in access

    # the password really changed
    second = Browser(pool.base_url)
    try:
        again = second.sign_in(pool.billing, "ada@example.com", NEW_PASSWORD)
        assert again.status_code == 302
        assert again.headers["location"].startswith(pool.billing.redirect_uri)
    finally:
        second.close()


def test_wrong_password_and_unknown_user_show_real_messages(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "bob@example.com")
    wrong = idp_browser.sign_in(pool.billing, "bob@example.com", "Wrong-Passw0rd!")
    assert wrong.status_code == 400
    assert "Incorrect username or password." in wrong.text
    assert 'role="alert"' in wrong.text
    unknown = idp_browser.submit(wrong, username="nobody@example.com", password="Wrong-Passw0rd!")
    assert unknown.status_code == 400
    assert "User does not exist." in unknown.text  # PreventUserExistenceErrors LEGACY

    hiding = pool.factory.app_client(
        pool.pool_id,
        CallbackURLs=["http://localhost:5003/cb"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
        PreventUserExistenceErrors="ENABLED",
    )
    client = AppClient(hiding["ClientId"], "http://localhost:5003/cb", "")
    hidden = idp_browser.sign_in(client, "nobody@example.com", "Wrong-Passw0rd!", scope="openid")
    assert hidden.status_code == 400
    assert "Incorrect username or password." in hidden.text
    assert "User does not exist" not in hidden.text


def test_cookie_gives_second_app_a_code_without_a_form(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "carol@example.com")
    tokens_for(idp_browser, pool, pool.billing, "carol@example.com")

    verifier, challenge = pkce_pair()
    silent = idp_browser.authorize(
        pool.reports, state="r1", code_challenge=challenge, code_challenge_method="S256"
    )
    assert silent.status_code == 302
    location = silent.headers["location"]
    assert location.startswith(pool.reports.redirect_uri + "?")
    code = query_of(location)["code"]
    response = exchange(pool.base_url, pool.reports, code, verifier)
    assert response.status_code == 200
    keys = KeySet.import_key_set(httpx.get(f"{pool.issuer}/.well-known/jwks.json").json())
    claims = jwt.decode(response.json()["id_token"], keys).claims
    assert claims["aud"] == pool.reports.client_id
    assert claims["email"] == "carol@example.com"

    # prompt=login forces the form even with the cookie
    forced = idp_browser.authorize(pool.reports, prompt="login")
    assert forced.headers["location"].startswith("/login?")
    assert idp_browser.follow(forced).status_code == 200
    # prompt=none answers silently when the cookie is there
    none = idp_browser.authorize(pool.reports, prompt="none")
    assert "code" in query_of(none.headers["location"])


def test_refresh_revoke_and_userinfo(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "dan@example.com", attributes={"name": "Dan"})
    body = tokens_for(idp_browser, pool, pool.billing, "dan@example.com")
    userinfo_url = f"{pool.base_url}/oauth2/userInfo"

    info = httpx.get(userinfo_url, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200
    claims = info.json()
    assert claims["email"] == "dan@example.com"
    assert claims["email_verified"] == "true"
    assert claims["name"] == "Dan"
    assert "username" in claims and "sub" in claims

    refreshed = httpx.post(
        f"{pool.base_url}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": pool.billing.client_id,
            "refresh_token": body["refresh_token"],
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert set(new) == {"access_token", "id_token", "token_type", "expires_in"}  # no rotation

    # revoking with another client's id is refused, then the right client revokes
    wrong_client = httpx.post(
        f"{pool.base_url}/oauth2/revoke",
        data={"token": body["refresh_token"], "client_id": "nosuchclient"},
    )
    assert wrong_client.status_code == 401
    assert wrong_client.json() == {"error": "invalid_client"}
    revoked = httpx.post(
        f"{pool.base_url}/oauth2/revoke",
        data={"token": body["refresh_token"], "client_id": pool.billing.client_id},
    )
    assert revoked.status_code == 200
    assert revoked.content == b""

    for access in (body["access_token"], new["access_token"]):
        rejected = httpx.get(userinfo_url, headers={"Authorization": f"Bearer {access}"})
        assert rejected.status_code == 401
        assert rejected.headers["www-authenticate"] == USERINFO_401
    again = httpx.post(
        f"{pool.base_url}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": pool.billing.client_id,
            "refresh_token": body["refresh_token"],
        },
    )
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant"}
    assert again.headers["content-type"] == "application/json;charset=UTF-8"


def test_userinfo_scopes_decide_attributes(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "erin@example.com", attributes={"name": "Erin"})
    code, verifier = signed_in(
        idp_browser, pool, pool.billing, "erin@example.com", scope="openid email"
    )
    access = exchange(pool.base_url, pool.billing, code, verifier).json()["access_token"]
    info = httpx.get(
        f"{pool.base_url}/oauth2/userInfo", headers={"Authorization": f"Bearer {access}"}
    ).json()
    assert info["email"] == "erin@example.com"
    assert "name" not in info  # needs the profile scope (or openid alone)


def test_global_sign_out_rejects_tokens_but_cookie_still_signs_in(
    hosted_pool: HostedPool, idp_browser: Browser, cognito_client: Any
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "fay@example.com")
    body = tokens_for(idp_browser, pool, pool.billing, "fay@example.com")
    username = cognito_client.admin_get_user(UserPoolId=pool.pool_id, Username="fay@example.com")[
        "Username"
    ]
    cognito_client.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username=username)

    rejected = httpx.get(
        f"{pool.base_url}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert rejected.status_code == 401
    assert rejected.headers["www-authenticate"] == USERINFO_401

    # real Cognito: the hosted-UI cookie survives a global sign-out (reference section 4)
    silent = idp_browser.authorize(pool.reports)
    assert silent.status_code == 302
    assert silent.headers["location"].startswith(pool.reports.redirect_uri + "?code=")


def test_logout_clears_the_cookie(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "gus@example.com")
    signed_in(idp_browser, pool, pool.billing, "gus@example.com")

    refused = idp_browser.get(
        "/logout",
        params={"client_id": pool.billing.client_id, "logout_uri": "http://evil.example/"},
    )
    assert refused.status_code == 302
    assert refused.headers["location"].startswith("/error?")
    error_page = idp_browser.follow(refused)
    assert error_page.status_code == 400
    assert "Required String parameter &#39;redirect_uri&#39; is not present" in error_page.text
    assert (
        idp_browser.authorize(pool.reports)
        .headers["location"]
        .startswith(pool.reports.redirect_uri)
    )  # a refused logout leaves the session alone

    out = idp_browser.get(
        "/logout",
        params={"client_id": pool.billing.client_id, "logout_uri": pool.billing.logout_uri},
    )
    assert out.status_code == 302
    assert out.headers["location"] == pool.billing.logout_uri
    assert "cognito=" in out.headers["set-cookie"]
    assert idp_browser.http.cookies.get("cognito") is None

    shows_form = idp_browser.authorize(pool.reports)
    assert shows_form.headers["location"].startswith("/login?")
    assert idp_browser.follow(shows_form).status_code == 200


def test_logout_and_sign_in_again_form(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "hal@example.com")
    signed_in(idp_browser, pool, pool.billing, "hal@example.com")
    again = idp_browser.get(
        "/logout",
        params={
            "client_id": pool.billing.client_id,
            "redirect_uri": pool.billing.redirect_uri,
            "response_type": "code",
            "state": "s2",
        },
    )
    assert again.status_code == 302
    assert again.headers["location"].startswith("/login?")
    page = idp_browser.follow(again)
    assert page.status_code == 200  # the form, not a silent code
    assert "username" in idp_browser.form(page).fields


def test_implicit_grant_puts_tokens_in_the_fragment(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    from tests.plugins.idp_web import oauth_client

    pool = hosted_pool
    spa = oauth_client(pool.factory, pool.pool_id, "spa", flows=("implicit",))
    pool.factory.user(pool.pool_id, "ivan@example.com")
    done = idp_browser.sign_in(spa, "ivan@example.com", "Passw0rd!Local", response_type="token")
    assert done.status_code == 302
    location = done.headers["location"]
    assert location.startswith(spa.redirect_uri + "#")
    fragment = dict(p.split("=", 1) for p in location.split("#", 1)[1].split("&"))
    assert {"access_token", "id_token", "token_type", "expires_in", "state"} <= set(fragment)
    assert "refresh_token" not in fragment
    assert "?" not in location


def test_create_app_works_in_process() -> None:
    from cognito_sso.local.app import create_app

    app = create_app("http://127.0.0.1:9")
    client = app.test_client()
    assert client.get("/eu-west-1_Nope12345/.well-known/jwks.json").status_code == 404
    created = client.post(
        "/",
        data=b'{"PoolName": "inproc"}',
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.CreateUserPool",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    pool_id = json.loads(created.data)["UserPool"]["Id"]
    doc = client.get(f"/{pool_id}/.well-known/openid-configuration").get_json()
    assert doc["issuer"] == f"http://127.0.0.1:9/{pool_id}"
    assert doc["token_endpoint"] == "http://127.0.0.1:9/oauth2/token"


def test_logs_hold_no_codes_tokens_or_passwords(
    hosted_pool: HostedPool, idp_browser: Browser, caplog: Any
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "pia@example.com")
    caplog.set_level("DEBUG")
    code, verifier = signed_in(idp_browser, pool, pool.billing, "pia@example.com")
    body = exchange(pool.base_url, pool.billing, code, verifier).json()
    httpx.get(
        f"{pool.base_url}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    server_side = ("werkzeug", "cognito_sso.local", "flask")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(server_side))
    assert "/oauth2/token" in logged  # the request log is on...
    for secret in (code, verifier, "Passw0rd!Local", *body.values()):
        assert str(secret) not in logged  # ...and says nothing sensitive


def test_parallel_sign_ins(hosted_pool: HostedPool, make_idp_browser: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    pool = hosted_pool
    emails = [f"user{i}@example.com" for i in range(6)]
    for email in emails:
        pool.factory.user(pool.pool_id, email)

    def run(email: str) -> str:
        b = make_idp_browser()
        body = tokens_for(b, pool, pool.billing, email)
        info = httpx.get(
            f"{pool.base_url}/oauth2/userInfo",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        ).json()
        return str(info["email"])

    with ThreadPoolExecutor(max_workers=6) as executor:
        assert sorted(executor.map(run, emails)) == sorted(emails)


def test_one_cookie_many_pools(
    hosted_pool: HostedPool, idp_browser: Browser, cognito_factory: Any
) -> None:
    from tests.plugins.idp_web import oauth_client

    pool = hosted_pool
    other_pool = cognito_factory.pool()
    other = oauth_client(cognito_factory, other_pool, "other")
    pool.factory.user(pool.pool_id, "quin@example.com")
    cognito_factory.user(other_pool, "quin@example.com")
    signed_in(idp_browser, pool, pool.billing, "quin@example.com")
    # a sign-in to pool A does not sign the idp_browser in to pool B
    assert idp_browser.authorize(other).headers["location"].startswith("/login?")
    signed_in(idp_browser, pool, other, "quin@example.com")
    out = idp_browser.get(
        "/logout", params={"client_id": other.client_id, "logout_uri": other.logout_uri}
    )
    assert out.status_code == 302
    assert idp_browser.authorize(other).headers["location"].startswith("/login?")
    assert (
        idp_browser.authorize(pool.reports)
        .headers["location"]
        .startswith(pool.reports.redirect_uri + "?code=")
    )
