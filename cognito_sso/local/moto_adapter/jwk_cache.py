"""A speed-up for moto: parse its fixed user-pool key once instead of per CreateUserPool."""

from __future__ import annotations

import json
from typing import Any

import moto.cognitoidp.models as moto_models
from joserfc.jwk import RSAKey


class _MotoJwkCache:
    """Stands in for the `joserfc.jwk` module inside moto's cognito-idp models.

    moto parses the same fixed RSA private key (shipped with moto) for every new user pool,
    which costs 0.05-0.3 s per CreateUserPool (recovering the primes). The local IdP never
    uses that key (it mints its own tokens), so parse it once and share the result.
    moto's models module only calls `jwk.RSAKey.import_key`; should that change, every
    CreateUserPool fails loudly in the tests.
    """

    class RSAKey:
        _parsed: dict[str, RSAKey] = {}

        @classmethod
        def import_key(cls, data: Any, *args: Any, **kwargs: Any) -> RSAKey:
            cache_key = json.dumps(data, sort_keys=True, default=str)
            key = cls._parsed.get(cache_key)
            if key is None:
                key = RSAKey.import_key(data, *args, **kwargs)
                cls._parsed[cache_key] = key
            return key


if getattr(moto_models, "jwk", None) is not None:
    moto_models.jwk = _MotoJwkCache


def install() -> None:
    """Make moto's cognito-idp models use the cache (idempotent)."""
    if getattr(moto_models, "jwk", None) is not None:
        moto_models.jwk = _MotoJwkCache
