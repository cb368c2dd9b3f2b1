"""Flask conventions the extension follows (as Flask-Login does): async views under every
decorator, CORS preflight not sent to sign in, one ``current_user``."""

from __future__ import annotations

import asyncio
from importlib.util import find_spec
from typing import Any

import httpx
import pytest
from flask import Flask, jsonify, render_template_string

import cognito_sso.flask
from cognito_sso.flask import CognitoSSO
from cognito_sso.flask.identity import template_helpers
from tests.plugins.flask_apps import RunningApp, SSOEnv

SESSION_VIEWS = ["/async/login", "/async/groups", "/async/permission"]
API_VIEWS = ["/async/login-api", "/async/groups-api", "/async/permission-api", "/async/bearer"]


def async_views(app: Flask, sso: CognitoSSO) -> None:
    async def who() -> Any:
        await asyncio.sleep(0)  # a real await: the view is a coroutine function
        user = sso.current_user
        return jsonify(email=user.email, sub=user.sub, via=user.source)

    guarded = {
        "/async/login": sso.login_required,
        "/async/login-api": sso.login_required(api=True),
        "/async/groups": sso.groups_required("billing-admins"),
        "/async/groups-api": sso.groups_required("billing-admins", api=True),
        "/async/permission": sso.permission_required("invoices:create"),
        "/async/permission-api": sso.permission_required("invoices:read", api=True),
        "/async/bearer": sso.bearer_required(scopes=("openid",)),
    }
    for path, decorator in guarded.items():
        app.add_url_rule(path, path, decorator(who))

    def preflight() -> str:
        return "preflight answered by the view"

    app.add_url_rule(
        "/cors", "cors", sso.login_required(preflight), methods=["GET", "POST", "OPTIONS"]
    )
    app.add_url_rule(
        "/cors-api", "cors-api", sso.bearer_required()(preflight), methods=["GET", "OPTIONS"]
    )
    app.add_url_rule(
        "/cors-groups",
        "cors-groups",
        sso.groups_required("reports", api=True)(preflight),
        methods=["GET", "OPTIONS"],
    )


@pytest.fixture
def app(sso_env: SSOEnv) -> RunningApp:
    assert find_spec("asgiref"), "async views need the flask extra's asgiref: make install"
    return sso_env.app(setup=async_views)


def test_async_views_work_under_every_decorator(sso_env: SSOEnv, app: RunningApp) -> None:
    email = sso_env.user(groups=["billing-admins"])
    browser = sso_env.signed_in(app.url("/async/login"), email)
    for path in SESSION_VIEWS + API_VIEWS[:-1]:
        response = browser.get(app.url(path))
        assert response.status_code == 200, (path, response.text[:200])
        assert (response.json()["email"], response.json()["via"]) == (email, "session")
    session = app.sso.state(app.app).sessions.get(app.session_id(browser))
    assert session is not None
    bearer = {"Authorization": f"Bearer {session.tokens.access_token}"}
    for path in API_VIEWS:
        response = httpx.get(app.url(path), headers=bearer, timeout=10)
        assert response.status_code == 200, (path, response.text[:200])
        assert response.json()["via"] == "bearer"


def test_async_views_stay_protected(sso_env: SSOEnv, app: RunningApp) -> None:
    for path in SESSION_VIEWS:
        response = httpx.get(app.url(path), timeout=10)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["location"]
    for path in API_VIEWS:
        assert httpx.get(app.url(path), timeout=10).status_code == 401
    reader = sso_env.user(groups=["billing-readers"])
    browser = sso_env.signed_in(app.url("/async/login"), reader)
    assert browser.get(app.url("/async/groups")).status_code == 403
    assert browser.get(app.url("/async/permission")).status_code == 403


@pytest.mark.parametrize("path", ["/cors", "/cors-api", "/cors-groups"])
def test_cors_preflight_is_not_sent_to_sign_in(app: RunningApp, path: str) -> None:
    preflight = httpx.options(
        app.url(path),
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.text == "preflight answered by the view"
    assert httpx.get(app.url(path), timeout=10).status_code in (302, 401)


def test_one_current_user(app: RunningApp) -> None:
    assert app.sso.current_user is cognito_sso.flask.current_user
    with app.app.test_request_context("/"):
        assert template_helpers()["current_user"] is cognito_sso.flask.current_user
        assert app.sso.current_user.is_anonymous
        text = render_template_string("{{ current_user.is_authenticated }}")
        assert text == "False"
