"""moto's cognito-idp backends, owned by one local IdP, and its JSON handler bound to them.

We deliberately do not use `mock_aws()` (it resets moto's global state) nor moto's global
`cognitoidp_backends`: each `MotoBackends` keeps its own backend per region, so another
component that resets moto cannot wipe the local IdP's users.
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.request import Request

from cognito_sso.local.errors import CognitoError, invalid_parameter, resource_not_found
from cognito_sso.local.moto_adapter import jwk_cache

TARGET_PREFIX = "AWSCognitoIdentityProviderService."

jwk_cache.install()


class MotoBackends:
    """One moto backend per region, and moto's JSON 1.1 handler over them."""

    def __init__(self, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self.account_id = account_id
        self.backends: dict[str, CognitoIdpBackend] = {}
        owner = self

        class _Response(CognitoIdpResponse):  # type: ignore[misc]
            """moto's JSON handler, bound to these backends."""

            @property
            def backend(self) -> CognitoIdpBackend:
                return owner.backend(self.region)

        self._response_class = _Response

    def backend(self, region: str) -> CognitoIdpBackend:
        """The moto backend of one region (created on first use)."""
        backend = self.backends.get(region)
        if backend is None:
            backend = CognitoIdpBackend(region, self.account_id)
            self.backends[region] = backend
        return backend

    def forward(self, target: str, body: bytes, region: str) -> tuple[int, dict[str, str], bytes]:
        """Run one JSON 1.1 call through moto's handler, with the region pinned by Host."""
        request = Request.from_primitives(
            "POST",
            f"https://cognito-idp.{region}.amazonaws.com/",
            {
                "Host": f"cognito-idp.{region}.amazonaws.com",
                "X-Amz-Target": target,
                "Content-Type": "application/x-amz-json-1.1",
            },
            body,
        )
        action = target.removeprefix(TARGET_PREFIX)
        try:
            status, headers, payload = self._response_class.dispatch(request)
        except NotImplementedError:
            raise CognitoError(
                "InvalidParameterException",
                f"{action} is not supported by the local IdP",
            ) from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # moto trusts its input; a malformed call must not become a 500
            raise invalid_parameter(f"Invalid request for {action}: {type(exc).__name__}") from None
        if isinstance(payload, str):
            payload = payload.encode()
        clean = {
            str(k): str(v)
            for k, v in dict(headers).items()
            if str(k).lower() not in ("status", "server", "date", "content-length")
        }
        return int(status), clean, bytes(payload or b"")

    def pools(self) -> list[Any]:
        """Every moto pool, all regions."""
        return [pool for backend in self.backends.values() for pool in backend.user_pools.values()]

    def pool(self, pool_id: str) -> Any:
        """The moto pool with this id (ResourceNotFoundException otherwise)."""
        region = pool_id.split("_", 1)[0]
        backend = self.backends.get(region)
        pool = backend.user_pools.get(pool_id) if backend is not None else None
        if pool is None:
            raise resource_not_found(f"User pool {pool_id} does not exist.")
        return pool

    def client(self, client_id: str) -> Any:
        """The moto app client with this id, in any pool."""
        for pool in self.pools():
            client = pool.clients.get(client_id)
            if client is not None:
                return client
        raise resource_not_found(f"User pool client {client_id} does not exist.")
