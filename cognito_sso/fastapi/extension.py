"""The ``CognitoSSO`` FastAPI adapter: configuration, the ``/auth`` router, dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import jinja2
from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from cognito_sso.access import Denial, denial_for
from cognito_sso.bearer_revocation import route_interval
from cognito_sso.config import load_config
from cognito_sso.errors import ConfigurationError
from cognito_sso.fastapi.errors import (
    AuthenticationRequiredError,
    PageContext,
    Pages,
    PermissionDeniedError,
    SignInRequiredError,
    error_page,
    page_templates,
    wants_json,
    with_page,
)
from cognito_sso.fastapi.identity import (
    bearer_token,
    bearer_user,
    clear_cookie_header,
    current_session,
    mark_personal,
    resolved_user,
    session_ended,
    session_user,
)
from cognito_sso.fastapi.routes import create_router, login_path
from cognito_sso.fastapi.state import AsyncAppState, build_state
from cognito_sso.user import User

__all__ = ["CognitoSSO"]

Dependency = Callable[[Request, Response], Awaitable[User]]


def _names(what: str, names: Iterable[str]) -> tuple[str, ...]:
    items = () if isinstance(names, str) else tuple(names)
    if isinstance(names, str) or any(not isinstance(n, str) or not n for n in items):
        raise ConfigurationError(f"{what} must be a list of names")
    return items


def _mode(what: str, mode: str) -> str:
    if mode not in ("any", "all"):
        raise ConfigurationError(f'{what} mode must be "any" or "all"')
    return mode


class CognitoSSO:
    """Single sign-on with a Cognito user pool for a FastAPI app.

    ``CognitoSSO(mapping)`` reads the same ``COGNITO_*`` keys as the Flask extension (see
    docs/configuration.md; ``load_outputs`` gives them for a service) and raises
    :class:`~cognito_sso.errors.ConfigurationError` naming the key when one is wrong.
    ``app.include_router(sso.router)`` adds ``/auth/login``, ``/auth/callback``,
    ``/auth/logout`` and ``/auth/logged-out``; the dependencies protect views::

        @app.get("/events")
        async def events(user: User = Depends(sso.permission_required("audit:read"))): ...

    ``COGNITO_SESSION_STORE`` defaults to ``cognito-sso-sessions.sqlite3`` in the working
    directory. ``template_dirs`` are searched first for ``cognito_sso/error.html`` and
    ``cognito_sso/logged_out.html``; ``templates`` replaces the environment altogether, and
    ``page_context(request)`` gives those pages the names the app's layout needs.
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        template_dirs: Iterable[str] = (),
        templates: jinja2.Environment | None = None,
        page_context: PageContext | None = None,
    ) -> None:
        environment = templates or page_templates(*template_dirs)
        pages = Pages(environment, page_context) if page_context else Pages(environment)
        self.state: AsyncAppState = build_state(load_config(config), pages)
        self.router: APIRouter = create_router(self.state)

    # --- dependencies ----------------------------------------------------------------------

    async def current_user(self, request: Request, response: Response) -> User:
        """Dependency: the request's user from its session, ANONYMOUS when nobody is signed
        in (for pages that show either)."""
        user = await session_user(request, self.state)
        mark_personal(response.headers, user, self.state, session_ended(request))
        return user

    async def login_required(self, request: Request, response: Response) -> User:
        """Dependency: signed-in users only; browsers go to the sign-in page (302), API
        requests get 401."""
        return await self._protect(request, response, api=False)

    def groups_required(self, *groups: str, mode: str = "any", api: bool = False) -> Dependency:
        """Dependency: signed-in users in any (``mode="any"``) or all of ``groups``."""
        if not groups:
            raise ConfigurationError("groups_required needs one or more group names")
        names = _names("groups_required groups", groups)
        checked = _mode("groups_required", mode)
        return self._dependency(api=api, groups=names, mode=checked)

    def permission_required(self, *permissions: str, api: bool = False) -> Dependency:
        """Dependency: signed-in users whose groups grant every one of ``permissions``."""
        if not permissions:
            raise ConfigurationError("permission_required needs one or more permission names")
        return self._dependency(
            api=api, permissions=_names("permission_required permissions", permissions)
        )

    def bearer_required(
        self,
        *,
        scopes: Iterable[str] = (),
        groups: Iterable[str] = (),
        permissions: Iterable[str] = (),
        mode: str = "any",
        revocation_check_interval: float | None = None,
    ) -> Dependency:
        """Dependency: only requests with a valid ``Authorization: Bearer`` access token
        holding every one of ``scopes`` (no cookie); ``groups``/``permissions`` as above.
        ``revocation_check_interval`` (seconds, ``0`` = off) overrides
        ``COGNITO_BEARER_REVOCATION_CHECK_INTERVAL`` for this route."""
        return self._dependency(
            api=True,
            bearer_only=True,
            revocation_check_interval=route_interval(revocation_check_interval),
            scopes=_names("bearer_required scopes", scopes),
            groups=_names("bearer_required groups", groups),
            permissions=_names("bearer_required permissions", permissions),
            mode=_mode("bearer_required", mode),
        )

    def _dependency(self, **rules: Any) -> Dependency:
        async def dependency(request: Request, response: Response) -> User:
            return await self._protect(request, response, **rules)

        return dependency

    async def _protect(
        self,
        request: Request,
        response: Response,
        *,
        api: bool,
        bearer_only: bool = False,
        groups: tuple[str, ...] = (),
        mode: str = "any",
        permissions: tuple[str, ...] = (),
        scopes: tuple[str, ...] = (),
        revocation_check_interval: float | None = None,
    ) -> User:
        token = bearer_token(request) if api else None
        if token is not None:
            user = await bearer_user(request, self.state, token, scopes, revocation_check_interval)
        elif bearer_only:
            raise AuthenticationRequiredError()
        else:
            user = await session_user(request, self.state)
        if not user.is_authenticated:
            if api or wants_json(request):
                raise AuthenticationRequiredError()
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            ended = clear_cookie_header(self.state) if session_ended(request) else None
            raise SignInRequiredError(login_path(self.state, here), clear_cookie=ended)
        denial = denial_for(user, groups=groups, mode=mode, permissions=permissions)
        if denial is not None:
            raise self._denied(request, user, denial)
        mark_personal(response.headers, user, self.state, ended=False)
        return user

    def _denied(self, request: Request, user: User, denial: Denial) -> PermissionDeniedError:
        """The 403, with the Flask extension's page for browsers: who is signed in, what is
        missing, a way back and a sign-out button."""
        bearer = user.source == "bearer"
        exc = PermissionDeniedError(denial, bearer=bearer)
        if bearer or wants_json(request):
            return exc

        def logout_form(label: str = "Sign out") -> Markup:
            return self.logout_form(request, label)

        page = error_page(
            request,
            self.state.pages,
            403,
            "Access denied",
            denial.message(),
            headers=exc.headers,
            signed_in=user,
            logout_form=logout_form,
        )
        return with_page(request, exc, page)

    # --- helpers for views and templates ---------------------------------------------------

    def user(self, request: Request) -> User:
        """The user a dependency above resolved for this request (ANONYMOUS before that),
        for templates and exception handlers."""
        return resolved_user(request)

    def csrf_token(self, request: Request) -> str:
        """The CSRF token of the request's session ('' when nobody is signed in). Call after
        a dependency above resolved the user."""
        session = current_session(request)
        return session.csrf if session is not None else ""

    def logout_form(
        self, request: Request, label: str = "Sign out", class_: str = "cognito-sso-logout"
    ) -> Markup:
        """The sign-out button: a POST form to the logout route with the hidden CSRF token."""
        return Markup(
            '<form method="post" action="{}" class="{}">'
            '<input type="hidden" name="csrf_token" value="{}">'
            '<button type="submit">{}</button></form>'
        ).format(self.state.config.url_prefix + "/logout", class_, self.csrf_token(request), label)

    def login_url(self, next_path: str | None = None) -> str:
        """Path of the sign-in route, returning to ``next_path`` afterwards."""
        return login_path(self.state, next_path)

    def access_token(self, request: Request) -> str | None:
        """The session's access token (fresh), for calls to other services on the user's
        behalf; None without a session. Call after a dependency resolved the user."""
        session = current_session(request)
        return session.tokens.access_token if session is not None else None

    async def aclose(self) -> None:
        """Release the HTTP clients of the running loop and the session store."""
        await self.state.aclose()
