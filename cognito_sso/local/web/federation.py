"""The browser side of federation: ``/oauth2/authorize`` with ``identity_provider`` or
``idp_identifier`` sends the browser to the provider; ``/oauth2/idpresponse`` takes it back.

At the provider we are an ordinary OIDC client: code flow with our own ``state``, ``nonce``
and PKCE (S256), ``redirect_uri`` ``{base}/oauth2/idpresponse``. Back here, the code is
exchanged and the ID token checked (`cognito_sso.local.federation.upstream`), the user
``{ProviderName}_{id}`` is created or updated, and the app's request is answered like any
sign-in (single sign-on cookie included). Failures after the app's request is known go back
to the app as Cognito sends them: ``error=invalid_request`` with an ``error_description``
(reference 2.1). A response that does not match a sign-in this browser started here (unknown,
replayed or foreign ``state``) never reaches an app: it gets our error page.
"""

from __future__ import annotations

import time
from typing import Final
from urllib.parse import urlencode

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from cognito_sso.local.federation import profile
from cognito_sso.local.federation.upstream import (
    UpstreamError,
    claims_after_code,
    endpoints,
    http_client,
    safe_text,
)
from cognito_sso.local.model import IdentityProvider
from cognito_sso.local.web.authorize_request import AuthorizeRequest
from cognito_sso.local.web.context import local_state, web_state
from cognito_sso.local.web.cookies import browser_id, presented_browser_id
from cognito_sso.local.web.grants import error_to_app, grant_after_sign_in, request_from_query
from cognito_sso.local.web.pages import error_page
from cognito_sso.token_hashes import s256_challenge
from cognito_sso.userpool import COGNITO_PROVIDER

bp = Blueprint("federation", __name__)

MAX_CODE: Final = 2048
#: prompt values Cognito passes on to the provider (reference 2.1: select_account, consent)
FORWARDED_PROMPTS: Final = ("login", "select_account", "consent")
_PROVIDER_PARAMS: Final = ("identity_provider", "idp_identifier")


def wants_provider(req: AuthorizeRequest) -> bool:
    """Whether the request names an identity provider other than the pool itself."""
    named = req.identity_provider is not None and req.identity_provider != COGNITO_PROVIDER
    return named or req.idp_identifier is not None


def _resolve(req: AuthorizeRequest) -> IdentityProvider | None:
    state = local_state()
    pool_id = req.client.pool_id
    with state.lock:
        if req.identity_provider is not None and req.identity_provider != COGNITO_PROVIDER:
            provider = state.federation.provider(pool_id, req.identity_provider)
        else:
            provider = state.federation.provider_by_identifier(pool_id, req.idp_identifier or "")
    if provider is None or provider.name not in req.client.supported_identity_providers:
        return None
    return provider


def idpresponse_url() -> str:
    """Where providers send the browser back (registered as the provider client's callback)."""
    return f"{local_state().base_url}/oauth2/idpresponse"


def send_to_provider(req: AuthorizeRequest) -> Response:
    """Redirect the browser to the provider's authorization endpoint."""
    provider = _resolve(req)
    if provider is None:
        # [U] Cognito's wording for a provider the client does not support
        return error_to_app(
            req, "invalid_request", "The identity provider is not enabled for this client"
        )
    if provider.type != "OIDC":
        return error_to_app(
            req, "invalid_request", f"{provider.type} sign-in is not emulated by the local IdP"
        )
    try:
        with http_client() as http:
            where = endpoints(provider, http)
    except UpstreamError as error:
        return error_to_app(req, "invalid_request", error.description)
    txn = web_state().federation.start(
        browser_id=browser_id(),
        query=_query_without_provider(req),
        pool_id=provider.pool_id,
        provider=provider.name,
    )
    params = {
        "response_type": "code",
        "client_id": provider.details.get("client_id", ""),
        "redirect_uri": idpresponse_url(),
        "scope": provider.details.get("authorize_scopes", "openid"),
        "state": txn.state,
        "nonce": txn.nonce,
        "code_challenge": s256_challenge(txn.code_verifier),
        "code_challenge_method": "S256",
    }
    prompt = " ".join(p for p in FORWARDED_PROMPTS if p in req.prompt)
    if prompt:
        params["prompt"] = prompt
    if req.login_hint:
        params["login_hint"] = req.login_hint
    separator = "&" if "?" in where.authorize_url else "?"
    return redirect(f"{where.authorize_url}{separator}{urlencode(params)}", code=302)


def _query_without_provider(req: AuthorizeRequest) -> str:
    """The app's request without the provider choice (answered from the SSO cookie later)."""
    return urlencode([(k, v) for k, v in req.params if k not in _PROVIDER_PARAMS])


def provider_links(req: AuthorizeRequest) -> list[tuple[str, str]]:
    """(name, URL) of a button per identity provider of the client, for the sign-in page."""
    state = local_state()
    with state.lock:
        known = {p.name for p in state.federation.providers(req.client.pool_id)}
    base = [(k, v) for k, v in req.params if k not in _PROVIDER_PARAMS]
    return [
        (name, f"{url_for('oauth.authorize')}?{urlencode([*base, ('identity_provider', name)])}")
        for name in req.client.supported_identity_providers
        if name != COGNITO_PROVIDER and name in known
    ]


@bp.get("/oauth2/idpresponse")
def idpresponse() -> Response:
    """The provider's answer: finish the federated sign-in and answer the app's request."""
    if any(len(request.args.getlist(name)) > 1 for name in ("state", "code", "error")):
        return error_page("federation_state")
    txn = web_state().federation.take(request.args.get("state"), presented_browser_id())
    if txn is None:
        return error_page("federation_state")
    req = request_from_query(txn.query)
    if isinstance(req, Response):
        return req
    if request.args.get("error") is not None:
        return error_to_app(req, "invalid_request", _provider_error())
    code = request.args.get("code", "")
    if not code or len(code) > MAX_CODE:
        return error_to_app(req, "invalid_request", "The IdP returned no authorization code")
    state = local_state()
    with state.lock:
        provider = state.federation.provider(txn.pool_id, txn.provider)
    if provider is None:
        return error_to_app(req, "invalid_request", "The identity provider no longer exists")
    try:
        claims = claims_after_code(
            provider,
            code=code,
            redirect_uri=idpresponse_url(),
            code_verifier=txn.code_verifier,
            nonce=txn.nonce,
        )
        user_id = profile.user_id(provider, claims)
    except UpstreamError as error:
        return error_to_app(req, "invalid_request", error.description)
    attributes = profile.mapped_attributes(provider, claims)
    with state.lock:
        user = state.federation.sign_in(
            provider, user_id, attributes, profile.identity_entry(provider, user_id, time.time())
        )
    if not user.enabled:
        return error_to_app(req, "invalid_request", "User is disabled.")  # [U] wording
    return grant_after_sign_in(req, user)


def _provider_error() -> str:
    """The provider's error for the app: its description when it gave one ([U] Cognito)."""
    return (
        safe_text(request.args.get("error_description"))
        or safe_text(request.args.get("error"))
        or "The IdP returned an error"
    )
