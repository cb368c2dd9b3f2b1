"""A pool's issuer (`iss`) under the local IdP's base URL, in either of Cognito's formats.

`IssuerConfiguration.Type` (reference 1 and 5.1) chooses the format on AWS:
ORIGINAL is ``https://cognito-idp.{region}.amazonaws.com/{poolId}`` and UPDATED is
``https://issuer-cognito-idp.{region}.amazonaws.com/{poolId}``, another host. The local IdP
has a single host, so it keeps both under its own base URL and marks the UPDATED form with
an extra path segment instead of a host prefix:

- ORIGINAL: ``{base}/{poolId}``
- UPDATED:  ``{base}/issuer/{poolId}``

Like AWS's, the UPDATED issuer cannot be assembled as ``{endpoint_url}/{poolId}``: a relying
party or a provisioning tool must read it from the pool's discovery document, which is served
at ``{base}/{poolId}/.well-known/openid-configuration`` in both formats (and beside each
issuer).
"""

from __future__ import annotations

from typing import Final

ORIGINAL: Final = "ORIGINAL"
UPDATED: Final = "UPDATED"
ISSUER_FORMATS: Final = (ORIGINAL, UPDATED)
#: The path segment that marks the UPDATED form (AWS: the ``issuer-`` host prefix).
UPDATED_SEGMENT: Final = "issuer"


def issuer_url(base_url: str, pool_id: str, issuer_format: str) -> str:
    """The `iss` of a pool's tokens for its IssuerConfiguration type."""
    base = base_url.rstrip("/")
    if issuer_format == UPDATED:
        return f"{base}/{UPDATED_SEGMENT}/{pool_id}"
    return f"{base}/{pool_id}"


def pool_id_in(issuer: str) -> str:
    """The pool id an issuer names (its last path segment, in both formats)."""
    return issuer.rsplit("/", 1)[-1]
