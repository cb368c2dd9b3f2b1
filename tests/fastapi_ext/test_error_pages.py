"""The FastAPI adapter's error pages, as the Flask extension's (issue 17): a misconfiguration
is a 500 "misconfigured" page with the cause in the log, an outage a 503 page with a "Try
again" link, a 403 for a browser the HTML page naming what is missing; APIs get JSON. No
exception handler is registered by the app (``include_router`` is all the wiring)."""

import logging
import time

import httpx
import jinja2
import pytest
from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from cognito_sso.errors import ConfigurationError
from cognito_sso.fastapi import PermissionDeniedError
from cognito_sso.fastapi.errors import Pages
from tests.flask_ext.test_misconfiguration import wrong_issuers
from tests.plugins.fastapi_apps import FastAPIEnv
from tests.plugins.flask_apps import edit_json

JSON = {"Accept": "application/json"}


@pytest.mark.parametrize("case", ["wrong pool id", "localhost"])
def test_a_wrong_issuer_is_the_misconfigured_page_not_an_outage(
    fastapi_env: FastAPIEnv, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    issuer, cause = wrong_issuers(fastapi_env.sso)[case]
    app = fastapi_env.app(config={"COGNITO_ISSUER": issuer})
    caplog.set_level(logging.ERROR, logger="cognito_sso")
    browser = fastapi_env.sso.browser()
    page = browser.follow(browser.get(app.url("/me")))
    assert page.status_code == 500
    assert "This service is misconfigured" in page.text
    assert cause not in page.text  # the cause is for the log only
    assert "Try again" not in page.text  # waiting does not fix a configuration
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert cause in logged
    assert app.client_secret and app.client_secret not in logged
    api = httpx.get(app.url("/auth/login"), headers=JSON)
    assert (api.status_code, api.json()["error"]) == (500, "misconfigured")


def test_an_outage_is_the_503_page_with_a_retry_link(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    fastapi_env.sso.idp.fault("discovery", "error", count=1)
    page = httpx.get(app.url("/auth/login?next=/reports"))
    assert page.status_code == 503
    assert page.headers["retry-after"] == "5"
    assert 'href="/auth/login?next=/reports">Try again</a>' in page.text


def test_an_outage_in_a_dependency_is_the_503_page_for_browsers_json_for_apis(
    fastapi_env: FastAPIEnv,
) -> None:
    app = fastapi_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    browser = fastapi_env.sso.signed_in(app.url("/me"), fastapi_env.sso.user())
    session_id = app.session_id(browser)
    assert app.sso.state.store.update(session_id, edit_json(access_exp=time.time() - 1))
    fastapi_env.sso.idp.fault("token", "drop", count=1000)
    page = browser.get(app.url("/me?tab=1"))
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/me?tab=1">Try again</a>' in page.text
    api = browser.get(app.url("/me"), headers=JSON)
    assert api.status_code == 503
    assert api.json()["detail"]["error"] == "temporarily_unavailable"


def test_a_403_for_a_browser_is_the_html_page(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    email = fastapi_env.sso.user(groups=["billing-readers"])
    browser = fastapi_env.sso.signed_in(app.url("/me"), email)
    page = browser.get(app.url("/invoices/new"), headers={"Accept": "text/html"})
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Access denied</h1>" in page.text
    assert page.text.count("invoices:create") == 1  # said once
    assert f"Signed in as <strong>{email}</strong>" in page.text
    assert 'href="/">Back to the home page</a>' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert token == app.sso.state.sessions.get(app.session_id(browser)).csrf  # type: ignore[union-attr]
    signed_out = browser.http.post(
        app.url("/auth/logout"), data={"csrf_token": token}, headers={"Origin": app.base_url}
    )
    assert signed_out.status_code == 302
    assert browser.get(app.url("/me")).status_code == 302


def test_a_403_for_an_api_stays_json(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()
    browser = fastapi_env.sso.signed_in(app.url("/me"), fastapi_env.sso.user())
    api = browser.get(app.url("/both"), headers=JSON)
    assert api.status_code == 403
    assert api.json()["detail"]["missing_groups"] == ["reports", "billing-admins"]


def test_an_apps_own_handler_still_wins(fastapi_env: FastAPIEnv) -> None:
    app = fastapi_env.app()

    async def own(_request: Request, _exc: Exception) -> Response:
        return PlainTextResponse("our own 403", status_code=403)

    app.app.add_exception_handler(PermissionDeniedError, own)
    app.app.middleware_stack = None  # rebuilt with the handler on the next request
    browser = fastapi_env.sso.signed_in(app.url("/me"), fastapi_env.sso.user())
    page = browser.get(app.url("/invoices/new"), headers={"Accept": "text/html"})
    assert (page.status_code, page.text) == (403, "our own 403")


def test_pages_refuse_a_jinja_environment_that_does_not_escape() -> None:
    """The pages show request-derived text and the user's name: without autoescape, XSS."""
    with pytest.raises(ConfigurationError, match="autoescape"):
        Pages(jinja2.Environment(autoescape=False))  # noqa: S701 (the point of the test)
    assert Pages(jinja2.Environment(autoescape=True)).templates.autoescape
