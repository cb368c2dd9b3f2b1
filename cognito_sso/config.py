"""Configuration of the relying party: validating the ``COGNITO_*`` keys.

Framework-free: :func:`load_config` takes any mapping (a Flask ``app.config`` works) and returns
a frozen :class:`SSOConfig`, or raises :class:`~cognito_sso.errors.ConfigurationError` naming
the offending key. The keys themselves (type, default, meaning) are declared once, in
:mod:`cognito_sso.config_keys`. :func:`load_outputs` turns the provisioning outputs file into
``COGNITO_*`` keys for one service.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypedDict
from urllib.parse import urlsplit

from cognito_sso.config_keys import ADMIN_SCOPE, KEYS, KNOWN_KEYS, ConfigKey, Kind
from cognito_sso.errors import ConfigurationError
from cognito_sso.oidc import ClientSettings
from cognito_sso.outputs import load_outputs
from cognito_sso.permissions import PermissionPolicy
from cognito_sso.urls import origin_of, require_https_or_loopback
from cognito_sso.userpool import PROVIDER_NAME

__all__ = [
    "ADMIN_SCOPE",
    "KNOWN_KEYS",
    "SSOConfig",
    "SessionTimings",
    "UnknownConfigKeyWarning",
    "UnknownGroupWarning",
    "load_config",
    "load_outputs",
]

log = logging.getLogger(__name__)

_POOL_ID = re.compile(r"^(?P<region>[a-z]{2,5}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$")
_CLIENT_ID = re.compile(r"^[\w+]{1,128}$")
_COOKIE_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9_\-.]+)+$")


class UnknownGroupWarning(UserWarning):
    """``COGNITO_PERMISSIONS`` names a group the user pool does not have."""


class SessionTimings(TypedDict):
    """The keyword arguments of :class:`~cognito_sso.session_service.SessionService` that
    come from the configuration."""

    refresh_leeway: float
    check_interval: float
    lock_wait: float


@dataclass(frozen=True)
class SSOConfig:
    """Validated relying-party configuration (built by :func:`load_config`)."""

    issuer: str
    region: str
    user_pool_id: str | None
    client_id: str
    client_secret: str | None = field(repr=False)
    redirect_uri: str
    logout_uri: str
    scopes: tuple[str, ...]
    permissions: PermissionPolicy
    session_store: str | None
    endpoint_url: str
    bearer_client_ids: tuple[str, ...]
    session_check_interval: float
    idle_timeout: float
    absolute_timeout: float
    http_timeout: float
    url_prefix: str
    cookie_name: str
    cookie_secure: bool
    refresh_leeway: float
    clock_leeway: float
    known_groups: frozenset[str] | None
    identity_providers: tuple[str, ...] = ()
    identity_provider: str | None = None
    bearer_revocation_check_interval: float = 0.0

    @property
    def app_origin(self) -> str:
        """``scheme://host[:port]`` of the app, from the configured redirect URI."""
        return origin_of(self.redirect_uri)

    @property
    def global_sign_out(self) -> bool:
        """Whether the requested scopes let the access token call GlobalSignOut."""
        return ADMIN_SCOPE in self.scopes

    @property
    def client_settings(self) -> ClientSettings:
        """The app client and its IdP, as every OIDC client takes them."""
        return ClientSettings(
            issuer=self.issuer,
            client_id=self.client_id,
            client_secret=self.client_secret,
            api_endpoint=self.endpoint_url,
        )

    @property
    def bearer_audiences(self) -> tuple[str, ...]:
        """The app clients whose access tokens a bearer route accepts: this app's and
        ``COGNITO_BEARER_CLIENT_IDS``."""
        return (self.client_id, *self.bearer_client_ids)

    @property
    def session_timings(self) -> SessionTimings:
        """How the session service refreshes and checks sessions, as it takes them."""
        return SessionTimings(
            refresh_leeway=self.refresh_leeway,
            check_interval=self.session_check_interval,
            lock_wait=self.idp_wait,
        )

    @property
    def idp_wait(self) -> float:
        """How long a request waits for another worker's call to the IdP (the refresh lock,
        a revocation check in flight): three HTTP timeouts and a margin."""
        return 3 * self.http_timeout + 5


# --- reading one key by its declared kind -------------------------------------------------

Values = dict[str, Any]
"""Every declared key, read and type-checked (None when unset and without a default)."""


