"""Store contents are input too, with each framework adapter: session data this library did
not write signs the user out cleanly (never a 500), at any page and at sign-out, and a login
transaction it did not write is refused with a 400."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from cognito_sso.login import binding_hash
from tests.plugins.adapters import AdapterEnv, app_state
from tests.plugins.flask_apps import edit_json


def unreadable(raw: bytes) -> Callable[[bytes], bytes]:
    return lambda _old: raw


DAMAGES = [
    edit_json(checked_at="soon"),
    edit_json(access_exp="later"),
    edit_json(access_exp=None),
    edit_json(groups="billing-admins"),
    edit_json(claims=["not", "a", "dict"]),
    edit_json(csrf=5),
    edit_json(tokens={"access_token": "a", "refresh_token": 5}),
    edit_json(tokens=[]),
    edit_json(v=99),
    unreadable(b"{not json"),
    unreadable(b"[1, 2]"),
    unreadable(b"\xff\xfe"),
    unreadable(b"[" * 100_000),
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_malformed_session_data_ends_the_session(
    adapter_env: AdapterEnv, damage: Callable[[bytes], bytes]
) -> None:
    app = adapter_env.app()
    browser = adapter_env.sso.browser()
    email = adapter_env.sso.user(groups=["billing-admins"])
    assert browser.sign_in(app.url("/me"), email).status_code == 200
    store = app_state(app).store
    session_id = app.session_id(browser)
    store.update(session_id, damage)

    response = browser.get(app.url("/me"))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["location"]
    assert store.get(session_id) is None
    page = browser.get(app.url("/"))
    assert page.status_code == 200 and "anonymous" in page.text


def test_logout_with_malformed_session_data(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    browser = adapter_env.sso.signed_in(app.url("/me"), adapter_env.sso.user())
    home = browser.get(app.url("/"))  # the logout form, before the data goes bad
    token = home.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    store = app_state(app).store
    session_id = app.session_id(browser)
    store.update(session_id, edit_json(claims=[1], tokens=[2]))
    response = browser.http.post(
        app.url("/auth/logout"), data={"csrf_token": token}, headers={"Origin": app.base_url}
    )
    assert response.status_code == 302
    assert store.get(session_id) is None


def test_transaction_with_unexpected_contents_is_a_4xx(adapter_env: AdapterEnv) -> None:
    """A login transaction that is not what begin() wrote (no verifier or nonce...) is refused."""
    app = adapter_env.app()
    binding = "b" * 43
    state_value = "s" * 43
    good = {
        "v": 1,
        "state": state_value,
        "binding_hash": binding_hash(binding),
        "code_verifier": "v" * 43,
        "nonce": "n",
        "next": "/",
    }
    for stored in (
        {"binding_hash": binding_hash(binding)},
        {**good, "code_verifier": 7},
        {**good, "nonce": ["n"]},
        {**good, "v": 99},
        {**good, "state": "t" * 43},  # stored under another state than it names
        {**good, "state": "é" * 43},  # not ASCII: compared without a TypeError
        {**good, "binding_hash": "☃" * 64},
        # written before the record existed (no version): refused, the user starts again
        {"binding": binding_hash(binding), "verifier": "v" * 43, "nonce": "n", "next": "/"},
    ):
        app_state(app).store.put_transient("login:" + state_value, json.dumps(stored).encode(), 60)
        response = httpx.get(
            app.url("/auth/callback"),
            params={"state": state_value, "code": "c"},
            cookies={app.cookie_name + "_login": binding},
        )
        assert response.status_code == 400, response.text[:300]
        assert "Traceback" not in response.text
