"""What every hosted-UI page shares: the blueprint, input limits and checks, CSRF tokens,
the authorize request a page serves (read and checked once, :func:`serving_authorize_request`)
and page URLs that carry it."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Concatenate, Final, ParamSpec, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, request, url_for
from werkzeug.wrappers import Response

from cognito_sso.local.model import Client, Pool
from cognito_sso.local.web.authorize_request import AuthorizeRequest
from cognito_sso.local.web.context import local_state, web_state
from cognito_sso.local.web.cookies import browser_id, presented_browser_id
from cognito_sso.local.web.grants import read_authorize_request
from cognito_sso.local.web.pages import error_page

P = ParamSpec("P")
T = TypeVar("T")

bp = Blueprint("hosted_ui", __name__)


MAX_PASSWORD: Final = 256
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
RESET_CODE: Final = re.compile(r"[0-9A-Za-z]{1,16}")
NOTICES: Final = {
    "password_changed": "Your password has been changed. Sign in with your new password.",
}


ATTRIBUTE_LABELS: Final = {
    "email": "Email address",
    "phone_number": "Phone number (+447700900123)",
    "name": "Full name",
    "given_name": "Given name",
    "family_name": "Family name",
    "middle_name": "Middle name",
    "nickname": "Nickname",
    "preferred_username": "Preferred username",
    "birthdate": "Date of birth (YYYY-MM-DD)",
    "gender": "Gender",
    "address": "Address",
    "locale": "Locale",
    "zoneinfo": "Time zone",
    "website": "Website",
    "picture": "Picture URL",
    "profile": "Profile URL",
}


ATTRIBUTE_AUTOCOMPLETE: Final = {
    "email": "email",
    "phone_number": "tel",
    "name": "name",
    "given_name": "given-name",
    "family_name": "family-name",
    "middle_name": "additional-name",
    "nickname": "nickname",
    "birthdate": "bday",
    "gender": "sex",
    "address": "street-address",
    "website": "url",
}


_SIGN_IN_NAMES: Final = {
    "email": "email address",
    "phone_number": "phone number",
    "preferred_username": "preferred username",
}


def sign_in_label(pool: Pool) -> str:
    """The sign-in field's label for the pool's sign-in attributes, as Cognito's pages do:
    "Email address" for a pool that signs in by e-mail, "Username or email address" for
    usernames with an e-mail alias, "Username" otherwise ([U] the exact wording)."""
    names = [_SIGN_IN_NAMES.get(a, a) for a in pool.username_attributes]
    if not names:
        names = ["username", *(_SIGN_IN_NAMES.get(a, a) for a in pool.alias_attributes)]
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return text[:1].upper() + text[1:]


def clean_input(value: str, limit: int) -> bool:
    """True when ``value`` is non-empty, short enough and free of control characters."""
    return 0 < len(value) <= limit and _CONTROL.search(value) is None


def shown_input(value: str, limit: int) -> str:
    """``value`` as a form may show it back: control characters removed, at most ``limit``."""
    return _CONTROL.sub("", value)[:limit]


def csrf_ok(form: str) -> bool:
    """Whether the posted ``csrf_token`` is valid for this browser and form."""
    return web_state().csrf.check(presented_browser_id(), form, request.form.get("csrf_token"))


def csrf_token(form: str) -> str:
    """A CSRF token for this browser and form."""
    return web_state().csrf.token(browser_id(), form)


def serving_authorize_request(
    csrf_form: str | None = None,
) -> Callable[[Callable[[AuthorizeRequest], Response]], Callable[[], Response]]:
    """A page view of the authorize request in the query string (invalid: its error answer
    instead); with ``csrf_form``, a form post whose CSRF token is checked next."""

    def decorator(view: Callable[[AuthorizeRequest], Response]) -> Callable[[], Response]:
        @functools.wraps(view)
        def wrapper() -> Response:
            req = read_authorize_request(request.args)
            if isinstance(req, Response):
                return req
            if csrf_form is not None and not csrf_ok(csrf_form):
                return error_page("invalid_form")
            return view(req)

        return wrapper

    return decorator


def for_client(
    req: AuthorizeRequest,
    call: Callable[Concatenate[Pool, Client, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """``call(pool, client, ...)`` for the request's client and its pool, under the IdP's lock
    (a ``CognitoError`` propagates)."""
    state = local_state()
    with state.lock:
        return call(state.directory.pool(req.client.pool_id), req.client, *args, **kwargs)


def pool_of(req: AuthorizeRequest) -> Pool:
    """The pool of the request's client."""
    state = local_state()
    with state.lock:
        return state.directory.pool(req.client.pool_id)


def page_url(endpoint: str, req: AuthorizeRequest, **extra: str) -> str:
    """A hosted-UI page URL carrying the authorize request (and `extra` parameters)."""
    query = req.query()
    if extra:
        query = f"{query}&{urlencode(extra)}"
    return f"{url_for(endpoint)}?{query}"
