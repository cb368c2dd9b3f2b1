"""Federated users through the Flask extension, over HTTP against the local IdP: sign-in
with ``/auth/login?idp=NAME`` or COGNITO_IDENTITY_PROVIDER, groups and ``idp:NAME``
permissions, ``current_user.identity_provider``, provider errors and single logout."""

from __future__ import annotations

from typing import Any

from cognito_sso.local.testing import DEFAULT_PASSWORD, CognitoFactory
from tests.plugins.federation import DAVE, PROVIDER, federate
from tests.plugins.flask_apps import PERMISSIONS, Browser, RunningApp, SSOEnv

FEDERATION_PERMISSIONS = {**PERMISSIONS, f"idp:{PROVIDER}": ["reports:read"]}


FEDERATED_CONFIG = {
    "COGNITO_IDENTITY_PROVIDERS": ["COGNITO", PROVIDER],
    "COGNITO_PERMISSIONS": FEDERATION_PERMISSIONS,
}
FEDERATED_CLIENT = {"SupportedIdentityProviders": ["COGNITO", PROVIDER]}


def federate_pool(sso_env: SSOEnv) -> None:
    """Register Example Corp as an identity provider of the test pool."""
    federate(CognitoFactory(sso_env.cognito), sso_env.idp.base_url, sso_env.pool_id)


def _app(sso_env: SSOEnv, **config: Any) -> RunningApp:
    federate_pool(sso_env)
    return sso_env.app(config={**FEDERATED_CONFIG, **config}, client_extra=FEDERATED_CLIENT)


def _sign_in_as_dave(sso_env: SSOEnv, app: RunningApp, start: str) -> Any:
    browser = sso_env.browser()
    corp_page = browser.follow(browser.get(app.url(start)))
    assert corp_page.status_code == 200
    assert 'name="password"' in corp_page.text
    done = browser.follow(
        browser.submit(corp_page, {"username": DAVE, "password": DEFAULT_PASSWORD})
    )
    return browser, done


def test_sign_in_with_idp_parameter(sso_env: SSOEnv) -> None:
    app = _app(sso_env)
    browser, me = _sign_in_as_dave(sso_env, app, f"/auth/login?idp={PROVIDER}&next=/me")
    assert me.status_code == 200, me.text[:300]
    body = me.json()
    assert body["identity_provider"] == PROVIDER
    assert body["username"].startswith(f"{PROVIDER}_")
    assert body["email"] == DAVE
    assert body["groups"] == [f"{sso_env.pool_id}_{PROVIDER}"]
    assert body["permissions"] == ["reports:read"]
    # groups_required and permission_required see federated users like any other
    assert browser.get(app.url("/reports")).status_code == 403
    assert browser.get(app.url("/invoices/new")).status_code == 403

    # single logout still ends the app's session (the provider's own session is the
    # provider's: here the corp pool's SSO cookie on the IdP host)
    assert app.log_out(browser).status_code in (302, 303)
    assert browser.get(app.url("/me")).status_code == 302


def unknown_idps_are_refused(browser: Browser, app: Any) -> None:
    """``?idp=`` with names not offered: a clear 400 page (Flask or FastAPI ``app``)."""
    for name in ("Nope", "<script>", "x" * 100):
        page = browser.get(app.url("/auth/login"), params={"idp": name})
        assert page.status_code == 400
        assert "Unknown identity provider" in page.text
        assert name not in page.text  # never echoed, escaped or not
        assert f"COGNITO, {PROVIDER}" in page.text
        assert "location" not in page.headers
    api = browser.get(app.url("/auth/login?idp=Nope"), headers={"Accept": "application/json"})
    assert api.json()["error"] == "unknown_identity_provider"


def test_unknown_idp_is_a_clear_400(sso_env: SSOEnv) -> None:
    unknown_idps_are_refused(sso_env.browser(), _app(sso_env))


def test_identity_provider_setting_sends_every_sign_in_to_the_provider(sso_env: SSOEnv) -> None:
    app = _app(sso_env, COGNITO_IDENTITY_PROVIDER=PROVIDER)
    start = sso_env.browser().get(app.url("/auth/login"))
    assert f"identity_provider={PROVIDER}" in start.headers["location"]
    _, me = _sign_in_as_dave(sso_env, app, "/auth/login?next=/me")
    assert me.json()["identity_provider"] == PROVIDER


def test_pool_users_come_from_cognito(sso_env: SSOEnv) -> None:
    app = _app(sso_env)
    email = sso_env.user(groups=["reports"])
    browser = sso_env.browser()
    page = browser.sign_in(app.url("/auth/login?idp=COGNITO&next=/me"), email)
    assert page.json()["identity_provider"] == "COGNITO"
    assert page.json()["permissions"] == ["reports:read"]


def test_provider_error_is_shown_with_its_description(sso_env: SSOEnv) -> None:
    app = _app(sso_env)
    cognito = sso_env.cognito
    details = cognito.describe_identity_provider(UserPoolId=sso_env.pool_id, ProviderName=PROVIDER)[
        "IdentityProvider"
    ]["ProviderDetails"]
    cognito.update_identity_provider(
        UserPoolId=sso_env.pool_id,
        ProviderName=PROVIDER,
        ProviderDetails={**details, "oidc_issuer": "http://127.0.0.1:9/corp"},  # unreachable
    )
    browser = sso_env.browser()
    page = browser.follow(browser.get(app.url(f"/auth/login?idp={PROVIDER}")))
    assert page.status_code == 400
    assert "(invalid_request): Error in calling IdP discovery endpoint." in page.text
    # a crafted link cannot put words on the page: no sign-in of this browser, no description
    forged = browser.get(
        app.url("/auth/callback"),
        params={"error": "invalid_request", "error_description": "Call +1 555 0100", "state": "x"},
    )
    assert forged.status_code == 400
    assert "555" not in forged.text
