"""The FastAPI adapter's pages in Chromium (issue 17), checked by the Flask extension's
browser tests: the built-in 403 page (the same template and stylesheet) with a working
sign-out button, a wrong issuer's misconfigured page, and sign-out with the IdP down.
Screenshots go to test-output/browser/<test>/."""

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.flask_ext.test_browser_pages import (
    shows_the_default_403_page,
    shows_the_misconfigured_page,
    signs_out_with_the_idp_down,
)
from tests.flask_ext.test_misconfiguration import wrong_issuers
from tests.plugins.fastapi_apps import FastAPIEnv

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_the_default_403_page(
    fastapi_env: FastAPIEnv, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    email = fastapi_env.sso.user(groups=["billing-readers"])
    page = new_context().new_page()
    shows_the_default_403_page(page, fastapi_env.app(), email, browser_output)


def test_wrong_issuer_shows_the_misconfigured_page(
    fastapi_env: FastAPIEnv, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    issuer, _cause = wrong_issuers(fastapi_env.sso)["localhost"]
    app = fastapi_env.app(config={"COGNITO_ISSUER": issuer})
    shows_the_misconfigured_page(new_context().new_page(), app, browser_output)


def test_idp_down_at_sign_out_ends_on_the_apps_signed_out_page(
    fastapi_env: FastAPIEnv, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    env = fastapi_env.sso
    page = new_context().new_page()
    signs_out_with_the_idp_down(env, page, fastapi_env.app(), env.user(), browser_output)
