"""Federated sign-in on a FastAPI app, as on Flask (issue 17): ``/auth/login?idp=NAME`` and
COGNITO_IDENTITY_PROVIDER, checked against COGNITO_IDENTITY_PROVIDERS by the same rule."""

from typing import Any

from tests.flask_ext.test_federation import (
    FEDERATED_CLIENT,
    FEDERATED_CONFIG,
    _sign_in_as_dave,
    federate_pool,
    unknown_idps_are_refused,
)
from tests.plugins.fastapi_apps import FastAPIEnv, RunningASGIApp
from tests.plugins.federation import PROVIDER


def _app(fastapi_env: FastAPIEnv, **config: Any) -> RunningASGIApp:
    federate_pool(fastapi_env.sso)
    return fastapi_env.app(config={**FEDERATED_CONFIG, **config}, client_extra=FEDERATED_CLIENT)


def test_sign_in_with_idp_parameter(fastapi_env: FastAPIEnv) -> None:
    app = _app(fastapi_env)
    start = f"/auth/login?idp={PROVIDER}&next=/me"
    browser, me = _sign_in_as_dave(fastapi_env.sso, app, start)  # type: ignore[arg-type]
    assert me.status_code == 200, me.text[:300]
    assert me.json()["identity_provider"] == PROVIDER
    assert me.json()["permissions"] == ["reports:read"]
    assert browser.get(app.url("/invoices/new")).status_code == 403


def test_unknown_idp_is_a_clear_400(fastapi_env: FastAPIEnv) -> None:
    unknown_idps_are_refused(fastapi_env.sso.browser(), _app(fastapi_env))


def test_identity_provider_setting_sends_every_sign_in_to_the_provider(
    fastapi_env: FastAPIEnv,
) -> None:
    app = _app(fastapi_env, COGNITO_IDENTITY_PROVIDER=PROVIDER)
    start = fastapi_env.sso.browser().get(app.url("/auth/login"))
    assert f"identity_provider={PROVIDER}" in start.headers["location"]
    chosen = fastapi_env.sso.browser().get(app.url("/auth/login?idp=COGNITO"))
    assert "identity_provider=COGNITO" in chosen.headers["location"]
    _, me = _sign_in_as_dave(fastapi_env.sso, app, "/auth/login?next=/me")  # type: ignore[arg-type]
    assert me.json()["identity_provider"] == PROVIDER
