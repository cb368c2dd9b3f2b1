"""Where the time of one cold verify goes (part of bench/verify.py).

Each stage of :class:`~cognito_sso.verifier.TokenVerifier` is measured twice:

- **alone**: the stage called by itself in a loop;
- **in context**: the cold verify minus the cold verify with that stage replaced by its
  precomputed result (a profiler's view of the whole call, without a profiler's overhead).

Stages cost more in context than alone: the RSA verify and the Python work around it evict
each other's code and data from the CPU caches, so the sum of the "alone" column is less than
the verify. Rounds interleave the variants and keep the best, as bench/verify.py does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from unittest import mock

import cognito_sso.jws as jws_module
import cognito_sso.verifier as verifier_module
from cognito_sso.base64url import b64url_decode
from cognito_sso.claims import parse_claims
from cognito_sso.jwks import JwksCache
from cognito_sso.verifier import TokenVerifier

Stage = tuple[Callable[[], object], AbstractContextManager[Any]]


def stages(verifier: TokenVerifier, token: str, cache: JwksCache) -> dict[str, Stage]:
    """Each stage: the call that runs it alone, and a patch that skips it in the verify."""
    parts = jws_module.decompose(token)
    key = cache.get_key(parts.kid)
    payload_text = b64url_decode(token.split(".")[1]).decode()
    exp = verifier._assert_claims(parts.payload, "access")
    return {
        "structure (jws.decompose, incl. payload)": (
            lambda: jws_module.decompose(token),
            mock.patch.object(verifier_module, "decompose", lambda _token: parts),
        ),
        "payload JSON to Claims": (
            lambda: parse_claims(payload_text),
            mock.patch.object(jws_module, "parse_claims", lambda _text: parts.payload),
        ),
        "RSA signature": (
            lambda: verifier_module._assert_signature(key, parts),
            mock.patch.object(verifier_module, "_assert_signature", lambda _key, _token: None),
        ),
        "claim rules": (
            lambda: verifier._assert_claims(parts.payload, "access"),
            mock.patch.object(verifier, "_assert_claims", lambda _payload, _use: exp),
        ),
    }


def _per_call(fn: Callable[[], object], loops: int, context: AbstractContextManager[Any]) -> float:
    with context:
        start = time.thread_time()
        for _ in range(loops):
            fn()
        return (time.thread_time() - start) / loops


def stage_costs(
    verifier: TokenVerifier, token: str, cache: JwksCache, loops: int, repeat: int
) -> dict[str, dict[str, float]]:
    """Microseconds per call of each stage, ``{"alone": ..., "in_context": ...}``, and the
    whole cold verify under ``"cold verify"``."""
    verify = lambda: verifier.verify_access_token(token)  # noqa: E731
    best_full = float("inf")
    best: dict[str, list[float]] = {}
    for _ in range(repeat):
        best_full = min(best_full, _per_call(verify, loops, nullcontext()))
        for name, (alone, skip) in stages(verifier, token, cache).items():
            alone_s = _per_call(alone, loops, nullcontext())
            without_s = _per_call(verify, loops, skip)
            old = best.get(name, [float("inf"), float("inf")])
            best[name] = [min(old[0], alone_s), min(old[1], without_s)]
    costs = {
        name: {"alone": alone_s * 1e6, "in_context": (best_full - without_s) * 1e6}
        for name, (alone_s, without_s) in best.items()
    }
    costs["cold verify"] = {"alone": best_full * 1e6, "in_context": best_full * 1e6}
    return costs
