"""Client authentication at the token and revocation endpoints.

``client_secret_basic`` (``Authorization: Basic base64(id:secret)``), ``client_secret_post``
(``client_id`` + ``client_secret`` in the form), or a public client's bare ``client_id``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from cognito_sso.local.equal_secrets import equal_secrets
from cognito_sso.local.errors import OAuthError
from cognito_sso.local.identifiers import is_client_id
from cognito_sso.local.model import Client


@dataclass(frozen=True)
class ClientCredentials:
    """What the caller presented: a client id and maybe a secret."""

    client_id: str
    secret: str | None


def read_client_credentials(
    authorization: str | None, form: Mapping[str, str], *, status: int = 400
) -> ClientCredentials:
    """Credentials from the ``Authorization`` header and/or the form; `OAuthError` when bad."""
    body_id = form.get("client_id")
    body_secret = form.get("client_secret")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            raise OAuthError("invalid_client", status=status)
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", status=status) from None
        client_id, sep, secret = decoded.partition(":")
        # RFC 6749 2.3.1 form-encodes both parts (authlib does); Cognito's never contain "%"
        client_id, secret = _form_decoded(client_id), _form_decoded(secret)
        if not sep or not client_id:
            raise OAuthError("invalid_client", status=status)
        if (body_id is not None and body_id != client_id) or body_secret is not None:
            raise OAuthError("invalid_request")
        return _checked(ClientCredentials(client_id, secret), status)
    if not body_id:
        raise OAuthError("invalid_request" if body_secret is None else "invalid_client", status=400)
    return _checked(ClientCredentials(body_id, body_secret), status)


def _form_decoded(value: str) -> str:
    return unquote(value) if "%" in value else value


def _checked(credentials: ClientCredentials, status: int) -> ClientCredentials:
    if not is_client_id(credentials.client_id):
        raise OAuthError("invalid_client", status=status)
    return credentials


def authenticate_client(
    client: Client, credentials: ClientCredentials, *, status: int = 400
) -> None:
    """Raise ``invalid_client`` unless the credentials are right for ``client``.

    A confidential client must present its secret; a public client must not present one.
    """
    if client.secret is None:
        if credentials.secret:
            raise OAuthError("invalid_client", status=status)
        return
    if not equal_secrets(credentials.secret, client.secret):
        raise OAuthError("invalid_client", status=status)
