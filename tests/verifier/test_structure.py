"""Stage 1 (structure) and stage 2 (key and signature), with forged tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from cognito_sso import errors
from cognito_sso.base64url import b64url_decode, b64url_encode
from cognito_sso.errors import InvalidTokenError
from cognito_sso.verifier import MAX_TOKEN_LENGTH, TokenVerifier
from tests.verifier.jwks_server import JwksServer
from tests.verifier.minting import (
    SigningKey,
    access_claims,
    b64json,
    id_claims,
    mint,
    mint_raw,
)


def test_genuine_tokens_verify(
    verifier: TokenVerifier, issuer: str, id_key: SigningKey, access_key: SigningKey
) -> None:
    access = verifier.verify_access_token(mint(access_key, access_claims(issuer)))
    assert access["token_use"] == "access"
    assert access["cognito:groups"] == ("billing-admins",)
    ident = verifier.verify_id_token(mint(id_key, id_claims(issuer)))
    assert ident["email"] == "alice@example.com"


def test_wrong_key_with_a_published_kid(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, rogue_key: SigningKey
) -> None:
    token = mint(rogue_key, access_claims(issuer), kid=access_key.kid)
    with pytest.raises(errors.InvalidSignatureError):
        verifier.verify_access_token(token)


def test_unpublished_kid(verifier: TokenVerifier, issuer: str, rogue_key: SigningKey) -> None:
    with pytest.raises(errors.KeyNotFoundError):
        verifier.verify_access_token(mint(rogue_key, access_claims(issuer)))


def test_tampered_payload(verifier: TokenVerifier, issuer: str, access_key: SigningKey) -> None:
    token = mint(access_key, access_claims(issuer))
    header, _, signature = token.split(".")
    forged = b64json(access_claims(issuer, **{"cognito:groups": ["admins"]}))
    with pytest.raises(errors.InvalidSignatureError):
        verifier.verify_access_token(f"{header}.{forged}.{signature}")


def test_tampered_header(verifier: TokenVerifier, issuer: str, access_key: SigningKey) -> None:
    token = mint(access_key, access_claims(issuer))
    _, payload, signature = token.split(".")
    header = b64json({"alg": "RS256", "kid": access_key.kid, "typ": "JWT"})
    with pytest.raises(errors.InvalidSignatureError):
        verifier.verify_access_token(f"{header}.{payload}.{signature}")


@pytest.mark.parametrize("mutation", ["flip", "truncate", "extend", "zero"])
def test_tampered_signature(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, mutation: str
) -> None:
    token = mint(access_key, access_claims(issuer))
    head, _, sig_b64 = token.rpartition(".")
    sig = bytearray(b64url_decode(sig_b64))
    if mutation == "flip":
        sig[10] ^= 1
    elif mutation == "truncate":
        sig = sig[:-1]
    elif mutation == "extend":
        sig = sig + b"\x00"
    else:
        sig = bytearray(len(sig))
    with pytest.raises(errors.InvalidSignatureError):
        verifier.verify_access_token(f"{head}.{b64url_encode(bytes(sig))}")


def test_one_spelling_per_signature(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    """The unused low bits of the last base64url character must be zero: otherwise one token
    has 16 spellings (RSA-2048: 342 characters, 4 spare bits) that all verify, and each one
    misses the caches keyed by the token's text (verified tokens, bearer revocation)."""
    token = mint(access_key, access_claims(issuer))
    assert verifier.verify_access_token(token)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(token[-1])
    assert len(token.rpartition(".")[2]) % 4 == 2 and last & 0b1111 == 0
    for spare in range(1, 16):
        variant = token[:-1] + alphabet[last | spare]
        with pytest.raises(errors.MalformedTokenError):
            verifier.verify_access_token(variant)


@pytest.mark.parametrize(
    ("segment", "canonical"),
    [("AA", True), ("AB", False), ("AQ", True), ("AAA", True), ("AAB", False), ("AAE", True)],
)
def test_base64url_refuses_unused_bits(segment: str, canonical: bool) -> None:
    if canonical:
        assert b64url_encode(b64url_decode(segment)) == segment
    else:
        with pytest.raises(ValueError, match="canonical"):
            b64url_decode(segment)


def test_algorithm_confusion_hs256_with_the_public_key(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    pem = access_key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{b64json({'alg': 'HS256', 'kid': access_key.kid})}.{b64json(access_claims(issuer))}"
    )
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(errors.AlgorithmNotAllowedError):
        verifier.verify_access_token(f"{signing_input}.{b64url_encode(mac)}")


