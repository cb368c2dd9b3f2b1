"""Sign-out on a FastAPI app while the IdP is down, as on Flask (issue 17): the app's own
signed-out page says so, and GlobalSignOut and the revocation are retried by an asyncio task
(never blocking the loop) until the IdP is back, when the other services notice."""

import time

import httpx
import pytest

from tests.fastapi_ext.test_event_loop import HANG, wait_until
from tests.flask_ext.test_signout_outage import sign_out_with_the_idp_down
from tests.plugins.fastapi_apps import FastAPIEnv


def test_sign_out_with_the_idp_down_ends_on_the_apps_own_page_and_is_retried(
    fastapi_env: FastAPIEnv, caplog: pytest.LogCaptureFixture
) -> None:
    env = fastapi_env.sso
    audit = fastapi_env.app(config={"COGNITO_HTTP_TIMEOUT": HANG + 5})
    reports = env.app(config={"COGNITO_HTTP_TIMEOUT": 10, "COGNITO_SESSION_CHECK_INTERVAL": 0})
    email = env.user()
    browser = env.signed_in(audit.url("/me"), email)
    assert browser.follow(browser.get(reports.url("/me"))).json()["email"] == email
    retries = audit.sso.state.signout_retries

    sign_out_with_the_idp_down(env, audit, browser, caplog)
    assert len(retries) == 1

    # The IdP answers again, slowly: the retried GlobalSignOut waits for it on the loop,
    # and the app keeps answering meanwhile.
    env.idp.clear_faults()
    env.idp.fault("api", "hang", seconds=HANG, count=1000)
    env.idp.reset_counts()
    wait_until(lambda: env.idp.count("POST", "/") >= 1, "the retried GlobalSignOut")
    for _ in range(3):
        assert httpx.get(audit.url("/open"), timeout=HANG).json() == {"open": True}
        assert httpx.get(audit.url("/auth/logged-out"), timeout=HANG).status_code == 200
    assert len(retries) == 1, "the retry finished first: the loop was blocked"

    env.idp.clear_faults()  # releases the stalled call: GlobalSignOut reaches the IdP
    deadline = time.monotonic() + 30
    while browser.get(reports.url("/me")).status_code == 200:
        assert time.monotonic() < deadline, "reports never noticed the sign-out"
        time.sleep(0.5)
    wait_until(lambda: len(retries) == 0, "the revocation")
