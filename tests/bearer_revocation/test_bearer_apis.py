"""Bearer APIs (Flask and FastAPI, real servers) with the revocation check against the local
IdP: revoked tokens refused within the interval, one GetUser per token per interval, 503
(never 500) when the IdP cannot answer a stale one, per-route overrides both ways."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import pytest

from cognito_sso.config_keys import ADMIN_SCOPE
from tests.bearer_revocation.harness import BearerAPI, serve_fastapi, serve_flask
from tests.plugins.flask_apps import SCOPES

INTERVAL = 120.0
CHECKED = {"COGNITO_BEARER_REVOCATION_CHECK_INTERVAL": INTERVAL}

Serve = Callable[..., BearerAPI]


@pytest.fixture(params=["flask", "fastapi"])
def serve(request: pytest.FixtureRequest) -> Serve:
    """``serve(config, scopes=...)``: a bearer API of the parametrized framework."""

    def start(config: Mapping[str, Any], scopes: Sequence[str] = SCOPES) -> BearerAPI:
        if request.param == "flask":
            return serve_flask(request.getfixturevalue("sso_env"), config, scopes)
        return serve_fastapi(request.getfixturevalue("fastapi_env"), config, scopes)

    return start


def assert_revoked(response: httpx.Response, token: str) -> None:
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge and "revoked" in challenge
    assert response.headers["content-type"].startswith("application/json")
    assert "invalid_token" in response.text and token not in response.text


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "temporarily_unavailable" in response.text
    assert int(response.headers["retry-after"]) > 0


def test_a_globally_signed_out_token_is_refused_within_the_interval(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    api = serve(CHECKED)
    email = api.env.user()
    token = api.token(email)
    api.reset()
    assert api.get("/api/ping", token).status_code == 200
    assert api.asked() == 1

    api.env.cognito.admin_user_global_sign_out(UserPoolId=api.env.pool_id, Username=email)
    api.reset()  # boto3's calls count too
    # the IdP's answer is trusted for the interval: no call, the token still passes
    assert api.get("/api/ping", token).status_code == 200
    assert api.asked() == 0
    # the route that turns the check off keeps the old behaviour: accepted until it expires
    assert api.get("/api/unchecked", token).status_code == 200

    api.later(INTERVAL)
    with caplog.at_level(logging.INFO, logger="cognito_sso.bearer_revocation"):
        assert_revoked(api.get("/api/ping", token), token)
    assert api.asked() == 1
    assert "NotAuthorizedException" in caplog.text and token not in caplog.text
    # the refusal is kept for the token's lifetime: no more calls, whatever the route
    api.later(INTERVAL)
    assert_revoked(api.get("/api/ping", token), token)
    assert_revoked(api.get("/api/checked", token), token)
    assert api.asked() == 1
    assert api.get("/api/unchecked", token).status_code == 200


def test_the_check_is_off_by_default_and_a_route_can_turn_it_on(serve: Serve) -> None:
    api = serve({})
    token = api.token(email := api.env.user())
    api.env.cognito.global_sign_out(AccessToken=token)
    api.reset()
    assert api.get("/api/ping", token).status_code == 200  # documented: until it expires
    assert api.asked() == 0
    assert_revoked(api.get("/api/checked", token), token)
    assert api.asked() == 1
    # a token never seen before is refused at once after the sign-out
    fresh = api.token(email)
    api.env.cognito.admin_user_global_sign_out(UserPoolId=api.env.pool_id, Username=email)
    assert_revoked(api.get("/api/checked", fresh), fresh)


def test_a_token_of_a_revoked_refresh_token_is_refused(serve: Serve) -> None:
    api = serve(CHECKED)
    browser = api.env.signed_in(api.url("/me"), api.env.user())
    tokens = api.session_of(browser).tokens
    assert api.get("/api/ping", tokens.access_token).status_code == 200
    assert tokens.refresh_token is not None
    api.env.cognito.revoke_token(
        Token=tokens.refresh_token, ClientId=api.client_id, ClientSecret=api.client_secret
    )
    api.later(INTERVAL)
    assert_revoked(api.get("/api/ping", tokens.access_token), tokens.access_token)


def test_each_token_is_asked_once_per_interval(serve: Serve) -> None:
    api = serve(CHECKED)
    token = api.token(api.env.user())
    api.reset()
    assert api.burst("/api/ping", token, 8) == [200] * 8
    assert api.asked() == 1
    api.later(INTERVAL / 2)
    assert api.get("/api/ping", token).status_code == 200
    assert api.get("/api/checked", token).status_code == 200  # one answer for every route
    assert api.asked() == 1
    api.later(INTERVAL / 2)
    assert api.burst("/api/ping", token, 8) == [200] * 8
    assert api.asked() == 2


@pytest.mark.parametrize("mode", ["error", "drop", "hang"])
def test_when_the_idp_cannot_answer(serve: Serve, mode: str) -> None:
    api = serve({**CHECKED, "COGNITO_HTTP_TIMEOUT": 2.0})
    token = api.token(api.env.user())
    assert api.get("/api/ping", token).status_code == 200
    api.env.idp.fault("api", mode, count=100, seconds=30)
    api.reset()
    # a positive answer younger than the interval: used, the IdP is not asked
    api.later(INTERVAL - 1)
    assert api.get("/api/ping", token).status_code == 200
    assert api.asked() == 0
    # an older one: the IdP is asked, cannot answer: 503, and not asked again right away
    api.later(1)
    assert_unavailable(api.get("/api/ping", token))
    assert_unavailable(api.get("/api/ping", token))
    assert api.asked() == 1
    # the IdP is back: the next ask after the retry window lets the token pass again
    api.env.idp.clear_faults()
    api.later(api.cache.retry_after)
    assert api.get("/api/ping", token).status_code == 200
    assert api.asked() == 2


def test_a_token_the_idp_cannot_check_is_refused_with_403(serve: Serve) -> None:
    api = serve(CHECKED, scopes=("openid", "email", "profile"))
    token = api.token(api.env.user())
    api.reset()
    response = api.get("/api/ping", token)
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert ADMIN_SCOPE in response.headers["www-authenticate"]
    assert api.asked() == 0
    assert api.get("/api/unchecked", token).status_code == 200