@pytest.mark.parametrize(
    "alg",
    [
        "none",
        "None",
        "NONE",
        "HS256",
        "HS384",
        "HS512",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
        "rs256",
        "RS256 ",
        "",
    ],
)
def test_only_rs256_is_allowed(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, alg: str
) -> None:
    # Signed with the right key over the right bytes: only the header's alg is wrong.
    token = mint(access_key, access_claims(issuer), header={"alg": alg, "kid": access_key.kid})
    with pytest.raises(errors.AlgorithmNotAllowedError):
        verifier.verify_access_token(token)


def test_unsigned_token_is_rejected(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    unsigned = (
        f"{b64json({'alg': 'none', 'kid': access_key.kid})}.{b64json(access_claims(issuer))}."
    )
    with pytest.raises((errors.AlgorithmNotAllowedError, errors.MalformedTokenError)):
        verifier.verify_access_token(unsigned)


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ({"alg": "RS256"}, errors.MalformedTokenError),  # no kid
        ({"alg": "RS256", "kid": 1}, errors.MalformedTokenError),
        ({"alg": "RS256", "kid": None}, errors.MalformedTokenError),
        ({"alg": "RS256", "kid": ["k"]}, errors.MalformedTokenError),
        ({"alg": "RS256", "kid": ""}, errors.MalformedTokenError),
        ({"alg": "RS256", "kid": "k" * 1000}, errors.MalformedTokenError),
        ({"kid": "KID"}, errors.MalformedTokenError),  # no alg
        ({"alg": ["RS256"], "kid": "KID"}, errors.MalformedTokenError),
        ({"alg": None, "kid": "KID"}, errors.MalformedTokenError),
        ({"alg": "RS256", "kid": "KID", "crit": ["exp"], "exp": 1}, errors.MalformedTokenError),
        ({"alg": "RS256", "kid": "KID", "crit": []}, errors.MalformedTokenError),
        ({"alg": "RS256", "kid": "KID", "b64": False, "crit": ["b64"]}, errors.MalformedTokenError),
        ({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": "KID"}, errors.MalformedTokenError),
        ({"alg": "RS256", "enc": "A256GCM", "kid": "KID"}, errors.MalformedTokenError),
    ],
)
def test_bad_headers(
    verifier: TokenVerifier,
    issuer: str,
    access_key: SigningKey,
    header: dict[str, Any],
    error: type[InvalidTokenError],
) -> None:
    header = {k: (access_key.kid if v == "KID" else v) for k, v in header.items()}
    with pytest.raises(error):
        verifier.verify_access_token(mint(access_key, access_claims(issuer), header=header))


@pytest.mark.parametrize("name", ["jwk", "jku", "x5u", "x5c"])
def test_embedded_key_headers_are_never_used(
    verifier: TokenVerifier,
    jwks_server: JwksServer,
    issuer: str,
    access_key: SigningKey,
    rogue_key: SigningKey,
    name: str,
) -> None:
    # A token signed by the attacker's key, pointing at that key: still the issuer's JWKS.
    values = {
        "jwk": rogue_key.jwk(),
        "jku": f"{jwks_server.base_url}/attacker/jwks.json",
        "x5u": f"{jwks_server.base_url}/attacker/cert.pem",
        "x5c": ["MIIB"],
    }
    header = {"alg": "RS256", "kid": access_key.kid, name: values[name]}
    with pytest.raises(errors.InvalidSignatureError):
        verifier.verify_access_token(mint(rogue_key, access_claims(issuer), header=header))
    assert jwks_server.paths == [f"/{jwks_server.issuer.rsplit('/', 1)[1]}/.well-known/jwks.json"]
    # Signed by the real key, the extra header is ignored.
    good = mint(access_key, access_claims(issuer), header=header)
    assert verifier.verify_access_token(good)["sub"]


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "..",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",  # JWE shape
        "eyJhbGciOiJSUzI1NiJ9",
        "a..c",
        ".b.c",
        "a.b.",
        "!!!.b.c",
        "a b.c.d",
        "eyJ=.eyJ.abc",
        "eyJh+bGc.eyJ.abc",
        "eyJh/bGc.eyJ.abc",
        "a.b.c\n",
        " a.b.c",
        "é.b.c",
        "x.y.z\x00",
    ],
)
def test_not_a_compact_jws(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(errors.MalformedTokenError):
        verifier.verify_access_token(token)


@pytest.mark.parametrize("value", [None, 42, b"a.b.c", ["a", "b", "c"], {"t": 1}, 1.5, object()])
def test_non_string_tokens(verifier: TokenVerifier, value: object) -> None:
    with pytest.raises(errors.MalformedTokenError):
        verifier.verify_access_token(value)  # type: ignore[arg-type]
    with pytest.raises(errors.MalformedTokenError):
        verifier.verify_id_token(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "segment",
    [
        b64url_encode(b"not json"),
        b64url_encode(b"[]"),
        b64url_encode(b'"string"'),
        b64url_encode(b"42"),
        b64url_encode(b"null"),
        b64url_encode(b"\xff\xfe{}"),
        b64url_encode('{"alg":"RS256"}'.encode("utf-16")),
        b64url_encode(b'{"alg":"RS256","alg":"none"}'),  # duplicate member names
        b64url_encode(b'{"alg":NaN}'),
        b64url_encode(b"[" * 100_00 + b"]" * 100_00),
        "QQ" + "Q",  # 3 chars: valid length; decodes to junk
        "Q",  # impossible base64 length
    ],
)
def test_header_must_be_a_json_object(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, segment: str
) -> None:
    token = mint_raw(access_key, segment, b64json(access_claims(issuer)))
    with pytest.raises(errors.MalformedTokenError):
        verifier.verify_access_token(token)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'"s"',
        b"1",
        b"null",
        b'{"exp": Infinity}',
        b'{"exp": NaN}',
        b"[" * 5000 + b"]" * 5000,
        b"\xc3\x28",
        b'{"sub": "a"} {"sub": "b"}',  # two values
        b'{"sub": "a"}x',
        b' {"sub": "a"} x',
    ],
)
def test_payload_must_be_a_json_object(
    verifier: TokenVerifier, access_key: SigningKey, payload: bytes
) -> None:
    token = mint_raw(
        access_key, b64json({"alg": "RS256", "kid": access_key.kid}), b64url_encode(payload)
    )
    with pytest.raises(errors.MalformedTokenError):
        verifier.verify_access_token(token)


