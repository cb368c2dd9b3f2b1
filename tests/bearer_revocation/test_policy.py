"""The revocation policy and cache (no I/O): what is trusted for how long, what is kept."""

from __future__ import annotations

import math

import pytest

from cognito_sso.bearer_revocation import (
    RevocationCache,
    Verdict,
    required_scopes,
    route_interval,
    token_key,
)
from cognito_sso.config_keys import ADMIN_SCOPE
from cognito_sso.errors import ConfigurationError
from cognito_sso.flask import CognitoSSO
from cognito_sso.oidc import IdPUnavailableError, OIDCError, TokenRevokedError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def cache_with(clock: Clock, **options: float) -> RevocationCache:
    return RevocationCache(clock=clock, wall_clock=clock, **options)  # type: ignore[arg-type]


def test_a_positive_answer_is_trusted_for_the_interval(clock: Clock) -> None:
    cache = cache_with(clock)
    assert cache.judge("k", 60) is Verdict.ASK
    assert cache.record("k", clock.now + 3600, None) is Verdict.ACCEPT
    clock.now += 59.9
    assert cache.judge("k", 60) is Verdict.ACCEPT
    assert cache.judge("k", 30) is Verdict.ASK  # a route with a shorter interval asks
    clock.now += 0.1
    assert cache.judge("k", 60) is Verdict.ASK


def test_a_refusal_is_kept_whatever_the_interval(clock: Clock) -> None:
    cache = cache_with(clock)
    revoked = TokenRevokedError("GetUser rejected the access token (NotAuthorizedException)")
    assert cache.record("k", clock.now + 3600, revoked) is Verdict.REFUSE
    clock.now += 3000
    assert cache.judge("k", 1) is Verdict.REFUSE


@pytest.mark.parametrize(
    "error", [IdPUnavailableError("GetUser answered HTTP 500"), OIDCError("GetUser failed: X")]
)
def test_no_answer_is_unavailable_for_a_short_while_then_asked_again(
    clock: Clock, error: OIDCError
) -> None:
    cache = cache_with(clock, retry_after=5)
    cache.record("k", clock.now + 3600, None)
    clock.now += 60
    assert cache.judge("k", 60) is Verdict.ASK
    assert cache.record("k", clock.now + 3600, error) is Verdict.UNAVAILABLE
    assert cache.judge("k", 60) is Verdict.UNAVAILABLE  # stale: never trusted again
    clock.now += 5
    assert cache.judge("k", 60) is Verdict.ASK
    # without any earlier answer, and with an interval shorter than the retry window
    assert cache.record("new", clock.now + 3600, error) is Verdict.UNAVAILABLE
    assert cache.judge("new", 2) is Verdict.UNAVAILABLE
    clock.now += 2
    assert cache.judge("new", 2) is Verdict.ASK


def test_the_cache_is_bounded_and_drops_dead_refusals_first(clock: Clock) -> None:
    cache = cache_with(clock)
    cache.capacity = 3
    revoked = TokenRevokedError("revoked")
    cache.record("dead", clock.now + 10, revoked)
    cache.record("a", clock.now + 3600, None)
    cache.record("b", clock.now + 3600, None)
    clock.now += 20  # "dead" expired: the verifier refuses it before the cache is asked
    cache.record("c", clock.now + 3600, None)
    assert len(cache) == 3 and cache.judge("a", 60) is Verdict.ACCEPT
    cache.record("d", clock.now + 3600, None)
    assert len(cache) == 3 and cache.judge("a", 60) is Verdict.ASK  # the oldest went
    big = cache_with(clock)
    big.capacity = 20
    for index in range(21):
        big.record(str(index), clock.now + 3600, None)
    assert len(big) == 18  # down to 90%: one scan per many insertions
    assert big.judge("2", 60) is Verdict.ASK and big.judge("3", 60) is Verdict.ACCEPT


def test_keys_and_route_settings() -> None:
    token = "header.payload.signature"
    assert token not in token_key(token) and len(token_key(token)) == 64
    assert route_interval(None) is None and route_interval(0) == 0.0 and route_interval(30) == 30
    for bad in (-1, math.inf, math.nan, True, "60"):
        with pytest.raises(ConfigurationError):
            route_interval(bad)
    with pytest.raises(ConfigurationError, match="revocation_check_interval"):
        CognitoSSO().bearer_required(revocation_check_interval=-5)
    assert required_scopes(("openid",), 0) == ("openid",)
    assert required_scopes(("openid",), 60) == ("openid", ADMIN_SCOPE)
    assert required_scopes((ADMIN_SCOPE,), 60) == (ADMIN_SCOPE,)
