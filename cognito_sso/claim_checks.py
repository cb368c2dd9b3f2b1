"""Stage 3 of token verification: the claim rules, one assertion per rule.

Each ``assert_*`` function checks one rule on the (signature-checked) payload, trusts none of
its types, and raises its own subclass of :class:`~cognito_sso.errors.InvalidClaimError`.
Its docstring names the rule's source:

- AWS: "Verifying a JSON web token" in the Amazon Cognito developer guide (verify ``exp``,
  ``iss``, ``aud``/``client_id`` and ``token_use``);
- OIDC 2 / OIDC 3.1.3.7 (rule n): OpenID Connect Core 1.0, section 2 (the ID token's
  claims) and section 3.1.3.7 (ID token validation);
- RFC 7519: JSON Web Token (``exp``, ``nbf``, ``jti``, NumericDate);
- Cognito: the claims Cognito puts in its tokens (``cognito:groups``, ``username``...).
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Iterable, Mapping, Set
from typing import Any, Final

from cognito_sso.errors import (
    AtHashMismatchError,
    ClaimTypeError,
    InvalidAudienceError,
    InvalidAuthorizedPartyError,
    InvalidClientIdError,
    InvalidIssuerError,
    InvalidTokenUseError,
    MissingClaimError,
    MissingScopeError,
    NonceMismatchError,
    TokenExpiredError,
    TokenIssuedInFutureError,
    TokenNotYetValidError,
    untrusted_repr,
)
from cognito_sso.token_hashes import at_hash

Payload = Mapping[str, Any]

# Claims that must be strings whenever they are present (nonce and at_hash are checked
# where they are compared).
STRING_CLAIMS: Final = ("scope", "jti", "origin_jti", "username", "cognito:username")

_ABSENT: Final[Any] = object()
_EXACT_INTEGER_LIMIT: Final = 2**53  # RFC 7493 section 2.2: beyond it, not exact in JSON


# -- token-intrinsic rules, in the order the verifier applies them ----------------------------


def assert_issuer(payload: Payload, issuer: str) -> None:
    """``iss`` equals the pool's issuer exactly [AWS; OIDC 3.1.3.7 rule 2]."""
    if payload.get("iss") != issuer:
        raise InvalidIssuerError("token issuer does not match the configured issuer")


def assert_token_use(payload: Payload, expected: str) -> None:
    """``token_use`` is ``id`` for an ID token, ``access`` for an access token [AWS]."""
    token_use = payload.get("token_use")
    if token_use != expected:
        shown = untrusted_repr(token_use)
        raise InvalidTokenUseError(f"token_use is {shown}, expected {expected!r}")


def assert_not_expired(payload: Payload, now: float, leeway: float) -> float:
    """``exp`` is present and ``now < exp + leeway`` [AWS; OIDC 2 (required); OIDC 3.1.3.7
    rule 9; RFC 7519 section 4.1.4]. Returns ``exp``."""
    exp = _required_numeric_date(payload, "exp")
    if now >= exp + leeway:
        raise TokenExpiredError("token has expired")
    return exp


def assert_not_before(payload: Payload, now: float, leeway: float) -> None:
    """``nbf``, when present, is not after ``now + leeway`` [RFC 7519 section 4.1.5]."""
    nbf = _numeric_date(payload, "nbf")
    if nbf is not None and now < nbf - leeway:
        raise TokenNotYetValidError("token is not valid yet (nbf)")


def assert_issued_in_past(payload: Payload, now: float, leeway: float) -> None:
    """``iat`` is present and not after ``now + leeway`` [OIDC 2 (required); OIDC 3.1.3.7
    rule 10]."""
    iat = _required_numeric_date(payload, "iat")
    if now < iat - leeway:
        raise TokenIssuedInFutureError("token was issued in the future (iat)")


def assert_auth_time_is_a_date(payload: Payload) -> None:
    """``auth_time``, when present, is a NumericDate [OIDC 2]."""
    _numeric_date(payload, "auth_time")


def assert_subject(payload: Payload) -> None:
    """``sub`` is a non-empty string [OIDC 2 (required); Cognito: the user's id]."""
    sub = payload.get("sub", _ABSENT)
    if sub is _ABSENT or sub == "":
        raise MissingClaimError("token has no 'sub' claim")
    if type(sub) is not str:
        raise ClaimTypeError("claim 'sub' is not a string")


def assert_audience(payload: Payload, client_ids: Set[str]) -> None:
    """ID token: ``aud`` is a string or a non-empty array of strings [OIDC 2]; it names one
    of our client ids [AWS; OIDC 3.1.3.7 rule 3] and no audience we do not trust, i.e. no
    other value [OIDC 3.1.3.7 rule 3: "... or if it contains additional audiences not
    trusted by the Client"]."""
    aud = payload.get("aud")
    audiences = (aud,) if type(aud) is str else aud
    if type(audiences) is not tuple or not audiences or not _all_strings(audiences):
        raise InvalidAudienceError("token has no 'aud' string or non-empty array of strings")
    if not any(audience in client_ids for audience in audiences):
        raise InvalidAudienceError("aud names none of the configured app clients")
    if not all(audience in client_ids for audience in audiences):
        raise InvalidAudienceError("aud also names an audience that is not a configured app client")


