"""Dependencies on a FastAPI app (uvicorn): browsers get 302, APIs 401/403 with
``WWW-Authenticate``; groups, permissions and bearer tokens as in the Flask extension."""

import time

import httpx
from fastapi import Depends, FastAPI

from cognito_sso.aio import AsyncTokenVerifier
from tests.library.test_content_negotiation import ACCEPT_CASES
from tests.plugins.fastapi_apps import FastAPIEnv, serve_asgi


def test_dependencies_by_group(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    env = fastapi_env.sso
    users = (
        env.user(groups=["billing-admins"]),
        env.user(groups=["billing-readers"]),
        env.user(groups=["billing-admins", "reports"]),
        env.user(),
    )
    expected = {
        "/invoices/new": (200, 403, 200, 403),
        "/reports": (200, 403, 200, 403),
        "/both": (403, 403, 200, 403),
        "/me": (200, 200, 200, 200),
    }
    for index, email in enumerate(users):
        browser = env.signed_in(app.url("/me"), email)
        for path, statuses in expected.items():
            response = browser.get(app.url(path))
            assert response.status_code == statuses[index], (email, path, response.text)


def test_browsers_are_sent_to_sign_in_and_apis_get_401(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    page = httpx.get(app.url("/invoices/new?a=1"))
    assert page.status_code == 302
    assert page.headers["location"] == "/auth/login?next=/invoices/new%3Fa%3D1"
    api = httpx.get(app.url("/me"), headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert api.headers["www-authenticate"] == 'Bearer realm="cognito-sso"'
    assert app.bearer_get("/api/invoices").status_code == 401
    with httpx.Client(base_url=app.base_url, timeout=10) as client:
        del client.headers["Accept"]  # httpx sends */* unless told otherwise
        for accept, as_json in ACCEPT_CASES:
            answer = client.get("/me", headers={} if accept is None else {"Accept": accept})
            assert answer.status_code == (401 if as_json else 302), accept
            assert ("www-authenticate" in answer.headers) is as_json


def test_403_names_what_is_missing(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    browser = fastapi_env.sso.browser()
    reader = fastapi_env.sso.user(groups=["billing-readers"])
    assert browser.sign_in(app.url("/me"), reader).status_code == 200
    api = {"Accept": "application/json"}  # browsers get the HTML page (test_error_pages)
    page = browser.get(app.url("/invoices/new"), headers=api)
    assert page.status_code == 403
    assert page.json()["detail"]["missing_permissions"] == ["invoices:create"]
    assert "invoices:create" in page.json()["detail"]["message"]
    both = browser.get(app.url("/both"), headers=api)
    assert both.json()["detail"]["missing_groups"] == ["reports", "billing-admins"]


def test_valid_token_and_rfc6750_errors(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    tokens = app.tokens(fastapi_env.sso.browser(), fastapi_env.sso.user(groups=["billing-readers"]))

    ok = app.bearer_get("/api/invoices", tokens["access_token"])
    assert ok.status_code == 200 and ok.json()["via"] == "bearer"
    assert app.bearer_get("/api/ping", tokens["access_token"]).json()["pong"] is True
    missing = app.bearer_get("/api/ping")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="cognito-sso"'
    id_token = app.bearer_get("/api/invoices", tokens["id_token"])
    assert id_token.status_code == 401
    assert 'error="invalid_token"' in id_token.headers["www-authenticate"]
    assert "Not an access token" in id_token.headers["www-authenticate"]
    garbage = app.bearer_get("/api/invoices", "not.a.token")
    assert 'error="invalid_token"' in garbage.headers["www-authenticate"]
    basic = httpx.get(app.url("/api/invoices"), auth=("a", "b"), timeout=10)
    assert basic.headers["www-authenticate"] == 'Bearer realm="cognito-sso"'
    empty = httpx.get(app.url("/api/ping"), headers={"Authorization": "Bearer"}, timeout=10)
    assert 'error="invalid_token"' in empty.headers["www-authenticate"]
    query = app.bearer_get("/api/invoices", params={"access_token": tokens["access_token"]})
    assert query.status_code == 401  # tokens in query strings are ignored
    assert app.bearer_get("/me", tokens["access_token"]).status_code == 401  # not a browser route
    assert tokens["access_token"] not in id_token.text + garbage.text


def test_permission_and_scope_denials_are_403(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    sso = app.sso
    admin = Depends(sso.permission_required("invoices:create", api=True))
    custom = Depends(sso.bearer_required(scopes=("billing/write",)))
    app.app.add_api_route("/api/admin", lambda _=admin: "ok", methods=["GET"])
    app.app.add_api_route("/api/custom", lambda _=custom: "ok", methods=["GET"])
    token = app.tokens(fastapi_env.sso.browser(), fastapi_env.sso.user(groups=["billing-readers"]))
    denied = app.bearer_get("/api/admin", token["access_token"])
    assert denied.status_code == 403
    assert denied.json()["detail"]["missing_permissions"] == ["invoices:create"]
    assert 'error="insufficient_scope"' in denied.headers["www-authenticate"]
    scope = app.bearer_get("/api/custom", token["access_token"])
    assert scope.status_code == 403
    assert 'scope="billing/write"' in scope.headers["www-authenticate"]


def test_other_clients_tokens_need_to_be_listed(fastapi_env: FastAPIEnv) -> None:
    reports = fastapi_env.app()
    reports_token = reports.tokens(
        fastapi_env.sso.browser(), fastapi_env.sso.user(groups=["reports"])
    )
    billing = fastapi_env.app()
    refused = billing.bearer_get("/api/ping", reports_token["access_token"])
    assert refused.status_code == 401
    trusting = fastapi_env.app(config={"COGNITO_BEARER_CLIENT_IDS": [reports.client_id]})
    assert trusting.bearer_get("/api/ping", reports_token["access_token"]).status_code == 200


def test_expired_token_is_refused(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    token = app.tokens(fastapi_env.sso.browser(), fastapi_env.sso.user())["access_token"]
    state = app.sso.state
    later = AsyncTokenVerifier(state.config.issuer, [state.config.client_id])
    later.sync._clock = lambda: time.time() + 7200  # the same real token, two hours later
    state.bearer_verifier = later
    expired = app.bearer_get("/api/ping", token)
    assert expired.status_code == 401
    assert "expired" in expired.headers["www-authenticate"]


def test_other_authorization_schemes_do_not_hide_the_session(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}
    stranger = fastapi_env.sso.browser()
    page = stranger.get(app.url("/me"), headers=basic)
    assert page.status_code == 302 and "/auth/login" in page.headers["location"]
    browser = fastapi_env.sso.browser()
    assert browser.sign_in(app.url("/me"), fastapi_env.sso.user(groups=["billing-readers"]))
    api = browser.get(app.url("/api/invoices"), headers=basic)
    assert api.status_code == 200 and api.json()["via"] == "session"


def test_include_router_is_all_the_wiring(fastapi_env: FastAPIEnv) -> None:
    """No middleware, no exception handler of ours: a bare app gets the routes and answers."""
    running = fastapi_env.app()
    bare = FastAPI()
    bare.include_router(running.sso.router)
    signed_in = Depends(running.sso.login_required)
    bare.add_api_route("/x", lambda _=signed_in: "x", methods=["GET"])
    served, _ = serve_asgi(lambda _url: bare)
    try:
        assert not bare.user_middleware
        assert httpx.get(served.base_url + "/x").status_code == 302
        assert httpx.get(served.base_url + "/auth/login").status_code == 302
    finally:
        served.stop()
