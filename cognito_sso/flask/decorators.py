"""The view decorators behind ``sso.login_required``, ``groups_required``,
``permission_required`` and ``bearer_required``.

As in Flask-Login: ``OPTIONS`` requests (CORS preflight, which never carries credentials) pass
through unchecked, and the view is called through ``current_app.ensure_sync``, so ``async def``
views work under every decorator."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

from flask import Request, current_app, redirect, request

from cognito_sso.access import (
    MAX_BEARER_TOKEN,
    bearer_from_header,
    bearer_rejection,
    denial_for,
    scope_denial,
)
from cognito_sso.bearer_revocation import REVOKED_DESCRIPTION, required_scopes
from cognito_sso.errors import InvalidTokenError, KeysUnavailableError
from cognito_sso.flask.errors import (
    AuthenticationRequiredError,
    PermissionDeniedError,
    wants_json,
)
from cognito_sso.flask.identity import login_url, user_of_request
from cognito_sso.flask.request_auth import RequestAuth, current_request, request_auth
from cognito_sso.flask.state import AppState, get_state
from cognito_sso.oidc import IdPUnavailableError, TokenRevokedError
from cognito_sso.user import User

__all__ = ["protect"]

P = ParamSpec("P")
R = TypeVar("R")

EXEMPT_METHODS = frozenset({"OPTIONS"})
"""Methods served without a sign-in check (CORS preflight)."""


def _bearer_token(req: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (query strings and form bodies are
    never read). Other schemes (Basic from a proxy in front of the app) are not ours: None."""
    token = bearer_from_header(req.environ.get("HTTP_AUTHORIZATION"))
    if token is None:
        return None
    if not token or len(token) > MAX_BEARER_TOKEN:
        raise AuthenticationRequiredError("invalid_token", "The access token is invalid")
    return token


def _bearer_user(
    state: AppState,
    auth: RequestAuth,
    token: str,
    scopes: Sequence[str],
    revocation_interval: float | None,
) -> User:
    try:
        claims = state.bearer_verifier.verify_access_token(token)
    except KeysUnavailableError as exc:
        raise IdPUnavailableError("signing keys unavailable") from exc
    except InvalidTokenError as exc:
        raise AuthenticationRequiredError("invalid_token", bearer_rejection(exc)) from None
    if revocation_interval is None:
        revocation_interval = state.config.bearer_revocation_check_interval
    if scopes or revocation_interval > 0:  # else neither check has anything to do
        _check_scopes_and_revocation(state, token, claims, scopes, revocation_interval)
    # built once per verification: the verifier's warm cache hands out the same claims
    user = auth.user = state.bearer_users.get(token, claims, state.user_of_claims)
    auth.access_token = token
    return user


def _check_scopes_and_revocation(
    state: AppState, token: str, claims: Mapping[str, Any], scopes: Sequence[str], interval: float
) -> None:
    """The route's scopes (and the one the revocation check needs), then the check."""
    denial = scope_denial(claims, required_scopes(scopes, interval))
    if denial is not None:
        raise PermissionDeniedError(denial, bearer=True)
    try:
        state.bearer_revocation.check(token, claims, interval)
    except TokenRevokedError:
        raise AuthenticationRequiredError("invalid_token", REVOKED_DESCRIPTION) from None


def _not_signed_in(api: bool) -> Any:
    if api or wants_json():
        raise AuthenticationRequiredError()
    here = request.path
    if request.query_string:
        here += "?" + request.query_string.decode("latin-1")
    return redirect(login_url(here), code=302)


def _caller(view: Callable[P, R]) -> Callable[P, R]:
    """How to call ``view``: directly, or (``async def``) through Flask's ``ensure_sync``,
    decided once when the view is decorated instead of on every request."""
    if not inspect.iscoroutinefunction(view):
        return view

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        return current_app.ensure_sync(view)(*args, **kwargs)  # type: ignore[no-any-return]

    return call


def protect(
    *,
    api: bool = False,
    bearer_only: bool = False,
    groups: Sequence[str] = (),
    mode: str = "any",
    permissions: Sequence[str] = (),
    scopes: Sequence[str] = (),
    revocation_check_interval: float | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Build a decorator enforcing sign-in, then groups, then permissions.

    ``revocation_check_interval``: how long the IdP's word that a bearer token is not
    revoked is trusted (0 = not asked; None = ``COGNITO_BEARER_REVOCATION_CHECK_INTERVAL``)."""
    groups = tuple(groups)
    permissions = tuple(permissions)
    scopes = tuple(scopes)
    restricted = bool(groups or permissions)

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        call = _caller(view)

        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            req = current_request()
            if req.method in EXEMPT_METHODS:
                return call(*args, **kwargs)
            auth = request_auth(req)
            user: User | None = auth.user
            token = _bearer_token(req) if api else None
            if token is not None:
                user = _bearer_user(get_state(), auth, token, scopes, revocation_check_interval)
            elif bearer_only:
                raise AuthenticationRequiredError()
            elif user is None:
                user = user_of_request(req, auth, get_state())
            if not user.is_authenticated:
                return _not_signed_in(api)  # type: ignore[no-any-return]
            if restricted:
                denial = denial_for(user, groups=groups, mode=mode, permissions=permissions)
                if denial is not None:
                    raise PermissionDeniedError(denial, bearer=user.source == "bearer")
            return call(*args, **kwargs)

        return wrapper

    return decorator
