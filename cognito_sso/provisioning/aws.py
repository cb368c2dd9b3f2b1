"""The boto3 cognito-idp client: bounded timeouts/retries, region resolution, write counting."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.config
import botocore.exceptions

# A boto3 `cognito-idp` client. Typed as Any: the mypy_boto3 stubs are a dev-only dependency.
CognitoClient = Any
# Where progress lines go (the CLI prints them; the Python API is quiet by default).
Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """A progress callback that says nothing."""


# Read-only operations start with one of these; every other operation counts as a write.
# (Counting unknown operations as writes errs on the side of reporting too many, never too few.)
_READ_PREFIXES = ("Describe", "Get", "List", "AdminGet", "AdminList")
_DEFAULT_LOCAL_REGION = "eu-west-1"

MAX_ATTEMPTS = 6
MAX_CONNECTION_ATTEMPTS = 3  # a dead endpoint should fail within seconds
MAX_BACKOFF_SECONDS = 20.0
# Cognito's answers to too many requests per pool/operation (reference 5.5, 6.6): the request
# was refused, so repeating it is always safe.
RETRIED_ERRORS = frozenset({"TooManyRequestsException", "ConcurrentModificationException"})
# Repeating these after an answer that may hide success (5xx, read timeout, dropped connection)
# could create a second pool or app client with the same name, so they are not retried then.
_NOT_REPEATABLE_PREFIXES = ("Create", "AdminCreate", "Delete")

BOTO_CONFIG = botocore.config.Config(
    connect_timeout=5,
    read_timeout=20,
    # Retries are decided by `Backoff` alone (botocore's own handler would repeat creates).
    retries={"total_max_attempts": 1, "mode": "standard"},
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


def backoff_seconds(attempt: int) -> float:
    """The wait before retry number `attempt` (1, 2, ...): exponential, jittered, capped."""
    return min(MAX_BACKOFF_SECONDS, 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)  # noqa: S311


def retry_reason(operation: str, response: Any, caught: Exception | None) -> str | None:
    """Why a failed attempt may be repeated, or None when it must not be."""
    if isinstance(caught, botocore.exceptions.ConnectionError):
        return "cannot connect"  # never reached the server: safe for every operation
    repeatable = not operation.startswith(_NOT_REPEATABLE_PREFIXES)
    if caught is not None:
        transient = isinstance(caught, botocore.exceptions.HTTPClientError)
        return type(caught).__name__ if transient and repeatable else None
    if response is None:
        return None
    code = response[1].get("Error", {}).get("Code")
    if code in RETRIED_ERRORS:
        return str(code)
    if response[0].status_code >= 500 and repeatable:
        return f"{code or 'HTTP'} {response[0].status_code}"
    return None


@dataclass
class Backoff:
    """The boto3 `needs-retry` handler: retries throttling always, transient failures when
    repeating is safe, with bounded jittered backoff, telling `notice` about each wait (so a
    throttled apply does not look stuck)."""

    notice: Progress = quiet

    def __call__(
        self,
        attempts: int,
        response: Any,
        caught_exception: Exception | None,
        operation: Any,
        **_: Any,
    ) -> float | None:
        reason = retry_reason(operation.name, response, caught_exception)
        limit = MAX_CONNECTION_ATTEMPTS if reason == "cannot connect" else MAX_ATTEMPTS
        if reason is None or attempts >= limit:
            return None
        delay = backoff_seconds(attempts)
        self.notice(
            f"  {operation.name}: {reason}, retrying in {delay:.1f}s "
            f"(attempt {attempts + 1} of {limit})"
        )
        return delay


@dataclass
class Connection:
    """A cognito-idp client plus where it points and the running write count."""

    client: CognitoClient
    region: str
    endpoint_url: str | None
    writes: WriteCounter
    backoff: Backoff = field(default_factory=Backoff)


def connect(
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    notice: Progress = quiet,
) -> Connection:
    """A client using the normal boto3 credential and region resolution (AWS's default
    endpoints unless `endpoint_url`); `notice` hears about throttling retries.

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
    if not endpoint_url and not _is_aws_endpoint(client.meta.endpoint_url):
        # AWS_ENDPOINT_URL(_COGNITO_IDENTITY_PROVIDER) or a profile's endpoint_url: the outputs
        # must then point there too, not at AWS.
        endpoint_url = client.meta.endpoint_url.rstrip("/")
    counter = WriteCounter()
    client.meta.events.register("before-call", counter)
    backoff = Backoff(notice)
    client.meta.events.register_first(
        "needs-retry.cognito-identity-provider",
        backoff,  # type: ignore[arg-type]  # the stubs expect None-returning handlers
    )
    return Connection(client, resolved, endpoint_url, counter, backoff)


def _is_aws_endpoint(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws"))


def error_code(exc: BaseException) -> str | None:
    """The Cognito error type of a botocore ClientError, else None."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = exc.response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def input_members(client: CognitoClient, operation: str) -> set[str]:
    """The input member names of an operation, from the service model."""
    return set(client.meta.service_model.operation_model(operation).input_shape.members)