def _string(key: ConfigKey, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f"{key.name} must be a string")
    return value.strip()


def _url(key: ConfigKey, value: object) -> str:
    url = _string(key, value)
    try:
        require_https_or_loopback(url, key.name)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{exc} (got {url!r})") from None
    if urlsplit(url).fragment:
        raise ConfigurationError(f"{key.name} must not contain a fragment")
    return url


def _seconds(key: ConfigKey, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigurationError(f"{key.name} must be a number of seconds")
    try:
        number = float(value)
    except ValueError:
        raise ConfigurationError(f"{key.name} must be a number of seconds") from None
    if not math.isfinite(number):
        raise ConfigurationError(f"{key.name} must be a finite number of seconds")
    if number < 0 or (number == 0 and not key.zero_allowed) or 0 < number < key.minimum:
        raise ConfigurationError(
            f"{key.name} must be at least {key.minimum:g} seconds (got {number:g})"
        )
    return number


def _names(key: ConfigKey, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[object] = list(value.replace(",", " ").split())
    elif isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        items = list(value)
    else:
        raise ConfigurationError(
            f"{key.name} must be a list of strings or a space-separated string"
        )
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise ConfigurationError(f"{key.name} must contain only non-empty strings")
    return tuple(dict.fromkeys(str(item).strip() for item in items))


def _flag(key: ConfigKey, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise ConfigurationError(f"{key.name} must be a boolean")


def _mapping(key: ConfigKey, value: object) -> object:
    return value  # its structure is checked where it is used (the permission policy)


_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})
_READERS: Final[dict[Kind, Callable[[ConfigKey, object], object]]] = {
    "string": _string,
    "url": _url,
    "seconds": _seconds,
    "names": _names,
    "flag": _flag,
    "mapping": _mapping,
}


def read_keys(config: Mapping[str, Any]) -> Values:
    """Every declared key of ``config``, type-checked, with defaults for unset keys
    (``None`` and ``""`` count as unset)."""
    values: Values = {}
    for key in KEYS:
        value = config.get(key.name)
        if value is None or value == "":
            values[key.name] = key.default
        else:
            values[key.name] = _READERS[key.kind](key, value)
    return values


class UnknownConfigKeyWarning(UserWarning):
    """A ``COGNITO_*`` key that the extension does not know (usually a misspelling)."""


def _warn_about_unknown_keys(config: Mapping[str, Any]) -> None:
    for key in sorted(k for k in config if isinstance(k, str) and k.startswith("COGNITO_")):
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.warn(f"{key} is not a cognito-sso setting{hint}", UnknownConfigKeyWarning, 3)


# --- load_config, step by step -------------------------------------------------------------


def load_config(config: Mapping[str, Any]) -> SSOConfig:
    """Validate ``COGNITO_*`` keys and apply defaults; errors name the key."""
    _warn_about_unknown_keys(config)
    values = read_keys(_with_outputs(config))
    issuer, pool_id, region = _pool_and_issuer(values)
    client_id = _client_id(values)
    prefix = _url_prefix(values)
    redirect_uri = _redirect_uri(values, prefix)
    idle, absolute = _lifetimes(values)
    permissions, known_groups = _permissions(values)
    return SSOConfig(
        issuer=issuer,
        region=region,
        user_pool_id=pool_id,
        client_id=client_id,
        client_secret=values["COGNITO_CLIENT_SECRET"] or None,
        redirect_uri=redirect_uri,
        logout_uri=values["COGNITO_LOGOUT_URI"] or _default_logout_uri(redirect_uri, prefix),
        scopes=_scopes(values),
        permissions=permissions,
        session_store=values["COGNITO_SESSION_STORE"] or None,
        endpoint_url=values["COGNITO_ENDPOINT_URL"] or default_endpoint_url(issuer, region),
        bearer_client_ids=_bearer_client_ids(values),
        session_check_interval=values["COGNITO_SESSION_CHECK_INTERVAL"],
        idle_timeout=idle,
        absolute_timeout=absolute,
        http_timeout=values["COGNITO_HTTP_TIMEOUT"],
        url_prefix=prefix,
        cookie_name=_cookie_name(values, client_id),
        cookie_secure=_cookie_secure(values, redirect_uri),
        refresh_leeway=values["COGNITO_REFRESH_LEEWAY"],
        clock_leeway=values["COGNITO_CLOCK_LEEWAY"],
        known_groups=known_groups,
        bearer_revocation_check_interval=values["COGNITO_BEARER_REVOCATION_CHECK_INTERVAL"],
        **_identity_providers(values),
    )


def _identity_providers(values: Values) -> dict[str, Any]:
    """COGNITO_IDENTITY_PROVIDERS and COGNITO_IDENTITY_PROVIDER (one of them, when both set)."""
    providers: tuple[str, ...] = values["COGNITO_IDENTITY_PROVIDERS"] or ()
    default: str | None = values["COGNITO_IDENTITY_PROVIDER"] or None
    for name in (*providers, *([default] if default else [])):
        if not PROVIDER_NAME.fullmatch(name):
            raise ConfigurationError(f"{name!r} is not an identity provider name")
    if default and providers and default not in providers:
        raise ConfigurationError(
            f"COGNITO_IDENTITY_PROVIDER {default!r} is not one of COGNITO_IDENTITY_PROVIDERS "
            f"{list(providers)}"
        )
    return {"identity_providers": providers, "identity_provider": default}


def _with_outputs(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """``config`` over the keys of ``COGNITO_OUTPUTS_FILE`` for ``COGNITO_SERVICE``."""
    if not config.get("COGNITO_OUTPUTS_FILE"):
        return config
    service = config.get("COGNITO_SERVICE")
    if not service or not isinstance(service, str):
        raise ConfigurationError("COGNITO_SERVICE is required with COGNITO_OUTPUTS_FILE")
    merged = dict(load_outputs(str(config["COGNITO_OUTPUTS_FILE"]), service.strip()))
    merged.update({k: v for k, v in config.items() if v is not None and v != ""})
    return merged


def _client_id(values: Values) -> str:
    client_id: str | None = values["COGNITO_CLIENT_ID"]
    if not client_id:
        raise ConfigurationError("COGNITO_CLIENT_ID is required")
    if not _CLIENT_ID.match(client_id):
        raise ConfigurationError("COGNITO_CLIENT_ID has an invalid format")
    return client_id


def _url_prefix(values: Values) -> str:
    prefix = str(values["COGNITO_URL_PREFIX"] or "/auth").rstrip("/")
    if not _PREFIX.match(prefix):
        raise ConfigurationError(f"COGNITO_URL_PREFIX {prefix!r} must look like '/auth'")
    return prefix


def _redirect_uri(values: Values, prefix: str) -> str:
    redirect_uri: str | None = values["COGNITO_REDIRECT_URI"]
    if not redirect_uri:
        raise ConfigurationError("COGNITO_REDIRECT_URI is required")
    if urlsplit(redirect_uri).query:
        raise ConfigurationError("COGNITO_REDIRECT_URI must not contain a query string")
    expected_path = f"{prefix}/callback"
    if not urlsplit(redirect_uri).path.endswith(expected_path):
        warnings.warn(
            f"COGNITO_REDIRECT_URI path does not end with {expected_path!r}; the callback "
            "route will not receive the sign-in response unless a proxy rewrites the path",
            UserWarning,
            stacklevel=3,
        )
    return redirect_uri


def _default_logout_uri(redirect_uri: str, prefix: str) -> str:
    # Same scheme://host[:port] as written in the redirect URI: Cognito compares sign-out
    # URLs with the registered ones as strings.
    parts = urlsplit(redirect_uri)
    base_path = parts.path[: -len("/callback")] if parts.path.endswith("/callback") else prefix
    return f"{parts.scheme}://{parts.netloc}{base_path}/logged-out"


def _scopes(values: Values) -> tuple[str, ...]:
    scopes: tuple[str, ...] = values["COGNITO_SCOPES"]
    if "openid" not in scopes:
        raise ConfigurationError("COGNITO_SCOPES must include 'openid' (the ID token is needed)")
    return scopes


def _bearer_client_ids(values: Values) -> tuple[str, ...]:
    client_ids: tuple[str, ...] = values["COGNITO_BEARER_CLIENT_IDS"] or ()
    for extra in client_ids:
        if not _CLIENT_ID.match(extra):
            raise ConfigurationError(f"COGNITO_BEARER_CLIENT_IDS has an invalid entry {extra!r}")
    return client_ids


def _lifetimes(values: Values) -> tuple[float, float]:
    idle: float = values["COGNITO_SESSION_IDLE_TIMEOUT"]
    absolute: float = values["COGNITO_SESSION_ABSOLUTE_TIMEOUT"]
    if idle > absolute:
        raise ConfigurationError(
            "COGNITO_SESSION_IDLE_TIMEOUT must not exceed COGNITO_SESSION_ABSOLUTE_TIMEOUT"
        )
    return idle, absolute


def _cookie_name(values: Values, client_id: str) -> str:
    cookie_name: str = values["COGNITO_COOKIE_NAME"] or default_cookie_name(client_id)
    if not _COOKIE_NAME.match(cookie_name):
        raise ConfigurationError("COGNITO_COOKIE_NAME may contain only letters, digits, _ and -")
    return cookie_name


def _cookie_secure(values: Values, redirect_uri: str) -> bool:
    https = urlsplit(redirect_uri).scheme == "https"
    secure: bool | None = values["COGNITO_COOKIE_SECURE"]
    if secure is None:
        return https
    if not secure and https:
        raise ConfigurationError("COGNITO_COOKIE_SECURE cannot be false for an https app")
    return secure


def _permissions(values: Values) -> tuple[PermissionPolicy, frozenset[str] | None]:
    try:
        permissions = PermissionPolicy(values["COGNITO_PERMISSIONS"] or {})
    except ConfigurationError as exc:
        raise ConfigurationError(f"COGNITO_PERMISSIONS: {exc}") from None
    groups = values["COGNITO_GROUPS"]
    known_groups = frozenset(groups) if groups else None
    if known_groups is not None:
        unknown = sorted(permissions.unknown_groups(known_groups))
        if unknown:
            log.warning("COGNITO_PERMISSIONS names unknown groups: %s", unknown)
            warnings.warn(
                f"COGNITO_PERMISSIONS names groups the user pool does not have: {unknown}",
                UnknownGroupWarning,
                stacklevel=3,
            )
    return permissions, known_groups


def _pool_and_issuer(values: Values) -> tuple[str, str | None, str]:
    """Return (issuer, pool id, region) from COGNITO_ISSUER or COGNITO_REGION + pool id."""
    issuer: str | None = values["COGNITO_ISSUER"]
    pool_id: str | None = values["COGNITO_USER_POOL_ID"]
    region: str | None = values["COGNITO_REGION"]
    if pool_id is not None and not _POOL_ID.match(pool_id):
        raise ConfigurationError(
            f"COGNITO_USER_POOL_ID {pool_id!r} is not a user pool id like 'eu-west-1_AbC123def'"
        )
    if issuer:
        issuer = issuer.rstrip("/")
        last = urlsplit(issuer).path.rsplit("/", 1)[-1]
        if pool_id is None and _POOL_ID.match(last):
            pool_id = last
        elif pool_id is not None and last != pool_id:
            raise ConfigurationError(
                f"COGNITO_ISSUER {issuer!r} does not end with COGNITO_USER_POOL_ID {pool_id!r}"
            )
    elif pool_id is None:
        raise ConfigurationError(
            "COGNITO_ISSUER (or COGNITO_USER_POOL_ID, optionally with COGNITO_REGION) is required"
        )
    if region is None:
        match = _POOL_ID.match(pool_id) if pool_id else None
        if match is None:
            raise ConfigurationError(
                "COGNITO_REGION is required when the issuer does not end with a user pool id"
            )
        region = match.group("region")
    if not re.fullmatch(r"[a-z]{2,5}(-[a-z]+)+-\d+", region):
        raise ConfigurationError(f"COGNITO_REGION {region!r} is not an AWS region name")
    if not issuer:
        issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    return issuer, pool_id, region


def default_endpoint_url(issuer: str, region: str) -> str:
    """The cognito-idp JSON API for an issuer: the issuer's own origin (the regional
    ``cognito-idp`` host, or a local IdP's base URL), except for the ``issuer-cognito-idp``
    issuer format whose API still lives on the regional ``cognito-idp`` host."""
    host = urlsplit(issuer).hostname or ""
    if host.startswith("issuer-cognito-idp."):
        return f"https://cognito-idp.{region}.amazonaws.com/"
    return origin_of(issuer) + "/"


def default_cookie_name(client_id: str) -> str:
    """A cookie name unique per app client, so two services on one host never collide."""
    return "cognito_sso_" + hashlib.sha256(client_id.encode()).hexdigest()[:12]
