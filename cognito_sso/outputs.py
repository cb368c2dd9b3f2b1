"""The provisioning outputs file: its one schema, as typed records with to/from JSON.

``cognito_sso.provisioning`` builds a :class:`PoolOutputs` and saves it with
:func:`write_outputs`; services read it with :func:`load_outputs` (one service's ``COGNITO_*``
keys). The document carries a ``version``; a file without one (written before versions
existed) is read as version 1, a newer version than this library knows is a
:class:`ConfigurationError`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cognito_sso.errors import ConfigurationError

__all__ = [
    "OUTPUTS_VERSION",
    "PoolOutputs",
    "ServiceOutputs",
    "load_outputs",
    "outputs_to_config",
    "read_outputs",
    "write_outputs",
    "write_private_file",
]

OUTPUTS_VERSION = 1
"""The schema version this library writes and the newest it reads."""


@dataclass(frozen=True)
class ServiceOutputs:
    """One service's app client in the outputs file."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    redirect_uri: str | None = None
    logout_uri: str | None = None
    scopes: tuple[str, ...] = ()
    identity_providers: tuple[str, ...] = ()  # the client's SupportedIdentityProviders

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this service."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uri": self.redirect_uri,
            "logout_uri": self.logout_uri,
            "scopes": list(self.scopes),
            "identity_providers": list(self.identity_providers),
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> ServiceOutputs:
        """Parse one service object; ``where`` names it in errors."""
        doc = _object(value, where)
        client_id = _text(doc, "client_id", where)
        if client_id is None:
            raise ConfigurationError(f"{where}: client_id is missing")
        return cls(
            client_id=client_id,
            client_secret=_text(doc, "client_secret", where),
            redirect_uri=_text(doc, "redirect_uri", where),
            logout_uri=_text(doc, "logout_uri", where),
            scopes=_texts(doc, "scopes", where),
            identity_providers=_texts(doc, "identity_providers", where),
        )


@dataclass(frozen=True)
class PoolOutputs:
    """The whole outputs document: the pool and one entry per service."""

    pool_id: str
    issuer: str
    services: Mapping[str, ServiceOutputs]
    region: str | None = None
    pool_name: str | None = None
    pool_arn: str | None = None
    hosted_ui_base_url: str | None = None
    endpoint_url: str | None = None
    groups: tuple[str, ...] = ()
    version: int = OUTPUTS_VERSION

    def to_json(self) -> dict[str, Any]:
        """The JSON document (the key order is the file's)."""
        return {
            "version": self.version,
            "pool_name": self.pool_name,
            "pool_id": self.pool_id,
            "pool_arn": self.pool_arn,
            "region": self.region,
            "issuer": self.issuer,
            "hosted_ui_base_url": self.hosted_ui_base_url,
            "endpoint_url": self.endpoint_url,
            "groups": list(self.groups),
            "services": {name: svc.to_json() for name, svc in self.services.items()},
        }

    @classmethod
    def from_json(cls, value: Any, where: str = "outputs file") -> PoolOutputs:
        """Parse a document; raises :class:`ConfigurationError` naming what is wrong."""
        doc = _object(value, where)
        version = doc.get("version", 1)  # files from before the version field are version 1
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ConfigurationError(f"{where}: version must be a positive integer")
        if version > OUTPUTS_VERSION:
            raise ConfigurationError(
                f"{where} has version {version}; this cognito-sso reads versions up to "
                f"{OUTPUTS_VERSION}: upgrade cognito-sso or re-create the file with this one"
            )
        services = _object(doc.get("services"), f"{where}: services")
        pool_id, issuer = _text(doc, "pool_id", where), _text(doc, "issuer", where)
        if pool_id is None or issuer is None:
            raise ConfigurationError(f"{where}: pool_id and issuer are required")
        return cls(
            pool_id=pool_id,
            issuer=issuer,
            services={
                str(name): ServiceOutputs.from_json(svc, f"{where}: service {name!r}")
                for name, svc in services.items()
            },
            region=_text(doc, "region", where),
            pool_name=_text(doc, "pool_name", where),
            pool_arn=_text(doc, "pool_arn", where),
            hosted_ui_base_url=_text(doc, "hosted_ui_base_url", where),
            endpoint_url=_text(doc, "endpoint_url", where),
            groups=_texts(doc, "groups", where),
            version=version,
        )

    def service(self, name: str) -> ServiceOutputs:
        """The entry of service ``name``; :class:`ConfigurationError` when there is none."""
        try:
            return self.services[name]
        except KeyError:
            raise ConfigurationError(
                f"COGNITO_SERVICE {name!r} is not in the outputs file "
                f"(services: {sorted(self.services)})"
            ) from None

    def to_config(self, service: str) -> dict[str, Any]:
        """The ``COGNITO_*`` keys of ``service`` (keys without a value are left out)."""
        svc = self.service(service)
        result: dict[str, Any] = {
            "COGNITO_ISSUER": self.issuer,
            "COGNITO_USER_POOL_ID": self.pool_id,
            "COGNITO_REGION": self.region,
            "COGNITO_ENDPOINT_URL": self.endpoint_url,
            "COGNITO_CLIENT_ID": svc.client_id,
            "COGNITO_CLIENT_SECRET": svc.client_secret,
            "COGNITO_REDIRECT_URI": svc.redirect_uri,
            "COGNITO_LOGOUT_URI": svc.logout_uri,
            "COGNITO_SCOPES": list(svc.scopes),
            "COGNITO_GROUPS": list(self.groups),
            "COGNITO_IDENTITY_PROVIDERS": list(svc.identity_providers),
        }
        return {key: value for key, value in result.items() if value not in (None, "", [])}


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where} must be a JSON object")
    return value


def _text(doc: Mapping[str, Any], key: str, where: str) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigurationError(f"{where}: {key} must be a string")
    return value


def _texts(doc: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = doc.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def read_outputs(path: str | Path) -> PoolOutputs:
    """Read and parse an outputs file; :class:`ConfigurationError` for a missing or bad one."""
    file = Path(path)
    where = f"COGNITO_OUTPUTS_FILE {str(file)!r}"
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{where} does not exist") from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{where} is not readable JSON: {type(exc).__name__}") from None
    return PoolOutputs.from_json(doc, where)


def load_outputs(path: str | Path, service: str) -> dict[str, Any]:
    """Read the provisioning outputs file and return the ``COGNITO_*`` keys for ``service``.

    Use as ``app.config.from_mapping(load_outputs("outputs.json", "billing"))``. Keys set
    afterwards in ``app.config`` win. Raises :class:`ConfigurationError` for a missing file,
    bad JSON, an unknown version or an unknown service.
    """
    return read_outputs(path).to_config(service)


def outputs_to_config(doc: Mapping[str, Any], service: str) -> dict[str, Any]:
    """The ``COGNITO_*`` keys of ``service`` from an already-parsed outputs document."""
    return PoolOutputs.from_json(doc).to_config(service)


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file + rename), mode 0600 from the start:
    a reader never sees a half-written file, and secrets are never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(path: str | Path, outputs: PoolOutputs) -> None:
    """Save ``outputs`` as the JSON outputs file (atomic, mode 0600)."""
    write_private_file(Path(path), json.dumps(outputs.to_json(), indent=2) + "\n")
