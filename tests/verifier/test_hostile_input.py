"""Whatever the input, a verify call returns claims or raises InvalidTokenError, nothing else."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from cognito_sso.base64url import b64url_encode
from cognito_sso.errors import InvalidTokenError
from cognito_sso.verifier import TokenVerifier
from tests.verifier.minting import SigningKey, access_claims, b64json, id_claims, mint

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**30,
    -(10**30),
    1e308,
    "",
    "x",
    "\u0000",
    "\ud800",
    "é" * 50,
    [],
    [None],
    [[[]]],
    {},
    {"a": {"b": []}},
    ["a", 1],
    "a" * 5000,
]


def _call(verifier: TokenVerifier, token: Any, **kwargs: Any) -> None:
    """Both verify calls; a hostile token must meet a specific check, not the last-resort
    ``InvalidTokenError`` that wraps an unexpected exception."""
    for verify in (verifier.verify_access_token, verifier.verify_id_token):
        try:
            verify(token, **kwargs) if verify is verifier.verify_id_token else verify(token)
        except InvalidTokenError as exc:
            assert type(exc) is not InvalidTokenError, repr(exc.__cause__)


def test_random_mutations_of_a_genuine_token(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    rng = random.Random(20261126)
    token = mint(access_key, access_claims(issuer))
    alphabet = "AZaz09-_.=+/ \n\x00é{}\"'"
    for _ in range(1500):
        chars = list(token)
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            pos = rng.randrange(len(chars))
            if op < 0.4:
                chars[pos] = rng.choice(alphabet)
            elif op < 0.7:
                del chars[pos]
            else:
                chars.insert(pos, rng.choice(alphabet))
        _call(verifier, "".join(chars))


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: repr(v)[:20])
def test_odd_values_in_every_claim(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, id_key: SigningKey, value: Any
) -> None:
    for key, claims in ((access_key, access_claims(issuer)), (id_key, id_claims(issuer))):
        for name in [*list(claims), "nbf", "azp", "nonce", "at_hash"]:
            forged = dict(claims)
            forged[name] = value
            _call(verifier, mint(key, forged), nonce="n", access_token="a")


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: repr(v)[:20])
def test_odd_values_in_every_header_field(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, value: Any
) -> None:
    for name in ("alg", "kid", "typ", "crit", "enc", "jku", "jwk", "x5c", "zip", "b64"):
        header = {"alg": "RS256", "kid": access_key.kid, name: value}
        _call(verifier, mint(access_key, access_claims(issuer), header=header))


def test_odd_call_arguments(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, id_key: SigningKey
) -> None:
    access = mint(access_key, access_claims(issuer))
    id_token = mint(id_key, id_claims(issuer, nonce="n", at_hash="x"))
    for value in [*ODD_VALUES, object(), b"n"]:
        for kwargs in ({"nonce": value}, {"access_token": value}):
            try:
                verifier.verify_id_token(id_token, **kwargs)
            except InvalidTokenError:
                pass
        try:
            verifier.verify_access_token(access, scopes=value)
        except InvalidTokenError:
            pass


def test_random_json_documents_as_header_and_payload(
    verifier: TokenVerifier, access_key: SigningKey
) -> None:
    rng = random.Random(7)
    for _ in range(300):
        header = rng.choice([*ODD_VALUES, {"alg": "RS256", "kid": access_key.kid}])
        payload = {rng.choice(["exp", "iat", "iss", "sub", "aud"]): rng.choice(ODD_VALUES)}
        try:
            h = b64json(header)
        except (TypeError, ValueError):
            h = b64url_encode(json.dumps(str(header)).encode())
        signing_input = f"{h}.{b64json(payload)}"
        token = f"{signing_input}.{b64url_encode(access_key.sign(signing_input.encode()))}"
        _call(verifier, token)
