"""The ``CognitoSSO`` Flask extension: configuration, wiring, decorators, cookies."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, overload
from urllib.parse import quote

from flask import Flask, request
from werkzeug.wrappers import Response

from cognito_sso._http import make_http_client
from cognito_sso.bearer_revocation import BearerRevocationCheck, route_interval
from cognito_sso.config import SSOConfig, load_config, load_outputs
from cognito_sso.errors import ConfigurationError
from cognito_sso.failures import classify_failure
from cognito_sso.flask import decorators, signals
from cognito_sso.flask.cli import cognito_cli
from cognito_sso.flask.errors import NO_STORE, deny_framing, error_response
from cognito_sso.flask.identity import (
    csrf_token,
    current_user,
    login_url,
    resolve_user,
    template_helpers,
)
from cognito_sso.flask.request_auth import (
    ENVIRON_KEY,
    RequestAuth,
    current_request,
    request_auth,
)
from cognito_sso.flask.session_binding import bind_if_unbound, refuse_if_foreign
from cognito_sso.flask.state import EXTENSION_KEY, AppState, get_state
from cognito_sso.login import LoginFlow
from cognito_sso.oidc import DiscoveryError, IdPUnavailableError, OIDCClient
from cognito_sso.session_service import SessionService
from cognito_sso.sessions import Session, SessionStoreUnavailableError, open_store
from cognito_sso.signout_retry import SignOutRetries
from cognito_sso.user import User
from cognito_sso.verifier import TokenVerifier

__all__ = ["CognitoSSO"]

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_WEAK_SECRET_KEYS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret-key",
        "secret_key",
        "changeme",
        "change-me",
        "change_me",
        "development key",
        "dev-key",
        "your-secret-key",
        "default",
        "test",
        "key",
    }
)


def _check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if not key:
        raise ConfigurationError("SECRET_KEY must be set (a long random value)")
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    if text.strip().lower() in _WEAK_SECRET_KEYS or len(text) < 16:
        raise ConfigurationError(
            "SECRET_KEY is a placeholder or shorter than 16 characters; use a long random value"
        )


class CognitoSSO:
    """Single sign-on with a Cognito user pool for one or more Flask apps.

    ``CognitoSSO(app)`` or ``sso = CognitoSSO(); sso.init_app(app)``. Reads the ``COGNITO_*``
    keys of ``app.config`` (see docs/configuration.md) and raises
    :class:`~cognito_sso.errors.ConfigurationError` naming the key when one is wrong.
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    @property
    def current_user(self) -> User:
        """The request's user: the one :data:`cognito_sso.flask.current_user` proxy (also
        ``current_user`` in templates)."""
        return current_user

    # --- setup -----------------------------------------------------------------------------

    @staticmethod
    def config_from_outputs(path: str | os.PathLike[str], service: str) -> dict[str, Any]:
        """``COGNITO_*`` keys for ``service`` from the provisioning outputs file."""
        return load_outputs(Path(path), service)

    def init_app(self, app: Flask) -> None:
        """Validate the configuration and register routes, hooks and template helpers."""
        if EXTENSION_KEY in app.extensions:
            raise ConfigurationError("CognitoSSO is already initialised for this app")
        _check_secret_key(app)
        config = load_config(app.config)
        state = self._build_state(app, config)
        app.extensions[EXTENSION_KEY] = state

        from cognito_sso.flask.views import create_blueprint

        app.register_blueprint(create_blueprint(), url_prefix=config.url_prefix)
        app.before_request(refuse_if_foreign)
        app.after_request(_after_request)
        app.context_processor(template_helpers)
        for failure in (IdPUnavailableError, SessionStoreUnavailableError, DiscoveryError):
            app.register_error_handler(failure, _failed)
        app.cli.add_command(cognito_cli)

    def _build_state(self, app: Flask, config: SSOConfig) -> AppState:
        location = config.session_store
        if location is None:
            os.makedirs(app.instance_path, exist_ok=True)
            location = os.path.join(app.instance_path, "cognito-sso-sessions.sqlite3")
        try:
            store = open_store(
                location,
                idle_timeout=config.idle_timeout,
                absolute_timeout=config.absolute_timeout,
            )
        except ConfigurationError as exc:
            raise ConfigurationError(f"COGNITO_SESSION_STORE: {exc}") from None
        http = make_http_client(config.http_timeout)
        oidc = OIDCClient(http=http, **config.client_settings)
        verifier = TokenVerifier(config.issuer, [config.client_id], leeway=config.clock_leeway)
        bearer_verifier = TokenVerifier(
            config.issuer, config.bearer_audiences, leeway=config.clock_leeway
        )

        def ended(reason: str, session: Session) -> None:
            signals.session_ended.send(app, reason=reason, sub=session.sub)

        def refreshed(_reason: str, session: Session) -> None:
            signals.token_refreshed.send(app, sub=session.sub)

        sessions = SessionService(
            store=store,
            oidc=oidc,
            verifier=verifier,
            **config.session_timings,
            on_ended=ended,
            on_refreshed=refreshed,
        )
        login = LoginFlow(
            store=store,
            oidc=oidc,
            verifier=verifier,
            redirect_uri=config.redirect_uri,
            scopes=config.scopes,
        )
        retries = SignOutRetries(oidc)
        return AppState(
            config=config,
            store=store,
            oidc=oidc,
            verifier=verifier,
            bearer_verifier=bearer_verifier,
            policy=config.permissions,
            login=login,
            sessions=sessions,
            signout_retries=retries,
            bearer_revocation=BearerRevocationCheck(oidc, wait_timeout=config.idp_wait),
            close_callbacks=[retries.close, http.close],
        )

    # --- decorators ------------------------------------------------------------------------

    @overload
    def login_required(self, view: Callable[P, R], /) -> Callable[P, R]: ...
    @overload
    def login_required(
        self, *, api: bool = False
    ) -> Callable[[Callable[P, R]], Callable[P, R]]: ...

    def login_required(  # type: ignore[misc]
        self, view: Callable[P, R] | None = None, /, *, api: bool = False
    ) -> Any:
        """Only signed-in users; others go to the sign-in page (browsers) or get 401 (APIs).

        Use bare (``@sso.login_required``) or with ``api=True`` to also accept
        ``Authorization: Bearer <access token>``.
        """
        decorator = decorators.protect(api=api)
        return decorator(view) if view is not None else decorator

    def groups_required(
        self, *groups: str, mode: str = "any", api: bool = False
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Signed-in users in any (``mode="any"``) or all (``mode="all"``) of ``groups``."""
        if not groups or any(not isinstance(g, str) or not g for g in groups):
            raise ConfigurationError("groups_required needs one or more group names")
        if mode not in ("any", "all"):
            raise ConfigurationError('groups_required mode must be "any" or "all"')
        return decorators.protect(api=api, groups=groups, mode=mode)

    def permission_required(
        self, *permissions: str, api: bool = False
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Signed-in users whose groups grant every one of ``permissions``."""
        if not permissions or any(not isinstance(p, str) or not p for p in permissions):
            raise ConfigurationError("permission_required needs one or more permission names")
        return decorators.protect(api=api, permissions=permissions)

    def bearer_required(
        self,
        *,
        scopes: Iterable[str] = (),
        groups: Iterable[str] = (),
        permissions: Iterable[str] = (),
        mode: str = "any",
        revocation_check_interval: float | None = None,
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Only requests with a valid ``Authorization: Bearer`` access token (no cookie).

        ``scopes`` must all be in the token; ``groups`` (``mode`` any/all) and
        ``permissions`` are checked as in :meth:`groups_required` / :meth:`permission_required`.
        ``revocation_check_interval`` (seconds, ``0`` = off) overrides
        ``COGNITO_BEARER_REVOCATION_CHECK_INTERVAL`` for this route.
        """
        lists: dict[str, tuple[str, ...]] = {}
        for what, names in (("scopes", scopes), ("groups", groups), ("permissions", permissions)):
            items = () if isinstance(names, str) else tuple(names)
            if isinstance(names, str) or any(not isinstance(n, str) or not n for n in items):
                raise ConfigurationError(f"bearer_required {what} must be a list of names")
            lists[what] = items
        if mode not in ("any", "all"):
            raise ConfigurationError('bearer_required mode must be "any" or "all"')
        return decorators.protect(
            api=True,
            bearer_only=True,
            mode=mode,
            revocation_check_interval=route_interval(revocation_check_interval),
            **lists,
        )

    # --- helpers for views -----------------------------------------------------------------

    def csrf_token(self) -> str:
        """The CSRF token of the current session ('' when nobody is signed in)."""
        return csrf_token()

    def access_token(self) -> str | None:
        """The request's access token (fresh for sessions; the bearer token on API routes)."""
        resolve_user()
        return request_auth().access_token

    def login_url(self, next_path: str | None = None) -> str:
        """URL of the sign-in route, returning to ``next_path`` afterwards."""
        return login_url(next_path)

    def state(self, app: Flask | None = None) -> AppState:
        """Internal per-app state (for tests and advanced use)."""
        return get_state(app)


def _after_request(response: Response) -> Response:
    """Every ``/auth/*`` response (405s included) is ``no-store`` and cannot be framed;
    bind the app's Flask session to the SSO session; apply cookie changes."""
    req = current_request()
    config = get_state().config
    if req.path.startswith(config.url_prefix + "/"):
        response.headers.update(NO_STORE)
        deny_framing(response)
    auth: RequestAuth | None = req.environ.get(ENVIRON_KEY)
    app_session = bind_if_unbound(req, auth, config.cookie_name)
    if auth is None:
        return response
    if auth.user is not None:
        _mark_personal(response, private=auth.user.is_authenticated)
        if app_session is not None:
            # Flask adds "Vary: Cookie" for a session that was looked at, re-parsing the
            # header each time; ours names Cookie already
            app_session.accessed = False
    if auth.new_session_id is None and not auth.clear_cookie:
        return response
    if auth.new_session_id is not None:
        response.set_cookie(
            config.cookie_name,
            auth.new_session_id,
            max_age=int(config.absolute_timeout),
            path="/",
            secure=config.cookie_secure,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(
            config.cookie_name,
            path="/",
            secure=config.cookie_secure,
            httponly=True,
            samesite="Lax",
        )
    response.vary.add("Cookie")
    return response


def _mark_personal(response: Response, *, private: bool) -> None:
    """``Vary: Cookie, Authorization``: the answer depended on who asked, so shared caches
    must not serve it to others; and for a signed-in user ``Cache-Control: private,
    no-store`` (unless the view set its own), so the browser does not keep the page to show
    after sign-out.

    One pass over the headers: werkzeug's ``in``/``get``/``vary`` build an exception object
    for every header that is absent, which cost more than the rest of this hook; and a
    header known to be absent is appended to the list as it is (constant values: werkzeug's
    ``add`` would check them for newlines on every request), not searched for again."""
    headers = response.headers
    has_vary = has_cache_control = False
    for key, _value in headers:
        lowered = key.lower()
        has_vary = has_vary or lowered == "vary"
        has_cache_control = has_cache_control or lowered == "cache-control"
    if has_vary:
        _merge_vary(response)
    else:
        headers._list.append(_VARY)
    if private and not has_cache_control:
        headers._list.append(_PRIVATE)


def _merge_vary(response: Response) -> None:
    """The view's ``Vary`` lines and ours as one line. (werkzeug's ``response.vary`` reads
    only the first line and its setter drops the others: a view's second line, such as
    ``Origin`` for CORS, would be lost.)"""
    names: list[str] = []
    for line in response.headers.getlist("Vary"):
        names.extend(name.strip() for name in line.split(",") if name.strip())
    if "*" in names:
        response.headers["Vary"] = "*"  # varies on everything already
        return
    seen = {name.lower() for name in names}
    names.extend(name for name in ("Cookie", "Authorization") if name.lower() not in seen)
    response.headers["Vary"] = ", ".join(names)


_VARY = ("Vary", "Cookie, Authorization")
_PRIVATE = ("Cache-Control", "private, no-store")


def _failed(error: Exception) -> Response:
    """An outage (503 with a link that retries the request, for GETs) or a misconfiguration
    (500, no retry link: the precise cause goes to the log, and to the page in debug mode)."""
    failure = classify_failure(error)
    return error_response(
        failure.status,
        failure.title,
        failure.message,
        json_body={"error": failure.error},
        headers=failure.headers,
        retry_url=_this_page() if failure.retry and request.method == "GET" else None,
        debug_detail=None if failure.retry else str(error),
    )


_PATH_SAFE = "/:@!$&'()*+,;=-._~"  # RFC 3986 pchar and "/", without "%" and "\\"


def _this_page() -> str:
    """The request's own path and query, as a same-site link: the path percent-encoded again
    (a ``%5C`` that werkzeug decoded to ``\\`` would make ``/\\host`` a link off-site) and
    without leading slashes (never ``//host``)."""
    path = quote(request.path.lstrip("/"), safe=_PATH_SAFE)
    query = request.query_string.decode("latin-1")
    return request.script_root + "/" + path + ("?" + query if query else "")
