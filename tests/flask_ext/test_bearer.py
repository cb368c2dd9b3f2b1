"""Bearer-token API routes: RFC 6750 answers, accepted client ids, token kinds."""

from __future__ import annotations

import time

import httpx

from cognito_sso.verifier import TokenVerifier
from tests.plugins.flask_apps import SSOEnv


def test_valid_token_and_rfc6750_errors(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user(groups=["billing-readers"])
    tokens = app.tokens(sso_env.browser(), email)

    ok = app.bearer_get("/api/invoices", tokens["access_token"])
    assert ok.status_code == 200
    assert ok.json()["via"] == "bearer"
    assert app.bearer_get("/api/ping", tokens["access_token"]).json()["pong"] is True

    missing = app.bearer_get("/api/invoices")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="cognito-sso"'

    id_token = app.bearer_get("/api/invoices", tokens["id_token"])
    assert id_token.status_code == 401
    assert 'error="invalid_token"' in id_token.headers["www-authenticate"]

    garbage = app.bearer_get("/api/invoices", "not.a.token")
    assert garbage.status_code == 401
    assert 'error="invalid_token"' in garbage.headers["www-authenticate"]

    basic = httpx.get(app.url("/api/invoices"), auth=("a", "b"), timeout=10)
    assert basic.status_code == 401
    assert basic.headers["www-authenticate"] == 'Bearer realm="cognito-sso"'
    empty = httpx.get(app.url("/api/invoices"), headers={"Authorization": "Bearer"}, timeout=10)
    assert empty.status_code == 401
    assert 'error="invalid_token"' in empty.headers["www-authenticate"]

    # tokens in query strings are ignored
    query = app.bearer_get("/api/invoices", params={"access_token": tokens["access_token"]})
    assert query.status_code == 401
    # a bearer token does not open a non-API (browser) route
    assert app.bearer_get("/me", tokens["access_token"]).status_code == 401
    # and it never leaks into the error body
    assert tokens["access_token"] not in id_token.text + garbage.text


def test_permission_and_scope_denials_are_403(sso_env: SSOEnv) -> None:
    def setup(flask_app, sso):  # type: ignore[no-untyped-def]
        flask_app.add_url_rule(
            "/api/admin",
            "api_admin",
            sso.permission_required("invoices:create", api=True)(lambda: "ok"),
        )
        flask_app.add_url_rule(
            "/api/custom",
            "api_custom",
            sso.bearer_required(scopes=("billing/write",))(lambda: "ok"),
        )

    app = sso_env.app(setup=setup)
    email = sso_env.user(groups=["billing-readers"])
    token = app.tokens(sso_env.browser(), email)["access_token"]
    denied = app.bearer_get("/api/admin", token)
    assert denied.status_code == 403
    assert denied.json()["missing_permissions"] == ["invoices:create"]
    assert 'error="insufficient_scope"' in denied.headers["www-authenticate"]
    scope = app.bearer_get("/api/custom", token)
    assert scope.status_code == 403
    assert 'scope="billing/write"' in scope.headers["www-authenticate"]


def test_other_clients_tokens_need_to_be_listed(sso_env: SSOEnv) -> None:
    reports = sso_env.app()
    email = sso_env.user(groups=["billing-readers"])
    reports_token = reports.tokens(sso_env.browser(), email)["access_token"]

    billing = sso_env.app()
    refused = billing.bearer_get("/api/invoices", reports_token)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]

    trusting = sso_env.app(config={"COGNITO_BEARER_CLIENT_IDS": [reports.client_id]})
    accepted = trusting.bearer_get("/api/invoices", reports_token)
    assert accepted.status_code == 200


def test_expired_token_is_refused(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user(groups=["billing-readers"])
    token = app.tokens(sso_env.browser(), email)["access_token"]
    state = app.sso.state(app.app)
    # the same real token, judged two hours later
    state.bearer_verifier = TokenVerifier(
        state.config.issuer,
        [state.config.client_id],
        clock=lambda: time.time() + 7200,
    )
    expired = app.bearer_get("/api/invoices", token)
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert "expired" in expired.headers["www-authenticate"]


def test_other_authorization_schemes_do_not_hide_the_session(sso_env: SSOEnv) -> None:
    """A Basic-auth proxy in front of the app adds ``Authorization: Basic`` to every browser
    request: the session cookie must still count, and browsers still go to the sign-in page."""
    app = sso_env.app()
    email = sso_env.user(groups=["billing-readers"])
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}

    stranger = sso_env.browser()
    page = stranger.get(app.url("/me"), headers=basic)
    assert page.status_code == 302
    assert "/auth/login" in page.headers["location"]

    browser = sso_env.signed_in(app.url("/me"), email)
    api = browser.get(app.url("/api/invoices"), headers=basic)
    assert api.status_code == 200
    assert api.json()["via"] == "session"
    # a bearer-only route still wants a bearer token
    ping = browser.get(app.url("/api/ping"), headers=basic)
    assert ping.status_code == 401
    assert ping.headers["www-authenticate"] == 'Bearer realm="cognito-sso"'
