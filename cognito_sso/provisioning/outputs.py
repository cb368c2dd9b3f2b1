"""Building the outputs file the services read (its schema lives in `cognito_sso.outputs`),
and its dotenv form; both written atomically with mode 0600."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cognito_sso.outputs import PoolOutputs, ServiceOutputs, write_private_file
from cognito_sso.provisioning.aws import Connection, ProvisioningError
from cognito_sso.provisioning.discovery import read_issuer
from cognito_sso.provisioning.spec import Spec
from cognito_sso.provisioning.state import PoolState

OUTPUTS_SUFFIX = ".outputs.json"
_SECRET_KEYS = frozenset({"client_secret"})


def default_outputs_path(spec_path: str | Path) -> Path:
    """Next to the spec file: `pools/sso-demo.toml` -> `pools/sso-demo.outputs.json`."""
    spec = Path(spec_path)
    return spec.with_name(spec.stem + OUTPUTS_SUFFIX)


def hosted_ui_for(conn: Connection, domain: str | None) -> str | None:
    """The hosted-UI base URL: `https://{prefix}.auth.{region}.amazoncognito.com` on AWS."""
    if conn.endpoint_url:
        return conn.endpoint_url
    if domain is None:
        return None
    return f"https://{domain}.auth.{conn.region}.amazoncognito.com"


def collect_outputs(conn: Connection, spec: Spec, state: PoolState) -> PoolOutputs:
    """Everything each service needs to configure `cognito_sso`, from the current state."""
    services: dict[str, ServiceOutputs] = {}
    for client in spec.clients:
        described = state.clients.get(client.name)
        if described is None:
            raise ProvisioningError(
                f"app client {client.name!r} does not exist yet: run apply first"
            )
        services[client.name] = ServiceOutputs(
            client_id=described["ClientId"],
            client_secret=described.get("ClientSecret"),
            redirect_uri=client.callback_urls[0] if client.callback_urls else None,
            logout_uri=client.logout_urls[0] if client.logout_urls else None,
            scopes=client.oauth_scopes,
            identity_providers=client.identity_providers,
        )
    domain = state.pool.get("Domain") or spec.domain_prefix
    return PoolOutputs(
        pool_name=spec.pool.name,
        pool_id=state.pool_id,
        pool_arn=state.pool_arn,
        region=conn.region,
        issuer=read_issuer(conn, state.pool_id),
        hosted_ui_base_url=hosted_ui_for(conn, domain),
        endpoint_url=conn.endpoint_url,
        groups=tuple(g.name for g in spec.groups),
        services=services,
    )


def mask_secret(value: str | None) -> str | None:
    """`****abcd`: at most the last 4 characters of a secret are ever shown."""
    if value is None:
        return None
    return "****" + (value[-4:] if len(value) >= 16 else "")


def masked(data: Any) -> Any:
    """A copy of an outputs document with every secret masked, for printing."""
    if isinstance(data, Mapping):
        return {
            k: mask_secret(v) if k in _SECRET_KEYS and isinstance(v, str) else masked(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [masked(v) for v in data]
    return data


def dotenv_text(outputs: PoolOutputs) -> str:
    """The outputs as `KEY=value` lines: pool-wide `COGNITO_*` keys and per-service
    `<SERVICE>_COGNITO_CLIENT_ID`, `..._CLIENT_SECRET`, `..._REDIRECT_URI`, `..._LOGOUT_URI`,
    `..._SCOPES`, `..._IDENTITY_PROVIDERS`. Values with spaces are double-quoted, so
    `set -a; . file` and python-dotenv read them whole; the pool ARN and hosted-UI URL are
    comments (no setting reads them)."""
    lines = [
        f"# user pool {outputs.pool_arn}",
        f"# hosted UI {outputs.hosted_ui_base_url or '(no domain)'}",
        f"COGNITO_USER_POOL_ID={outputs.pool_id}",
        f"COGNITO_REGION={outputs.region}",
        f"COGNITO_ISSUER={outputs.issuer}",
        f"COGNITO_ENDPOINT_URL={outputs.endpoint_url or ''}",
    ]
    for name, service in outputs.services.items():
        prefix = "".join(c if c.isalnum() else "_" for c in name).upper()
        lines += [
            f"{prefix}_COGNITO_CLIENT_ID={service.client_id}",
            f"{prefix}_COGNITO_CLIENT_SECRET={service.client_secret or ''}",
            f"{prefix}_COGNITO_REDIRECT_URI={service.redirect_uri or ''}",
            f"{prefix}_COGNITO_LOGOUT_URI={service.logout_uri or ''}",
            f'{prefix}_COGNITO_SCOPES="{" ".join(service.scopes)}"',
            f'{prefix}_COGNITO_IDENTITY_PROVIDERS="{" ".join(service.identity_providers)}"',
        ]
    return "\n".join(lines) + "\n"


def write_dotenv(path: Path, outputs: PoolOutputs) -> None:
    """Write the dotenv outputs file."""
    write_private_file(path, dotenv_text(outputs))
