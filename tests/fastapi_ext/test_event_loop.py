"""No call blocks the event loop: while the IdP is slow (fault injection: the token endpoint
or the JWKS hangs), other requests to the same uvicorn worker (one event loop) are answered,
signed-in pages included."""

import threading
import time
from collections.abc import Callable

import httpx

from cognito_sso.aio import AsyncJwksCache, AsyncTokenVerifier
from tests.adapters.test_signin import callback_url
from tests.plugins.fastapi_apps import FastAPIEnv, RunningASGIApp
from tests.plugins.flask_apps import Browser, SSOEnv

HANG = 120.0  # the IdP stalls until the test clears the fault (never this long)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def keys_uri(env: SSOEnv) -> str:
    return f"{env.issuer}/.well-known/jwks.json"


def others_are_answered(app: RunningASGIApp, browser: Browser, slow: threading.Thread) -> None:
    """Requests on the same loop, one of them a signed-in page, all answered while the slow
    request is still waiting for the IdP."""
    for _ in range(3):
        assert httpx.get(app.url("/open"), timeout=HANG).json() == {"open": True}
        assert browser.get(app.url("/me")).status_code == 200
        assert httpx.get(app.url("/auth/logged-out"), timeout=HANG).status_code == 200
    assert slow.is_alive(), "the slow request finished first: the loop was blocked"


def test_a_slow_token_endpoint_does_not_block_the_loop(fastapi_env: FastAPIEnv) -> None:
    env = fastapi_env.sso
    app = fastapi_env.app(config={"COGNITO_HTTP_TIMEOUT": HANG + 5})
    signed_in = env.signed_in(app.url("/me"), env.user())
    slow_browser, callback = callback_url(env, app, env.user())
    env.idp.fault("token", "hang", seconds=HANG)
    env.idp.reset_counts()
    results: list[int] = []
    slow = threading.Thread(target=lambda: results.append(slow_browser.get(callback).status_code))
    slow.start()
    wait_until(lambda: env.idp.count("POST", "/oauth2/token") == 1, "the token request")
    others_are_answered(app, signed_in, slow)
    env.idp.clear_faults()  # releases the stalled IdP call
    slow.join()
    assert results == [302]  # and the slow sign-in completes


def test_a_slow_jwks_fetch_does_not_block_the_loop(fastapi_env: FastAPIEnv) -> None:
    env = fastapi_env.sso
    app = fastapi_env.app(config={"COGNITO_HTTP_TIMEOUT": HANG + 5})
    signed_in = env.signed_in(app.url("/me"), env.user())
    session = app.sso.state.sessions.get(app.session_id(signed_in))
    assert session is not None
    token = session.tokens.access_token
    state = app.sso.state
    # an empty cache with room for the slow answer: the next bearer request fetches the JWKS
    patient = AsyncJwksCache(keys_uri(env), timeout=HANG + 5, total_timeout=HANG + 5)
    state.bearer_verifier = AsyncTokenVerifier(
        state.config.issuer, [state.config.client_id], jwks_cache=patient
    )
    env.idp.fault("jwks", "hang", seconds=HANG)
    env.idp.reset_counts()
    jwks_path = f"/{env.pool_id}/.well-known/jwks.json"
    results: list[int] = []

    def bearer_call() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        results.append(httpx.get(app.url("/api/ping"), headers=headers, timeout=HANG).status_code)

    slow = threading.Thread(target=bearer_call)
    slow.start()
    wait_until(lambda: env.idp.count("GET", jwks_path) == 1, "the JWKS request")
    others_are_answered(app, signed_in, slow)
    env.idp.clear_faults()  # releases the stalled IdP call
    slow.join()
    assert results == [200]
