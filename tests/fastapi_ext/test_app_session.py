"""The app's own Starlette session (``SessionMiddleware``) starts and ends with the sign-in,
as the Flask extension does with Flask's session."""

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from cognito_sso.fastapi import CognitoSSO
from tests.flask_ext.test_logout import logout_form, post_logout  # need only .url/.base_url
from tests.plugins.fastapi_apps import FastAPIEnv


def _cart_views(app: FastAPI, _sso: CognitoSSO) -> None:
    """The app's own Starlette session, as apps keep per-user data there."""
    app.add_middleware(SessionMiddleware, secret_key="cart-" + "k" * 32)

    @app.get("/cart/put/{item}")
    async def put(request: Request, item: str) -> str:
        request.session["cart"] = item
        return item

    @app.get("/cart/peek")
    async def peek(request: Request) -> str:
        return str(request.session.get("cart", "empty"))


def test_the_apps_own_session_starts_and_ends_with_the_sign_in(fastapi_env: FastAPIEnv) -> None:
    """As in Flask: data the app kept in its own session before a sign-in, or during one that
    ended (sign-out, or the session is over), is not shown to whoever comes next."""
    app = fastapi_env.app(setup=_cart_views)
    browser = fastapi_env.sso.browser()
    browser.get(app.url("/cart/put/before-sign-in"))
    assert browser.sign_in(app.url("/me"), fastapi_env.sso.user()).status_code == 200
    assert browser.get(app.url("/cart/peek")).json() == "empty"

    browser.get(app.url("/cart/put/alices-item"))
    assert post_logout(browser, app, logout_form(browser, app)).status_code == 302
    assert browser.get(app.url("/cart/peek")).json() == "empty"

    assert browser.sign_in(app.url("/me"), fastapi_env.sso.user()).status_code == 200
    browser.get(app.url("/cart/put/bobs-item"))
    app.sso.state.sessions.store.delete(app.session_id(browser))
    assert browser.get(app.url("/me")).status_code == 302
    assert browser.get(app.url("/cart/peek")).json() == "empty"
