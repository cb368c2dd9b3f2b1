"""Two app processes on one store: what one changes, the other never serves from its cache."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from tests.flask_ext.test_processes import processes, start  # noqa: F401  (fixture)
from tests.plugins.flask_apps import SSOEnv, edit_json


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_changes_and_sign_out_in_one_process_reach_the_other_at_once(
    sso_env: SSOEnv,
    processes: list[subprocess.Popen[str]],  # noqa: F811
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    extra = {}
    if backend == "redis":
        extra = {"COGNITO_SESSION_STORE": request.getfixturevalue("redis_url")}
    app = sso_env.app(config=extra)  # process A: this one
    email = sso_env.user(groups=["billing-admins"])
    browser = sso_env.signed_in(app.url("/me"), email)
    config = {
        k: v for k, v in app.app.config.items() if k.startswith("COGNITO_") or k == "SECRET_KEY"
    }
    other = start(config, processes)  # process B
    state = app.sso.state(app.app)
    session_id = app.session_id(browser)
    cookie = {state.config.cookie_name: session_id}

    def groups_at_b() -> list[str] | int:
        response = httpx.get(other + "/me", cookies=cookie, timeout=10)
        return response.json()["groups"] if response.status_code == 200 else response.status_code

    for _ in range(3):  # B serves the session, from its cache after the first request
        assert groups_at_b() == ["billing-admins"]
    # A changes the session (as a refresh after a group change does)
    assert state.store.update(session_id, edit_json(groups=["auditors"])) is not None
    assert groups_at_b() == ["auditors"]
    assert groups_at_b() == ["auditors"]
    # A signs the user out: B must not serve the session a moment longer
    assert app.log_out(browser).status_code == 302
    assert groups_at_b() == 302
