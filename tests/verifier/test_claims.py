"""Stage 3 (claims), with tokens signed by the right key so only the claim is wrong."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cognito_sso import errors
from cognito_sso.base64url import b64url_encode
from cognito_sso.errors import InvalidTokenError
from cognito_sso.verifier import TokenVerifier
from tests.verifier.conftest import LEEWAY, T0, Clock, times
from tests.verifier.minting import (
    CLIENT_ID,
    SigningKey,
    access_claims,
    at_hash,
    b64json,
    id_claims,
    mint,
    mint_raw,
)

# -- exp / nbf / iat and each boundary of the leeway ------------------------------------------


@pytest.mark.parametrize(
    ("now", "ok"),
    [
        (T0 + LEEWAY - 1, True),
        (T0 + LEEWAY - 0.001, True),
        (T0 + LEEWAY, False),  # exp + leeway is no longer "before exp"
        (T0 + LEEWAY + 1, False),
    ],
)
def test_exp_boundary(
    timed: TokenVerifier, clock: Clock, issuer: str, access_key: SigningKey, now: float, ok: bool
) -> None:
    token = mint(access_key, access_claims(issuer, **times(exp=T0, iat=T0 - 3600)))
    clock.now = now
    if ok:
        assert timed.verify_access_token(token)["exp"] == T0
    else:
        with pytest.raises(errors.TokenExpiredError):
            timed.verify_access_token(token)


@pytest.mark.parametrize(
    ("now", "ok"),
    [(T0 - LEEWAY - 1, False), (T0 - LEEWAY - 0.001, False), (T0 - LEEWAY, True), (T0, True)],
)
def test_nbf_boundary(
    timed: TokenVerifier, clock: Clock, issuer: str, access_key: SigningKey, now: float, ok: bool
) -> None:
    token = mint(access_key, access_claims(issuer, **times(nbf=T0, iat=T0 - 100)))
    clock.now = now
    if ok:
        timed.verify_access_token(token)
    else:
        with pytest.raises(errors.TokenNotYetValidError) as info:
            timed.verify_access_token(token)
        assert not isinstance(info.value, errors.TokenIssuedInFutureError)


@pytest.mark.parametrize(
    ("iat", "ok"),
    [(T0 + LEEWAY + 1, False), (T0 + LEEWAY + 0.5, False), (T0 + LEEWAY, True), (T0, True)],
)
def test_future_iat_boundary(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, iat: float, ok: bool
) -> None:
    token = mint(id_key, id_claims(issuer, **times(iat=iat)))
    if ok:
        timed.verify_id_token(token)
    else:
        with pytest.raises(errors.TokenIssuedInFutureError):
            timed.verify_id_token(token)


def test_zero_leeway(issuer: str, clock: Clock, access_key: SigningKey) -> None:
    strict = TokenVerifier(issuer, CLIENT_ID, leeway=0, clock=clock, verified_cache_size=0)
    token = mint(access_key, access_claims(issuer, **times(exp=T0 + 1)))
    strict.verify_access_token(token)
    clock.now = T0 + 1
    with pytest.raises(errors.TokenExpiredError):
        strict.verify_access_token(token)


@pytest.mark.parametrize("name", ["exp", "iat"])
def test_exp_and_iat_are_required(
    timed: TokenVerifier, issuer: str, access_key: SigningKey, name: str
) -> None:
    claims = access_claims(issuer, **times())
    del claims[name]
    with pytest.raises(errors.MissingClaimError, match=name):
        timed.verify_access_token(mint(access_key, claims))


@pytest.mark.parametrize("name", ["exp", "iat", "nbf", "auth_time"])
@pytest.mark.parametrize("value", ["1800003600", None, True, False, [T0], {"t": T0}, 10**400])
def test_numeric_claims_must_be_json_numbers(
    timed: TokenVerifier, issuer: str, access_key: SigningKey, name: str, value: Any
) -> None:
    claims = access_claims(issuer, **times())
    claims[name] = value
    with pytest.raises(errors.ClaimTypeError, match=name):
        timed.verify_access_token(mint(access_key, claims))


def test_float_times_are_accepted(
    timed: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    claims = access_claims(issuer, **times(exp=T0 + 0.5, iat=T0 - 0.5))
    assert timed.verify_access_token(mint(access_key, claims))["exp"] == T0 + 0.5


@pytest.mark.parametrize("claim", ["exp", "custom"])
def test_float_overflowing_to_infinity_is_rejected(
    timed: TokenVerifier, issuer: str, access_key: SigningKey, claim: str
) -> None:
    """A number JSON reads as infinity makes the payload malformed (strict_json), in any claim:
    claims must encode back to JSON when the session is stored."""
    claims = access_claims(issuer, **times(custom=1))
    raw = json.dumps(claims).replace(f'"{claim}": {claims[claim]}', f'"{claim}": 1e400')
    assert "1e400" in raw
    token = mint_raw(
        access_key, b64json({"alg": "RS256", "kid": access_key.kid}), b64url_encode(raw.encode())
    )
    with pytest.raises(errors.MalformedTokenError, match="payload"):
        timed.verify_access_token(token)


# -- issuer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iss_of",
    [
        lambda i: i + "/",
        lambda i: i + "x",
        lambda i: i[:-1],
        lambda i: i.upper(),
        lambda i: i.replace("http://", "https://"),
        lambda i: " " + i,
        lambda i: "prefix" + i,
        lambda i: [i],
        lambda i: None,
        lambda i: 1,
    ],
)
def test_issuer_must_match_exactly(
    timed: TokenVerifier, issuer: str, access_key: SigningKey, iss_of: Any
) -> None:
    claims = access_claims(issuer, **times())
    claims["iss"] = iss_of(issuer)
    with pytest.raises(errors.InvalidIssuerError):
        timed.verify_access_token(mint(access_key, claims))


def test_missing_issuer(timed: TokenVerifier, issuer: str, access_key: SigningKey) -> None:
    with pytest.raises(errors.InvalidIssuerError):
        timed.verify_access_token(mint(access_key, access_claims(issuer, iss=None, **times())))


# -- token_use ------------------------------------------------------------------------------


def test_token_use_must_match_the_call(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, access_key: SigningKey
) -> None:
    id_token = mint(id_key, id_claims(issuer, **times()))
    access_token = mint(access_key, access_claims(issuer, **times()))
    with pytest.raises(errors.InvalidTokenUseError):
        timed.verify_access_token(id_token)
    with pytest.raises(errors.InvalidTokenUseError):
        timed.verify_id_token(access_token)


@pytest.mark.parametrize("value", [None, "", "ID", "refresh", ["id"], 1])
def test_token_use_values(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, value: Any
) -> None:
    claims = id_claims(issuer, **times())
    claims["token_use"] = value
    with pytest.raises(errors.InvalidTokenUseError):
        timed.verify_id_token(mint(id_key, claims))


def test_access_token_shaped_as_id_token_is_rejected(
    timed: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    """An access token with a matching aud (resource binding) is still not an ID token."""
    claims = access_claims(issuer, aud=CLIENT_ID, **times())
    with pytest.raises(errors.InvalidTokenUseError):
        timed.verify_id_token(mint(access_key, claims))


# -- sub, groups, string claims -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "error"),
    [
        (None, errors.ClaimTypeError),
        ("", errors.MissingClaimError),
        (1, errors.ClaimTypeError),
        (["x"], errors.ClaimTypeError),
    ],
)
def test_sub_is_a_non_empty_string(
    timed: TokenVerifier,
    issuer: str,
    access_key: SigningKey,
    sub: Any,
    error: type[errors.InvalidClaimError],
) -> None:
    claims = access_claims(issuer, **times())
    claims["sub"] = sub
    with pytest.raises(error, match="sub"):
        timed.verify_access_token(mint(access_key, claims))


def test_missing_sub(timed: TokenVerifier, issuer: str, id_key: SigningKey) -> None:
    with pytest.raises(errors.MissingClaimError, match="sub"):
        timed.verify_id_token(mint(id_key, id_claims(issuer, sub=None, **times())))


@pytest.mark.parametrize("groups", ["admins", ["a", 1], [["a"]], {"a": 1}, None, 5, [None]])
def test_groups_must_be_a_list_of_strings(
    timed: TokenVerifier, issuer: str, access_key: SigningKey, groups: Any
) -> None:
    claims = access_claims(issuer, **times())
    claims["cognito:groups"] = groups
    with pytest.raises(errors.ClaimTypeError, match="groups"):
        timed.verify_access_token(mint(access_key, claims))


def test_groups_may_be_absent_or_empty(
    timed: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    claims = access_claims(issuer, **times())
    del claims["cognito:groups"]
    assert "cognito:groups" not in timed.verify_access_token(mint(access_key, claims))
    claims["cognito:groups"] = []
    assert timed.verify_access_token(mint(access_key, claims))["cognito:groups"] == ()


@pytest.mark.parametrize("name", ["scope", "jti", "username", "origin_jti", "cognito:username"])
def test_string_claims_have_string_values(
    timed: TokenVerifier, issuer: str, access_key: SigningKey, name: str
) -> None:
    claims = access_claims(issuer, **times())
    claims[name] = ["not", "a", "string"]
    with pytest.raises(errors.ClaimTypeError, match=name):
        timed.verify_access_token(mint(access_key, claims))


# -- nonce ----------------------------------------------------------------------------------


def test_nonce(timed: TokenVerifier, issuer: str, id_key: SigningKey) -> None:
    token = mint(id_key, id_claims(issuer, nonce="n-0S6_WzA2Mj", **times()))
    assert timed.verify_id_token(token, nonce="n-0S6_WzA2Mj")["nonce"] == "n-0S6_WzA2Mj"
    assert timed.verify_id_token(token)  # not asked: not checked
    for wrong in ["n-0S6_WzA2Mk", "n-0S6_WzA2M", "N-0S6_WZA2MJ", "", "ü"]:
        with pytest.raises(errors.NonceMismatchError):
            timed.verify_id_token(token, nonce=wrong)


def test_missing_nonce_claim_fails_when_a_nonce_is_expected(
    timed: TokenVerifier, issuer: str, id_key: SigningKey
) -> None:
    token = mint(id_key, id_claims(issuer, **times()))
    with pytest.raises(errors.NonceMismatchError):
        timed.verify_id_token(token, nonce="expected")


def test_non_ascii_nonces_compare_safely(
    timed: TokenVerifier, issuer: str, id_key: SigningKey
) -> None:
    token = mint(id_key, id_claims(issuer, nonce="nönce\ud800", **times()))
    timed.verify_id_token(token, nonce="nönce\ud800")
    with pytest.raises(errors.NonceMismatchError):
        timed.verify_id_token(token, nonce="nonce")


# -- at_hash --------------------------------------------------------------------------------


def test_at_hash(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, access_key: SigningKey
) -> None:
    access = mint(access_key, access_claims(issuer, **times()))
    other = mint(access_key, access_claims(issuer, jti="other", **times()))
    id_token = mint(id_key, id_claims(issuer, at_hash=at_hash(access), **times()))
    timed.verify_id_token(id_token, access_token=access)
    timed.verify_id_token(id_token)  # no access token given: nothing to compare
    with pytest.raises(errors.AtHashMismatchError):
        timed.verify_id_token(id_token, access_token=other)
    with pytest.raises(errors.AtHashMismatchError):
        timed.verify_id_token(id_token, access_token="")


def test_id_token_without_at_hash_accepts_any_access_token(
    timed: TokenVerifier, issuer: str, id_key: SigningKey
) -> None:
    id_token = mint(id_key, id_claims(issuer, **times()))
    timed.verify_id_token(id_token, access_token="anything")


def test_at_hash_of_wrong_type(timed: TokenVerifier, issuer: str, id_key: SigningKey) -> None:
    claims = id_claims(issuer, **times())
    claims["at_hash"] = 5
    with pytest.raises(errors.AtHashMismatchError):
        timed.verify_id_token(mint(id_key, claims), access_token="x")


# -- scopes ---------------------------------------------------------------------------------


def test_scopes_all_required(timed: TokenVerifier, issuer: str, access_key: SigningKey) -> None:
    token = mint(access_key, access_claims(issuer, scope="openid email billing/read", **times()))
    timed.verify_access_token(token, scopes=["openid"])
    timed.verify_access_token(token, scopes=("openid", "billing/read"))
    timed.verify_access_token(token, scopes="billing/read")  # one scope as a string
    timed.verify_access_token(token, scopes=())
    for required in (
        ["profile"],
        ["openid", "profile"],
        ["billing"],
        ["read"],
        ["openid email"],
        [""],
    ):
        with pytest.raises(errors.MissingScopeError):
            timed.verify_access_token(token, scopes=required)


def test_scopes_without_a_scope_claim(
    timed: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    token = mint(access_key, access_claims(issuer, scope=None, **times()))
    timed.verify_access_token(token)
    with pytest.raises(errors.MissingScopeError):
        timed.verify_access_token(token, scopes=["openid"])


# -- returned claims ------------------------------------------------------------------------


def test_claims_are_read_only_and_json_serialisable(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    import copy
    import pickle

    token = mint(access_key, access_claims(issuer, identities=[{"providerName": "Google"}]))
    claims = verifier.verify_access_token(token)
    assert isinstance(claims, dict)
    mutations: list[Callable[[], object]] = [
        lambda: claims.__setitem__("sub", "x"),
        lambda: claims.__delitem__("sub"),
        lambda: claims.update(sub="x"),
        lambda: claims.pop("sub"),
        lambda: claims.setdefault("new", 1),
        lambda: claims.clear(),
        lambda: claims.popitem(),
        lambda: claims["identities"][0].__setitem__("providerName", "Evil"),
    ]
    for mutate in mutations:
        with pytest.raises((TypeError, AttributeError)):
            mutate()
    with pytest.raises((TypeError, AttributeError)):
        claims["cognito:groups"].append("admins")
    assert verifier.verify_access_token(token)["cognito:groups"] == ("billing-admins",)
    decoded = json.loads(json.dumps(claims))
    assert decoded["cognito:groups"] == ["billing-admins"]
    copied = dict(claims)
    copied["sub"] = "changed"
    assert claims["sub"] != "changed"
    assert pickle.loads(pickle.dumps(claims)) == dict(claims)  # noqa: S301 - our own bytes
    assert copy.deepcopy(claims) == claims


def test_every_failure_is_an_invalid_token_error(
    timed: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    claims: dict[str, Any] = access_claims(issuer, **times())
    claims["exp"] = {"nested": [1, 2, {"x": None}]}
    with pytest.raises(InvalidTokenError):
        timed.verify_access_token(mint(access_key, claims))
