"""Who a token is for: an ID token's ``aud``/``azp`` and an access token's ``client_id``.

OpenID Connect Core 1.0, section 3.1.3.7, rules 3 to 5: ``aud`` must contain our client id,
and the token is rejected if it lists an audience the client does not trust (here: any that
is not one of the verifier's ``client_ids``); with several audiences ``azp`` must be present;
a present ``azp`` must be one of our client ids. Cognito access tokens carry ``client_id``
instead of ``aud`` (reference section 3.2).
"""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sso import errors
from cognito_sso.verifier import TokenVerifier
from tests.verifier.conftest import LEEWAY, Clock, times
from tests.verifier.minting import (
    CLIENT_ID,
    OTHER_CLIENT_ID,
    SigningKey,
    access_claims,
    id_claims,
    mint,
)

THIRD_CLIENT_ID = "9thirdclient00000000000000"
ABSENT = object()


def id_token(key: SigningKey, issuer: str, aud: Any, azp: Any = ABSENT) -> str:
    claims = id_claims(issuer, **times())
    claims["aud"] = aud
    if azp is not ABSENT:
        claims["azp"] = azp
    return mint(key, claims)


@pytest.fixture
def both(issuer: str, clock: Clock) -> TokenVerifier:
    """A verifier that trusts two app clients."""
    return TokenVerifier(
        issuer, [CLIENT_ID, OTHER_CLIENT_ID], leeway=LEEWAY, clock=clock, verified_cache_size=0
    )


@pytest.mark.parametrize("aud", [CLIENT_ID, [CLIENT_ID]], ids=["string", "array of one"])
def test_our_client_as_the_audience(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, aud: Any
) -> None:
    assert timed.verify_id_token(id_token(id_key, issuer, aud))["sub"]


@pytest.mark.parametrize(
    "aud",
    [
        OTHER_CLIENT_ID,
        [OTHER_CLIENT_ID],
        "",
        [""],
        CLIENT_ID.upper(),
        CLIENT_ID + " ",
        CLIENT_ID[:-1],
        [CLIENT_ID[:-1]],
    ],
)
def test_audience_that_is_not_our_client(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, aud: Any
) -> None:
    with pytest.raises(errors.InvalidAudienceError):
        timed.verify_id_token(id_token(id_key, issuer, aud))


@pytest.mark.parametrize(
    "aud",
    [[], [CLIENT_ID, 1], [CLIENT_ID, None], [[CLIENT_ID]], {"aud": CLIENT_ID}, 1, True, None],
    ids=["empty", "int member", "null member", "nested", "object", "int", "bool", "null"],
)
def test_audience_that_is_not_a_string_or_an_array_of_strings(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, aud: Any
) -> None:
    with pytest.raises(errors.InvalidAudienceError):
        timed.verify_id_token(id_token(id_key, issuer, aud))


def test_missing_audience(timed: TokenVerifier, issuer: str, id_key: SigningKey) -> None:
    with pytest.raises(errors.InvalidAudienceError):
        timed.verify_id_token(mint(id_key, id_claims(issuer, aud=None, **times())))


# -- issue 14, defect 2: an extra audience the client does not trust ----------------------


@pytest.mark.parametrize(
    ("aud", "azp"),
    [
        ([CLIENT_ID, OTHER_CLIENT_ID], ABSENT),
        ([OTHER_CLIENT_ID, CLIENT_ID], ABSENT),
        ([CLIENT_ID, OTHER_CLIENT_ID], OTHER_CLIENT_ID),
        ([CLIENT_ID, OTHER_CLIENT_ID], CLIENT_ID),  # azp does not make the other one trusted
    ],
    ids=["no azp", "no azp, ours last", "azp the other", "azp ours"],
)
def test_an_untrusted_extra_audience_is_rejected(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, aud: Any, azp: Any
) -> None:
    with pytest.raises(errors.InvalidAudienceError):
        timed.verify_id_token(id_token(id_key, issuer, aud, azp))


@pytest.mark.parametrize("azp", [CLIENT_ID, OTHER_CLIENT_ID])
def test_several_trusted_audiences_with_azp_of_ours(
    both: TokenVerifier, issuer: str, id_key: SigningKey, azp: str
) -> None:
    both.verify_id_token(id_token(id_key, issuer, [CLIENT_ID, OTHER_CLIENT_ID], azp))


def test_several_audiences_need_azp(both: TokenVerifier, issuer: str, id_key: SigningKey) -> None:
    with pytest.raises(errors.InvalidAuthorizedPartyError):
        both.verify_id_token(id_token(id_key, issuer, [CLIENT_ID, OTHER_CLIENT_ID]))


def test_several_trusted_audiences_plus_an_untrusted_one(
    both: TokenVerifier, issuer: str, id_key: SigningKey
) -> None:
    token = id_token(id_key, issuer, [CLIENT_ID, OTHER_CLIENT_ID, THIRD_CLIENT_ID], CLIENT_ID)
    with pytest.raises(errors.InvalidAudienceError):
        both.verify_id_token(token)


# -- azp, whenever present ------------------------------------------------------------------


@pytest.mark.parametrize(
    "azp", [OTHER_CLIENT_ID, THIRD_CLIENT_ID, None, "", [CLIENT_ID], 1], ids=repr
)
def test_azp_must_be_one_of_our_clients(
    timed: TokenVerifier, issuer: str, id_key: SigningKey, azp: Any
) -> None:
    for aud in (CLIENT_ID, [CLIENT_ID]):
        with pytest.raises(errors.InvalidAuthorizedPartyError):
            timed.verify_id_token(id_token(id_key, issuer, aud, azp))


def test_azp_equal_to_the_single_audience(
    timed: TokenVerifier, issuer: str, id_key: SigningKey
) -> None:
    timed.verify_id_token(id_token(id_key, issuer, CLIENT_ID, CLIENT_ID))


def test_azp_errors_are_audience_errors() -> None:
    assert issubclass(errors.InvalidAuthorizedPartyError, errors.InvalidAudienceError)


# -- several client ids, and access tokens' client_id ---------------------------------------


def test_several_client_ids(
    both: TokenVerifier, issuer: str, id_key: SigningKey, access_key: SigningKey
) -> None:
    both.verify_id_token(mint(id_key, id_claims(issuer, aud=OTHER_CLIENT_ID, **times())))
    both.verify_access_token(
        mint(access_key, access_claims(issuer, client_id=OTHER_CLIENT_ID, **times()))
    )


@pytest.mark.parametrize("client_id", [OTHER_CLIENT_ID, None, "", [CLIENT_ID], 1, CLIENT_ID + "x"])
def test_access_token_client_id(
    timed: TokenVerifier, issuer: str, access_key: SigningKey, client_id: Any
) -> None:
    claims = access_claims(issuer, **times())
    claims["client_id"] = client_id
    with pytest.raises(errors.InvalidClientIdError):
        timed.verify_access_token(mint(access_key, claims))


def test_access_token_aud_does_not_replace_client_id(
    timed: TokenVerifier, issuer: str, access_key: SigningKey
) -> None:
    claims = access_claims(issuer, aud=CLIENT_ID, client_id=None, **times())
    with pytest.raises(errors.InvalidClientIdError):
        timed.verify_access_token(mint(access_key, claims))


def test_client_id_errors_are_audience_errors() -> None:
    assert issubclass(errors.InvalidClientIdError, errors.InvalidAudienceError)
