"""Federated sign-in through the local IdP, hop by hop over real HTTP: the application pool
sends the browser to the "Example Corp" pool (an OIDC identity provider), takes the code back
at /oauth2/idpresponse and signs dave in as ``ExampleCorp_{sub}``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from cognito_sso.local.testing import DEFAULT_PASSWORD
from tests.plugins.federation import DAVE, PROVIDER, FederatedPools, corp_client, provider_details
from tests.plugins.idp_web import AppClient, Browser, exchange, pkce_pair, query_of


def _to_provider(browser: Browser, client: AppClient, **params: str) -> httpx.Response:
    """Authorize at the app pool naming the provider; returns the provider's sign-in page."""
    start = browser.authorize(client, identity_provider=PROVIDER, **params)
    assert start.status_code == 302, start.text[:300]
    location = start.headers["location"]
    assert location.startswith(f"{browser.base_url}/oauth2/authorize?"), location
    return browser.follow(browser.follow(start))


def _back_from_provider(browser: Browser, client: AppClient, **params: str) -> httpx.Response:
    """Sign dave in at the provider; returns the response to the /oauth2/idpresponse hop."""
    corp_page = _to_provider(browser, client, **params)
    assert corp_page.status_code == 200
    to_idpresponse = browser.submit(corp_page, username=DAVE, password=DEFAULT_PASSWORD)
    assert to_idpresponse.status_code == 302, to_idpresponse.text[:300]
    assert "/oauth2/idpresponse?" in to_idpresponse.headers["location"]
    return to_idpresponse


def _federated_code(browser: Browser, client: AppClient, **params: str) -> dict[str, str]:
    """A whole federated sign-in; returns the query the app receives."""
    done = browser.follow(_back_from_provider(browser, client, **params))
    assert done.status_code == 302, done.text[:300]
    assert done.headers["location"].startswith(client.redirect_uri + "?")
    return query_of(done.headers["location"])


def _id_claims(pools: FederatedPools, tokens: dict[str, Any]) -> dict[str, Any]:
    keys = KeySet.import_key_set(httpx.get(f"{pools.app.issuer}/.well-known/jwks.json").json())
    return dict(jwt.decode(tokens["id_token"], keys, algorithms=["RS256"]).claims)


def _tokens(pools: FederatedPools, browser: Browser, **params: str) -> dict[str, Any]:
    verifier, challenge = pkce_pair()
    app = _federated_code(
        browser,
        pools.app.billing,
        code_challenge=challenge,
        code_challenge_method="S256",
        **params,
    )
    response = exchange(pools.app.base_url, pools.app.billing, app["code"], verifier)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _user(pools: FederatedPools) -> dict[str, Any]:
    return dict(
        pools.factory.client.admin_get_user(
            UserPoolId=pools.app.pool_id, Username=pools.dave_username
        )
    )


