"""The provisioning outputs file, as the library reads it: one service's ``COGNITO_*`` keys.

``cognito_sso.provisioning`` writes this file; this module is where its shape is read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cognito_sso.errors import ConfigurationError

__all__ = ["load_outputs", "outputs_to_config"]


def load_outputs(path: str | Path, service: str) -> dict[str, Any]:
    """Read the provisioning outputs file and return the ``COGNITO_*`` keys for ``service``.

    Use as ``app.config.from_mapping(load_outputs("outputs.json", "billing"))``. Keys set
    afterwards in ``app.config`` win. Raises :class:`ConfigurationError` for a missing file,
    bad JSON or an unknown service.
    """
    file = Path(path)
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"COGNITO_OUTPUTS_FILE {str(file)!r} does not exist") from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"COGNITO_OUTPUTS_FILE {str(file)!r} is not readable JSON: {type(exc).__name__}"
        ) from None
    if not isinstance(doc, Mapping):
        raise ConfigurationError(f"COGNITO_OUTPUTS_FILE {str(file)!r} must hold a JSON object")
    return outputs_to_config(doc, service)


def outputs_to_config(doc: Mapping[str, Any], service: str) -> dict[str, Any]:
    """Map a parsed outputs document (provisioning's shape: ``pool_id``, ``region``,
    ``issuer``, ``endpoint_url``, ``groups`` and ``services.{name}.{client_id,
    client_secret, redirect_uri, logout_uri, scopes}``) to ``COGNITO_*`` keys."""
    services = doc.get("services")
    if not isinstance(services, Mapping) or service not in services:
        names = sorted(services) if isinstance(services, Mapping) else []
        raise ConfigurationError(
            f"COGNITO_SERVICE {service!r} is not in the outputs file (services: {names})"
        )
    svc = services[service]
    if not isinstance(svc, Mapping):
        raise ConfigurationError(f"outputs file: service {service!r} must be an object")
    result: dict[str, Any] = {
        "COGNITO_ISSUER": doc.get("issuer"),
        "COGNITO_USER_POOL_ID": doc.get("pool_id"),
        "COGNITO_REGION": doc.get("region"),
        "COGNITO_ENDPOINT_URL": doc.get("endpoint_url"),
        "COGNITO_CLIENT_ID": svc.get("client_id"),
        "COGNITO_CLIENT_SECRET": svc.get("client_secret"),
        "COGNITO_REDIRECT_URI": svc.get("redirect_uri"),
        "COGNITO_LOGOUT_URI": svc.get("logout_uri"),
        "COGNITO_SCOPES": svc.get("scopes"),
        "COGNITO_GROUPS": doc.get("groups"),
    }
    return {key: value for key, value in result.items() if value not in (None, "", [])}