@pytest.mark.parametrize("space", [" ", "\n", "\t\r\n "])
def test_payload_may_have_whitespace_around_the_object(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, space: str
) -> None:
    """RFC 8259 section 2: whitespace is allowed before and after the value."""
    text = space + json.dumps(access_claims(issuer)) + space
    header = b64json({"alg": "RS256", "kid": access_key.kid})
    claims = verifier.verify_access_token(
        mint_raw(access_key, header, b64url_encode(text.encode()))
    )
    assert claims["iss"] == issuer
    assert isinstance(claims["cognito:groups"], tuple)


def test_duplicate_claims_last_one_wins(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    """RFC 7519 section 4: reject duplicates or keep the lexically last; we keep the last,
    and that is the value every check sees."""
    claims = json.dumps(access_claims(issuer))
    header = b64json({"alg": "RS256", "kid": access_key.kid})
    smuggled = claims[:-1] + ', "client_id": "evil"}'
    with pytest.raises(errors.InvalidAudienceError):
        verifier.verify_access_token(mint_raw(access_key, header, b64url_encode(smuggled.encode())))
    first_evil = '{"client_id": "evil", ' + claims[1:]
    token = mint_raw(access_key, header, b64url_encode(first_evil.encode()))
    assert verifier.verify_access_token(token)["client_id"] != "evil"


def test_size_cap_is_checked_before_decoding(
    verifier: TokenVerifier, jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    padding = "x" * 16_000
    small = mint(access_key, access_claims(issuer, padding=padding[:11_000]))
    assert len(small) <= MAX_TOKEN_LENGTH
    assert verifier.verify_access_token(small)["padding"]
    fetches = jwks_server.fetches
    big = mint(access_key, access_claims(issuer, padding=padding))
    assert len(big) > MAX_TOKEN_LENGTH
    with pytest.raises(errors.MalformedTokenError, match="longer"):
        verifier.verify_access_token(big)
    with pytest.raises(errors.MalformedTokenError, match="longer"):
        verifier.verify_access_token("!" * (MAX_TOKEN_LENGTH + 1))
    assert jwks_server.fetches == fetches


def test_refresh_token_jwe_is_rejected_clearly(verifier: TokenVerifier) -> None:
    jwe = ".".join(
        [
            b64json({"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}),
            "a" * 342,
            "b" * 16,
            "c" * 100,
            "d" * 22,
        ]
    )
    with pytest.raises(errors.MalformedTokenError, match="JWE"):
        verifier.verify_access_token(jwe)


def test_messages_never_contain_the_token(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, rogue_key: SigningKey
) -> None:
    cases = [
        mint(rogue_key, access_claims(issuer), kid=access_key.kid),
        mint(access_key, access_claims(issuer, exp=1000, iat=900)),
        mint(access_key, access_claims(issuer, client_id="x")),
        mint(access_key, access_claims(issuer), header={"alg": "HS256", "kid": access_key.kid}),
    ]
    for token in cases:
        with pytest.raises(InvalidTokenError) as info:
            verifier.verify_access_token(token)
        text = str(info.value)
        for segment in token.split("."):
            assert segment[:20] not in text