def assert_authorized_party(payload: Payload, client_ids: Set[str]) -> None:
    """ID token: with several audiences ``azp`` is present [OIDC 3.1.3.7 rule 4]; when
    present it is one of our client ids [OIDC 3.1.3.7 rule 5]. Runs after
    :func:`assert_audience`."""
    azp = payload.get("azp", _ABSENT)
    if azp is _ABSENT:
        aud = payload.get("aud")
        if type(aud) is tuple and len(aud) > 1:
            raise InvalidAuthorizedPartyError("token has several audiences but no 'azp'")
    elif type(azp) is not str or azp not in client_ids:
        raise InvalidAuthorizedPartyError("azp is not one of the configured app clients")


def assert_client_id(payload: Payload, client_ids: Set[str]) -> None:
    """Access token: ``client_id`` is one of our client ids [AWS; Cognito access tokens have
    no ``aud``]."""
    client_id = payload.get("client_id")
    if type(client_id) is not str or client_id not in client_ids:
        raise InvalidClientIdError("client_id is not one of the configured app clients")


def assert_groups(payload: Payload) -> None:
    """``cognito:groups``, when present, is an array of strings [Cognito]."""
    groups = payload.get("cognito:groups", ())
    if type(groups) is not tuple or not _all_strings(groups):
        raise ClaimTypeError("claim 'cognito:groups' is not an array of strings")


def assert_string_claims(payload: Payload) -> None:
    """``scope``, ``jti``, ``origin_jti``, ``username`` and ``cognito:username``, when
    present, are strings [RFC 7519 section 4.1.7 (jti); Cognito]."""
    for name in STRING_CLAIMS:
        if type(payload.get(name, "")) is not str:
            raise ClaimTypeError(f"claim {name!r} is not a string")


# -- per-call rules ---------------------------------------------------------------------------


def assert_nonce(payload: Payload, nonce: object) -> None:
    """ID token: ``nonce`` equals the one sent in the authorization request, compared in
    constant time [OIDC 3.1.3.7 rule 11]."""
    if not isinstance(nonce, str) or not nonce:
        raise NonceMismatchError("the expected nonce must be a non-empty string")
    claim = payload.get("nonce")
    if not isinstance(claim, str):
        raise NonceMismatchError("ID token has no nonce")
    if not hmac.compare_digest(_utf8(claim), _utf8(nonce)):
        raise NonceMismatchError("ID token nonce does not match")


def assert_at_hash(payload: Payload, access_token: object) -> None:
    """ID token: ``at_hash``, when present, is the base64url of the left half of the SHA-256
    of the access token issued with it [OIDC 3.3.2.11]."""
    claim = payload.get("at_hash")
    if claim is None:
        return
    if not isinstance(access_token, str) or not isinstance(claim, str):
        raise AtHashMismatchError("at_hash cannot be checked")
    if not hmac.compare_digest(_utf8(claim), _utf8(at_hash(access_token))):
        raise AtHashMismatchError("at_hash does not match the access token")


def assert_scopes(payload: Payload, scopes: Iterable[str]) -> None:
    """Access token: every required scope is in the space-separated ``scope`` [AWS]."""
    required = (scopes,) if isinstance(scopes, str) else tuple(scopes)
    scope = payload.get("scope")
    granted = frozenset(scope.split(" ")) if scope else frozenset()
    missing = [s for s in required if s not in granted]
    if missing:
        shown = ", ".join(untrusted_repr(s) for s in missing[:5])
        raise MissingScopeError(f"access token lacks required scope(s): {shown}")


# -- claim readers ----------------------------------------------------------------------------


def _numeric_date(payload: Payload, name: str) -> float | None:
    """The claim as epoch seconds, None when absent. A NumericDate is a JSON number
    [RFC 7519 section 2]: finite, and an integer exactly representable [RFC 7493 2.2]."""
    value = payload.get(name, _ABSENT)
    if type(value) is int:
        if -_EXACT_INTEGER_LIMIT <= value <= _EXACT_INTEGER_LIMIT:
            return value
    elif type(value) is float:
        if math.isfinite(value):
            return value
    elif value is _ABSENT:
        return None
    raise ClaimTypeError(f"claim {name!r} is not a JSON number")


def _required_numeric_date(payload: Payload, name: str) -> float:
    value = _numeric_date(payload, name)
    if value is None:
        raise MissingClaimError(f"token has no {name!r} claim")
    return value


def _all_strings(values: tuple[Any, ...]) -> bool:
    for value in values:
        if type(value) is not str:
            return False
    return True


def _utf8(text: str) -> bytes:
    # surrogatepass: a lone surrogate from JSON "\ud800" compares instead of raising.
    return text.encode("utf-8", "surrogatepass")
