"""The IdP failing on purpose (its fault injection): friendly 503s, never a hang or a 500."""

from __future__ import annotations

import logging

import pytest

from tests.plugins.flask_apps import SSOEnv

PASSWORD = "Passw0rd!Local"


def callback_url(sso_env: SSOEnv, browser, app, email: str) -> str:  # type: ignore[no-untyped-def]
    page = browser.follow(browser.get(app.url("/auth/login?next=/me")))
    hop = browser.submit(page, {"username": email, "password": PASSWORD})
    hop = browser.follow(hop, stop_at=app.url("/auth/callback"))
    return str(hop.headers["location"])


@pytest.mark.parametrize(("mode", "extra"), [("error", {}), ("drop", {}), ("hang", {"seconds": 3})])
def test_token_endpoint_fault_at_callback_is_503(
    sso_env: SSOEnv, mode: str, extra: dict[str, float]
) -> None:
    app = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    email = sso_env.user()
    browser = sso_env.browser()
    callback = callback_url(sso_env, browser, app, email)
    sso_env.idp.fault("token", mode, **extra)
    response = browser.get(callback)
    assert response.status_code == 503
    assert "not reachable" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "Traceback" not in response.text


def test_discovery_down_at_login_is_503(sso_env: SSOEnv) -> None:
    app = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    sso_env.idp.fault("discovery", "error", count=3)
    response = sso_env.browser().get(app.url("/auth/login"))
    assert response.status_code == 503
    json_response = sso_env.browser().get(
        app.url("/auth/login"), headers={"Accept": "application/json"}
    )
    assert json_response.status_code == 503
    assert json_response.json()["error"] == "temporarily_unavailable"


def test_jwks_down_at_callback_is_503(sso_env: SSOEnv) -> None:
    app = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    email = sso_env.user()
    browser = sso_env.browser()
    callback = callback_url(sso_env, browser, app, email)
    # a fresh pool's keys are not cached yet
    sso_env.idp.fault("jwks", "error", count=5)
    response = browser.get(callback)
    assert response.status_code == 503


def test_session_check_fails_open_while_token_valid(sso_env: SSOEnv) -> None:
    app = sso_env.app(config={"COGNITO_SESSION_CHECK_INTERVAL": 0})  # no hang injected
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    sso_env.idp.fault("userInfo", "error", count=2)
    assert browser.get(app.url("/me")).status_code == 200


def test_nothing_secret_is_logged(sso_env: SSOEnv, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = sso_env.app()  # only error faults here: no short timeout to trip on a loaded machine
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    state = app.sso.state(app.app)
    session_id = app.session_id(browser)
    session = state.sessions.get(session_id)
    assert session is not None
    secrets = [
        *(t for t in session.tokens.to_dict().values() if t),
        app.client_secret or "",
        session_id,
    ]
    # some failing remote steps, so warnings get logged
    sso_env.idp.fault("api", "error", count=2)
    sso_env.idp.fault("revoke", "error", count=2)
    app.log_out(browser)
    cognito_logs = [r for r in caplog.records if r.name.startswith("cognito_sso")]
    assert any(r.levelno >= logging.WARNING for r in cognito_logs)
    text = "\n".join(r.getMessage() for r in cognito_logs)
    for secret in secrets:
        assert secret not in text


def test_sign_in_probes_the_hosted_ui_at_most_once_per_interval(sso_env: SSOEnv) -> None:
    """A healthy IdP costs one probe per interval, not one per sign-in; after the app sees
    the IdP fail, the next sign-in probes again and an outage gives the 503 page."""
    app = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    browser = sso_env.browser()
    try:
        sso_env.idp.reset_counts()
        assert browser.get(app.url("/auth/login")).status_code == 302
        assert browser.get(app.url("/auth/login")).status_code == 302
        assert sso_env.idp.count("GET", "/oauth2/authorize") == 1  # one probe, then trusted

        callback = callback_url(sso_env, browser, app, sso_env.user())
        sso_env.idp.fault("token", "drop", count=1)
        assert browser.get(callback).status_code == 503  # the app saw the IdP fail

        sso_env.idp.fault("authorize", "drop", count=1)
        down = browser.get(app.url("/auth/login?next=/me"))
        assert down.status_code == 503
        assert "not reachable" in down.text
        assert 'href="/auth/login?next=/me"' in down.text  # the retry link

        up = browser.get(app.url("/auth/login"))  # the probe succeeds: on to the hosted UI
        assert up.status_code == 302
        assert "/oauth2/authorize?" in up.headers["location"]
    finally:
        sso_env.idp.clear_faults()