def test_federated_sign_in_end_to_end(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    start = idp_browser.authorize(
        pools.app.billing, identity_provider=PROVIDER, state="app-state", nonce="app-nonce"
    )
    upstream = query_of(start.headers["location"])
    assert upstream["client_id"] == pools.corp_client.client_id
    assert upstream["redirect_uri"] == f"{pools.app.base_url}/oauth2/idpresponse"
    assert upstream["scope"] == "openid email profile"
    assert upstream["code_challenge_method"] == "S256"
    assert len(upstream["code_challenge"]) == 43
    assert upstream["state"] != "app-state" and len(upstream["state"]) >= 32
    assert upstream["nonce"] != "app-nonce" and len(upstream["nonce"]) >= 32

    verifier, challenge = pkce_pair()
    app = _federated_code(
        idp_browser,
        pools.app.billing,
        state="app-state",
        nonce="app-nonce",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert app["state"] == "app-state"
    response = exchange(pools.app.base_url, pools.app.billing, app["code"], verifier)
    assert response.status_code == 200, response.text
    claims = _id_claims(pools, response.json())
    assert claims["iss"] == pools.app.issuer
    assert claims["nonce"] == "app-nonce"
    assert claims["email"] == DAVE
    assert claims["name"] == "Dave Example"

    user = _user(pools)
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["sub"] == claims["sub"] != pools.dave_sub  # the pool's own sub
    # the reports app of the same pool signs dave in silently (single sign-on)
    silent = idp_browser.authorize(pools.app.reports)
    assert silent.headers["location"].startswith(pools.app.reports.redirect_uri + "?code=")


def test_federated_token_claims_have_cognito_shapes(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    tokens = _tokens(pools, idp_browser)
    claims = _id_claims(pools, tokens)
    assert claims["cognito:username"] == pools.dave_username
    assert claims["cognito:groups"] == [pools.provider_group]
    (identity,) = claims["identities"]
    assert identity == {
        "userId": pools.dave_sub,
        "providerName": PROVIDER,
        "providerType": "OIDC",
        "issuer": None,
        "primary": "true",
        "dateCreated": identity["dateCreated"],
    }
    assert isinstance(identity["dateCreated"], str) and identity["dateCreated"].isdigit()
    keys = KeySet.import_key_set(httpx.get(f"{pools.app.issuer}/.well-known/jwks.json").json())
    access = jwt.decode(tokens["access_token"], keys, algorithms=["RS256"]).claims
    assert access["username"] == pools.dave_username
    assert access["cognito:groups"] == [pools.provider_group]
    assert "identities" not in access

    # the stored attribute keeps Cognito's own types: boolean primary, numeric dateCreated
    stored = {a["Name"]: a["Value"] for a in _user(pools)["UserAttributes"]}
    (link,) = json.loads(stored["identities"])
    assert link["primary"] is True
    assert link["dateCreated"] == int(identity["dateCreated"])
    group = pools.factory.client.get_group(
        UserPoolId=pools.app.pool_id, GroupName=pools.provider_group
    )
    assert group["Group"]["GroupName"] == pools.provider_group


def test_attribute_mapping_applies_on_every_sign_in(
    federated_pools: FederatedPools, make_idp_browser: Any
) -> None:
    pools = federated_pools
    first = _id_claims(pools, _tokens(pools, make_idp_browser()))
    assert first["name"] == "Dave Example"
    pools.factory.client.admin_update_user_attributes(
        UserPoolId=pools.corp_pool_id,
        Username=DAVE,
        UserAttributes=[{"Name": "name", "Value": "Dave Renamed"}],
    )
    second = _id_claims(pools, _tokens(pools, make_idp_browser()))
    assert second["name"] == "Dave Renamed"
    assert second["sub"] == first["sub"]
    assert second["identities"] == first["identities"]  # same link, same dateCreated
    users = pools.factory.client.list_users(UserPoolId=pools.app.pool_id)["Users"]
    assert [u["Username"] for u in users] == [pools.dave_username]


def test_sign_in_page_offers_a_button_per_provider(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    page = idp_browser.follow(idp_browser.authorize(pools.app.billing))
    assert page.status_code == 200
    assert f">{PROVIDER}</a>" in page.text
    assert 'name="password"' in page.text
    # the button is a link to authorize naming the provider
    start = page.text.index('href="/oauth2/authorize?')
    href = page.text[start + 6 : page.text.index('"', start + 6)].replace("&amp;", "&")
    assert query_of(href)["identity_provider"] == PROVIDER
    to_corp = idp_browser.get(href)
    assert query_of(to_corp.headers["location"])["client_id"] == pools.corp_client.client_id


def test_client_with_only_the_provider_has_no_password_form(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    from tests.plugins.idp_web import oauth_client

    only = oauth_client(
        pools.factory, pools.app.pool_id, "only-corp", SupportedIdentityProviders=[PROVIDER]
    )
    page = idp_browser.follow(idp_browser.authorize(only))
    assert page.status_code == 200
    assert f">{PROVIDER}</a>" in page.text
    assert 'name="password"' not in page.text
    refused = idp_browser.http.post(str(page.url), data={"username": DAVE, "password": "x"})
    assert refused.status_code == 400


def test_idp_identifier_selects_the_provider(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    start = idp_browser.authorize(pools.app.billing, idp_identifier="EXAMPLE.com")
    assert query_of(start.headers["location"])["client_id"] == pools.corp_client.client_id
    unknown = idp_browser.authorize(pools.app.billing, idp_identifier="nowhere.example")
    assert unknown.headers["location"].startswith(pools.app.billing.redirect_uri + "?error=")


def test_provider_not_enabled_for_the_client_is_refused(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    from tests.plugins.idp_web import oauth_client

    local_only = oauth_client(pools.factory, pools.app.pool_id, "local-only")
    refused = idp_browser.authorize(local_only, identity_provider=PROVIDER, state="s1")
    params = query_of(refused.headers["location"])
    assert refused.headers["location"].startswith(local_only.redirect_uri + "?")
    assert params["error"] == "invalid_request"
    assert params["state"] == "s1"
    assert params["error_description"]


def test_provider_error_comes_back_to_the_app(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    # a real error from the provider: it refuses a scope its client may not use
    pools.reconfigure(pools.provider_details(authorize_scopes="openid corp.example/admin"))
    start = idp_browser.authorize(pools.app.billing, identity_provider=PROVIDER, state="s2")
    back = idp_browser.follow(start)  # the provider answers at once, with an error
    assert back.status_code == 302
    assert "/oauth2/idpresponse?" in back.headers["location"]
    # the provider (a local IdP too) answers as Cognito does for a scope its client lacks
    answer = query_of(back.headers["location"])
    assert (answer["error"], answer["error_description"]) == ("invalid_request", "invalid_scope")
    to_app = idp_browser.follow(back)
    assert to_app.headers["location"].startswith(pools.app.billing.redirect_uri + "?")
    assert query_of(to_app.headers["location"]) == {
        "error": "invalid_request",
        "error_description": "invalid_scope",
        "state": "s2",
    }


def test_provider_error_description_is_passed_on(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    start = idp_browser.authorize(pools.app.billing, identity_provider=PROVIDER, state="s3")
    state = query_of(start.headers["location"])["state"]
    # what a provider sends when the user cancels at its consent page
    back = idp_browser.get(
        "/oauth2/idpresponse",
        params={
            "error": "access_denied",
            "error_description": "The user cancelled\x00 the sign-in",
            "state": state,
        },
    )
    assert query_of(back.headers["location"]) == {
        "error": "invalid_request",
        "error_description": "The user cancelled the sign-in",
        "state": "s3",
    }


@pytest.mark.parametrize("state", ["", "not-a-state", "x" * 500])
def test_idpresponse_with_an_unknown_state_is_refused(
    federated_pools: FederatedPools, idp_browser: Browser, state: str
) -> None:
    response = idp_browser.get("/oauth2/idpresponse", params={"code": "abc", "state": state})
    assert response.status_code == 400
    assert "did not start here" in response.text
    assert "location" not in response.headers


def test_replayed_idpresponse_and_foreign_browser_are_refused(
    federated_pools: FederatedPools, make_idp_browser: Any
) -> None:
    pools = federated_pools
    victim, attacker = make_idp_browser(), make_idp_browser()
    hop = _back_from_provider(attacker, pools.app.billing)
    # the attacker's own (valid) response, planted in another browser: refused, not signed in
    planted = victim.get(hop.headers["location"])
    assert planted.status_code == 400
    assert "did not start here" in planted.text
    # and it is used up for its own browser too
    assert attacker.follow(hop).status_code == 400

    hop = _back_from_provider(attacker, pools.app.billing, prompt="login")
    assert attacker.follow(hop).status_code == 302
    replay = attacker.follow(hop)
    assert replay.status_code == 400


def test_replayed_provider_code_is_refused(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    hop = _back_from_provider(idp_browser, pools.app.billing)
    used_code = query_of(hop.headers["location"])["code"]
    assert idp_browser.follow(hop).status_code == 302  # signed in once

    start = idp_browser.authorize(
        pools.app.billing, identity_provider=PROVIDER, prompt="login", state="s4"
    )
    fresh_state = query_of(start.headers["location"])["state"]
    replay = idp_browser.get(
        "/oauth2/idpresponse", params={"code": used_code, "state": fresh_state}
    )
    params = query_of(replay.headers["location"])
    assert replay.headers["location"].startswith(pools.app.billing.redirect_uri + "?")
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "Error from IdP token endpoint: invalid_grant"
    assert "code" not in params


@pytest.mark.parametrize("trust_other_keys", [False, True])
def test_token_from_another_issuer_is_refused(
    federated_pools: FederatedPools, idp_browser: Browser, trust_other_keys: bool
) -> None:
    """A provider configured for corp's issuer whose client (and so tokens) belong to another
    pool: the ID token fails its signature check, or, when that pool's keys are trusted, the
    issuer check."""
    pools = federated_pools
    factory = pools.factory
    other_pool = factory.pool("Other directory")
    factory.user(other_pool, DAVE)
    other_client = corp_client(factory, pools.app.base_url, other_pool)
    details = provider_details(other_client, pools.corp_issuer)
    if trust_other_keys:
        details["jwks_uri"] = f"{pools.app.base_url}/{other_pool}/.well-known/jwks.json"
    pools.reconfigure(details)
    done = idp_browser.follow(_back_from_provider(idp_browser, pools.app.billing, state="s5"))
    params = query_of(done.headers["location"])
    assert params["error"] == "invalid_request"
    expected = "wrong issuer" if trust_other_keys else "Invalid signature"
    assert expected in params["error_description"]
    assert "code" not in params
    users = factory.client.list_users(UserPoolId=pools.app.pool_id)["Users"]
    assert users == []


def test_unreachable_provider_is_reported_to_the_app(
    federated_pools: FederatedPools, idp_browser: Browser
) -> None:
    pools = federated_pools
    pools.reconfigure(pools.provider_details(oidc_issuer="http://127.0.0.1:9/corp"))
    refused = idp_browser.authorize(pools.app.billing, identity_provider=PROVIDER, state="s6")
    params = query_of(refused.headers["location"])
    assert refused.headers["location"].startswith(pools.app.billing.redirect_uri + "?")
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "Error in calling IdP discovery endpoint"
    assert urlsplit(refused.headers["location"]).netloc == "localhost:5001"


@pytest.mark.parametrize(
    ("endpoint", "mode", "description"),
    [
        ("token", "error", "Error from IdP token endpoint: server_error"),
        ("token", "drop", "Error in calling IdP token endpoint"),
        ("jwks", "error", "Error from IdP JWKS endpoint"),
        ("userInfo", "error", "Error from IdP userInfo endpoint"),
    ],
)
def test_provider_failures_after_sign_in_are_reported_to_the_app(
    federated_pools: FederatedPools,
    idp_browser: Browser,
    endpoint: str,
    mode: str,
    description: str,
) -> None:
    pools = federated_pools
    hop = _back_from_provider(idp_browser, pools.app.billing, state="s7")
    faults = f"{pools.app.base_url}/_local/faults"
    httpx.post(faults, json={"endpoint": endpoint, "mode": mode}, timeout=5).raise_for_status()
    try:
        done = idp_browser.follow(hop)
    finally:
        httpx.delete(faults, timeout=5)
    assert done.headers["location"].startswith(pools.app.billing.redirect_uri + "?")
    assert query_of(done.headers["location"]) == {
        "error": "invalid_request",
        "error_description": description,
        "state": "s7",
    }
