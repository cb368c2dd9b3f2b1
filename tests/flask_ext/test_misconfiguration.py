"""Misconfiguration is not an outage (issue 15), and the defects of issue 14 that live in the
sign-in views: #6 (the /auth pages cannot be framed), #7 (a token response that is not
Bearer is a 4xx sign-in error) and the scope hint of #4 in both shapes Cognito sends."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from tests.flask_ext.test_faults import callback_url
from tests.plugins.flask_apps import SSOEnv


def wrong_issuers(sso_env: SSOEnv) -> dict[str, tuple[str, str]]:
    """Two wrong COGNITO_ISSUER values seen in the wild, and what the log must say."""
    port = sso_env.idp.base_url.rsplit(":", 1)[1]
    return {
        "wrong pool id": (f"{sso_env.idp.base_url}/eu-west-1_NoSuchPool", "answered HTTP 404"),
        "localhost": (f"http://localhost:{port}/{sso_env.pool_id}", "differs from COGNITO_ISSUER"),
    }


@pytest.mark.parametrize("case", ["wrong pool id", "localhost"])
def test_a_wrong_issuer_is_a_configuration_error_not_an_outage(
    sso_env: SSOEnv, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    issuer, cause = wrong_issuers(sso_env)[case]
    app = sso_env.app(config={"COGNITO_ISSUER": issuer})
    caplog.set_level(logging.ERROR, logger="cognito_sso")
    page = sso_env.browser().get(app.url("/auth/login"))
    assert page.status_code == 500
    assert "misconfigured" in page.text
    assert cause not in page.text  # the cause is for the log (and debug mode) only
    assert "Try again" not in page.text  # waiting does not fix a configuration
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert cause in logged
    assert app.client_secret and app.client_secret not in logged
    api = sso_env.browser().get(app.url("/auth/login"), headers={"Accept": "application/json"})
    assert (api.status_code, api.json()["error"]) == (500, "misconfigured")


def test_debug_mode_shows_the_cause_on_the_page(sso_env: SSOEnv) -> None:
    issuer, cause = wrong_issuers(sso_env)["localhost"]
    app = sso_env.app(config={"COGNITO_ISSUER": issuer})
    app.app.debug = True
    page = sso_env.browser().get(app.url("/auth/login"))
    assert page.status_code == 500
    assert cause in page.text


def test_an_outage_is_a_503_with_a_retry_link(sso_env: SSOEnv) -> None:
    app = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    sso_env.idp.fault("discovery", "error", count=1)
    page = sso_env.browser().get(app.url("/auth/login?next=/reports"))
    assert page.status_code == 503
    assert 'href="/auth/login?next=/reports">Try again</a>' in page.text


def _rewrite_token_type(inner: httpx.BaseTransport) -> httpx.BaseTransport:
    """The IdP's real token answer with ``token_type`` changed (a fault the local IdP
    cannot produce on cue)."""

    class Rewrite(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = inner.handle_request(request)
            if not request.url.path.endswith("/oauth2/token"):
                return response
            response.read()
            doc = json.loads(response.content)
            doc["token_type"] = "mac"
            return httpx.Response(response.status_code, json=doc)

    return Rewrite()


def test_a_token_type_other_than_bearer_is_a_sign_in_error(sso_env: SSOEnv) -> None:
    """Issue 14 #7: 4xx, not "temporarily unavailable"."""
    app = sso_env.app()
    http = app.sso.state(app.app).oidc._http
    http._transport = _rewrite_token_type(http._transport)
    browser = sso_env.browser()
    page = browser.get(callback_url(sso_env, browser, app, sso_env.user()))
    assert 400 <= page.status_code < 500
    assert "Sign-in failed" in page.text
    assert "not reachable" not in page.text


def test_both_shapes_of_a_refused_scope_get_the_scopes_hint(sso_env: SSOEnv) -> None:
    """Issue 14 #4: Cognito sends ``error=invalid_scope`` or ``error=invalid_request&
    error_description=invalid_scope``; the description is read but never shown raw."""
    app = sso_env.app()
    browser = sso_env.browser()
    shapes = [
        {"error": "invalid_scope"},
        {"error": "invalid_request", "error_description": "invalid_scope"},
    ]
    for params in shapes:
        page = browser.get(app.url("/auth/callback"), params={**params, "state": "x" * 20})
        assert page.status_code == 400
        assert "Check that COGNITO_SCOPES" in page.text, params
    raw = {"error": "invalid_request", "error_description": "<b>call 555-0100</b>"}
    page = browser.get(app.url("/auth/callback"), params=raw)
    assert "555-0100" not in page.text
    assert "COGNITO_SCOPES" not in page.text


@pytest.mark.parametrize("path", ["/auth/login", "/auth/logged-out", "/auth/callback?error=x"])
def test_the_auth_pages_cannot_be_framed(sso_env: SSOEnv, path: str) -> None:
    """Issue 14 #6, error pages included."""
    app = sso_env.app()
    response = sso_env.browser().get(app.url(path))
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_an_apps_own_csp_keeps_its_directives(sso_env: SSOEnv) -> None:
    def setup(flask_app, _sso):  # type: ignore[no-untyped-def]
        @flask_app.after_request
        def csp(response):  # type: ignore[no-untyped-def]
            response.headers["Content-Security-Policy"] = "default-src 'self'"
            return response

    app = sso_env.app(setup=setup)
    policy = sso_env.browser().get(app.url("/auth/logged-out")).headers["content-security-policy"]
    assert policy == "default-src 'self'; frame-ancestors 'none'"
