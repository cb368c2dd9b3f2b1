"""The boto3 cognito-idp client: bounded timeouts/retries, region resolution, write counting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

# A boto3 `cognito-idp` client. Typed as Any: the mypy_boto3 stubs are a dev-only dependency.
CognitoClient = Any

# Read-only operations start with one of these; every other operation counts as a write.
# (Counting unknown operations as writes errs on the side of reporting too many, never too few.)
_READ_PREFIXES = ("Describe", "Get", "List", "AdminGet", "AdminList")
_DEFAULT_LOCAL_REGION = "eu-west-1"

BOTO_CONFIG = botocore.config.Config(
    connect_timeout=5,
    read_timeout=20,
    retries={"max_attempts": 4, "mode": "standard"},
)


class ProvisioningError(Exception):
    """Provisioning failed for a reason worth showing to the operator (no traceback)."""


def is_write_operation(operation_name: str) -> bool:
    """True for cognito-idp operations that change something."""
    return not operation_name.startswith(_READ_PREFIXES)


@dataclass
class WriteCounter:
    """Counts mutating API calls, hooked into boto3's `before-call` event."""

    operations: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Number of write calls made so far."""
        return len(self.operations)

    def __call__(self, model: Any, **_: Any) -> None:
        if is_write_operation(model.name):
            self.operations.append(model.name)


@dataclass
class Connection:
    """A cognito-idp client plus where it points and the running write count."""

    client: CognitoClient
    region: str
    endpoint_url: str | None
    writes: WriteCounter

    @property
    def is_local(self) -> bool:
        """True when talking to a non-AWS endpoint (the local IdP)."""
        return self.endpoint_url is not None


def connect(
    *, endpoint_url: str | None = None, region: str | None = None, profile: str | None = None
) -> Connection:
    """A client using the normal boto3 credential and region resolution.

    With `endpoint_url` (the local IdP) a missing region falls back to eu-west-1 and missing
    credentials to dummy ones, since the local IdP checks neither."""
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise ProvisioningError(str(exc)) from exc
    resolved = session.region_name or (_DEFAULT_LOCAL_REGION if endpoint_url else None)
    if not resolved:
        raise ProvisioningError(
            "no AWS region configured: pass --region or set AWS_REGION / AWS_DEFAULT_REGION"
        )
    kwargs: dict[str, Any] = {"region_name": resolved, "config": BOTO_CONFIG}
    if endpoint_url:
        endpoint_url = endpoint_url.rstrip("/")
        kwargs["endpoint_url"] = endpoint_url
        if session.get_credentials() is None:
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"  # noqa: S105 - dummy, local IdP only
    client = session.client("cognito-idp", **kwargs)
    counter = WriteCounter()
    client.meta.events.register("before-call", counter)
    return Connection(client, resolved, endpoint_url, counter)


def error_code(exc: BaseException) -> str | None:
    """The Cognito error type of a botocore ClientError, else None."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = exc.response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def input_members(client: CognitoClient, operation: str) -> set[str]:
    """The input member names of an operation, from the service model."""
    return set(client.meta.service_model.operation_model(operation).input_shape.members)
