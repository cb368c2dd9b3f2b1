"""Configuration of the relying party: the ``COGNITO_*`` keys, their validation and defaults.

Framework-free: :func:`load_config` takes any mapping (a Flask ``app.config`` works) and returns
a frozen :class:`SSOConfig`, or raises :class:`~cognito_sso.errors.ConfigurationError` naming
the offending key. :func:`load_outputs` turns the provisioning outputs file into ``COGNITO_*``
keys for one service.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from cognito_sso.errors import ConfigurationError
from cognito_sso.outputs import load_outputs
from cognito_sso.permissions import PermissionPolicy
from cognito_sso.urls import origin_of, require_https_or_loopback

__all__ = [
    "ADMIN_SCOPE",
    "DEFAULTS",
    "KNOWN_KEYS",
    "SSOConfig",
    "UnknownConfigKeyWarning",
    "UnknownGroupWarning",
    "load_config",
    "load_outputs",
]

ADMIN_SCOPE: Final = "aws.cognito.signin.user.admin"
"""Scope an access token needs for GlobalSignOut / GetUser (single sign-out across services)."""

DEFAULTS: Final[Mapping[str, Any]] = {
    "COGNITO_SCOPES": ("openid", "email", "profile", ADMIN_SCOPE),
    "COGNITO_SESSION_CHECK_INTERVAL": 60.0,
    "COGNITO_SESSION_IDLE_TIMEOUT": 8 * 3600.0,
    "COGNITO_SESSION_ABSOLUTE_TIMEOUT": 7 * 24 * 3600.0,
    "COGNITO_HTTP_TIMEOUT": 5.0,
    "COGNITO_URL_PREFIX": "/auth",
    "COGNITO_REFRESH_LEEWAY": 60.0,
    "COGNITO_CLOCK_LEEWAY": 60.0,
}

log = logging.getLogger(__name__)

_POOL_ID = re.compile(r"^(?P<region>[a-z]{2,5}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$")
_CLIENT_ID = re.compile(r"^[\w+]{1,128}$")
_COOKIE_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9_\-.]+)+$")


class UnknownGroupWarning(UserWarning):
    """``COGNITO_PERMISSIONS`` names a group the user pool does not have."""


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

    @property
    def app_origin(self) -> str:
        """``scheme://host[:port]`` of the app, from the configured redirect URI."""
        return origin_of(self.redirect_uri)

    @property
    def global_sign_out(self) -> bool:
        """Whether the requested scopes let the access token call GlobalSignOut."""
        return ADMIN_SCOPE in self.scopes


def _get(config: Mapping[str, Any], key: str) -> Any:
    value = config.get(key)
    if value is None or value == "":
        return DEFAULTS.get(key)
    return value


def _string(config: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = _get(config, key)
    if value is None:
        if required:
            raise ConfigurationError(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{key} must be a string")
    return value.strip()


def _number(config: Mapping[str, Any], key: str, *, minimum: float, allow_zero: bool) -> float:
    value = _get(config, key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigurationError(f"{key} must be a number of seconds")
    try:
        number = float(value)
    except ValueError:
        raise ConfigurationError(f"{key} must be a number of seconds") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ConfigurationError(f"{key} must be a finite number of seconds")
    if (number == 0 and not allow_zero) or (number != 0 and number < minimum) or number < 0:
        raise ConfigurationError(f"{key} must be at least {minimum:g} seconds (got {number:g})")
    return number


def _string_list(config: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = _get(config, key)
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        items = list(value)
    else:
        raise ConfigurationError(f"{key} must be a list of strings or a space-separated string")
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise ConfigurationError(f"{key} must contain only non-empty strings")
    return tuple(dict.fromkeys(item.strip() for item in items))


def _url(value: str, key: str) -> str:
    try:
        require_https_or_loopback(value, key)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{exc} (got {value!r})") from None
    if urlsplit(value).fragment:
        raise ConfigurationError(f"{key} must not contain a fragment")
    return value


def _permissions(config: Mapping[str, Any]) -> PermissionPolicy:
    key = "COGNITO_PERMISSIONS"
    try:
        return PermissionPolicy(config.get(key) or {})
    except ConfigurationError as exc:
        raise ConfigurationError(f"{key}: {exc}") from None


def _bool(config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no"):
        return value.lower() in ("1", "true", "yes", "on")
    raise ConfigurationError(f"{key} must be a boolean")


def _pool_and_issuer(config: Mapping[str, Any]) -> tuple[str, str | None, str]:
    """Return (issuer, pool id, region) from COGNITO_ISSUER or COGNITO_REGION + pool id."""
    issuer = _string(config, "COGNITO_ISSUER")
    pool_id = _string(config, "COGNITO_USER_POOL_ID")
    region = _string(config, "COGNITO_REGION")
    if pool_id is not None and not _POOL_ID.match(pool_id):
        raise ConfigurationError(
            f"COGNITO_USER_POOL_ID {pool_id!r} is not a user pool id like 'eu-west-1_AbC123def'"
        )
    if issuer:
        issuer = issuer.rstrip("/")
        _url(issuer, "COGNITO_ISSUER")
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


KNOWN_KEYS = frozenset(
    {
        "COGNITO_BEARER_CLIENT_IDS",
        "COGNITO_CLIENT_ID",
        "COGNITO_CLIENT_SECRET",
        "COGNITO_CLOCK_LEEWAY",
        "COGNITO_COOKIE_NAME",
        "COGNITO_COOKIE_SECURE",
        "COGNITO_ENDPOINT_URL",
        "COGNITO_GROUPS",
        "COGNITO_HTTP_TIMEOUT",
        "COGNITO_ISSUER",
        "COGNITO_LOGOUT_URI",
        "COGNITO_OUTPUTS_FILE",
        "COGNITO_PERMISSIONS",
        "COGNITO_REDIRECT_URI",
        "COGNITO_REFRESH_LEEWAY",
        "COGNITO_REGION",
        "COGNITO_SCOPES",
        "COGNITO_SERVICE",
        "COGNITO_SESSION_ABSOLUTE_TIMEOUT",
        "COGNITO_SESSION_CHECK_INTERVAL",
        "COGNITO_SESSION_IDLE_TIMEOUT",
        "COGNITO_SESSION_STORE",
        "COGNITO_URL_PREFIX",
        "COGNITO_USER_POOL_ID",
    }
)


class UnknownConfigKeyWarning(UserWarning):
    """A ``COGNITO_*`` key that the extension does not know (usually a misspelling)."""


def _warn_about_unknown_keys(config: Mapping[str, Any]) -> None:
    for key in sorted(k for k in config if isinstance(k, str) and k.startswith("COGNITO_")):
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.warn(f"{key} is not a cognito-sso setting{hint}", UnknownConfigKeyWarning, 3)


def load_config(config: Mapping[str, Any]) -> SSOConfig:
    """Validate ``COGNITO_*`` keys and apply defaults; errors name the key."""
    _warn_about_unknown_keys(config)
    if config.get("COGNITO_OUTPUTS_FILE"):
        service = _string(config, "COGNITO_SERVICE", required=True)
        merged = dict(load_outputs(str(config["COGNITO_OUTPUTS_FILE"]), str(service)))
        merged.update({k: v for k, v in config.items() if v is not None and v != ""})
        config = merged

    issuer, pool_id, region = _pool_and_issuer(config)

    client_id = _string(config, "COGNITO_CLIENT_ID", required=True)
    assert client_id is not None
    if not _CLIENT_ID.match(client_id):
        raise ConfigurationError("COGNITO_CLIENT_ID has an invalid format")
    client_secret = _string(config, "COGNITO_CLIENT_SECRET") or None

    prefix = _string(config, "COGNITO_URL_PREFIX") or "/auth"
    prefix = prefix.rstrip("/")
    if not _PREFIX.match(prefix):
        raise ConfigurationError(f"COGNITO_URL_PREFIX {prefix!r} must look like '/auth'")

    redirect_uri = _string(config, "COGNITO_REDIRECT_URI", required=True)
    assert redirect_uri is not None
    _url(redirect_uri, "COGNITO_REDIRECT_URI")
    if urlsplit(redirect_uri).query:
        raise ConfigurationError("COGNITO_REDIRECT_URI must not contain a query string")
    expected_path = f"{prefix}/callback"
    if not urlsplit(redirect_uri).path.endswith(expected_path):
        warnings.warn(
            f"COGNITO_REDIRECT_URI path does not end with {expected_path!r}; the callback "
            "route will not receive the sign-in response unless a proxy rewrites the path",
            UserWarning,
            stacklevel=2,
        )

    logout_uri = _string(config, "COGNITO_LOGOUT_URI")
    if logout_uri:
        _url(logout_uri, "COGNITO_LOGOUT_URI")
    else:
        # Same scheme://host[:port] as written in the redirect URI: Cognito compares
        # sign-out URLs with the registered ones as strings.
        parts = urlsplit(redirect_uri)
        base_path = parts.path[: -len("/callback")] if parts.path.endswith("/callback") else prefix
        logout_uri = f"{parts.scheme}://{parts.netloc}{base_path}/logged-out"

    scopes = _string_list(config, "COGNITO_SCOPES")
    if "openid" not in scopes:
        raise ConfigurationError("COGNITO_SCOPES must include 'openid' (the ID token is needed)")

    endpoint_url = _string(config, "COGNITO_ENDPOINT_URL")
    if endpoint_url:
        _url(endpoint_url, "COGNITO_ENDPOINT_URL")
    else:
        endpoint_url = default_endpoint_url(issuer, region)

    bearer_client_ids = _string_list(config, "COGNITO_BEARER_CLIENT_IDS")
    for extra in bearer_client_ids:
        if not _CLIENT_ID.match(extra):
            raise ConfigurationError(f"COGNITO_BEARER_CLIENT_IDS has an invalid entry {extra!r}")

    idle = _number(config, "COGNITO_SESSION_IDLE_TIMEOUT", minimum=60, allow_zero=False)
    absolute = _number(config, "COGNITO_SESSION_ABSOLUTE_TIMEOUT", minimum=60, allow_zero=False)
    if idle > absolute:
        raise ConfigurationError(
            "COGNITO_SESSION_IDLE_TIMEOUT must not exceed COGNITO_SESSION_ABSOLUTE_TIMEOUT"
        )

    cookie_name = _string(config, "COGNITO_COOKIE_NAME") or default_cookie_name(client_id)
    if not _COOKIE_NAME.match(cookie_name):
        raise ConfigurationError("COGNITO_COOKIE_NAME may contain only letters, digits, _ and -")
    secure_default = urlsplit(redirect_uri).scheme == "https"
    cookie_secure = _bool(config, "COGNITO_COOKIE_SECURE", secure_default)
    if not cookie_secure and urlsplit(redirect_uri).scheme == "https":
        raise ConfigurationError("COGNITO_COOKIE_SECURE cannot be false for an https app")

    store = _string(config, "COGNITO_SESSION_STORE")
    known = config.get("COGNITO_GROUPS")
    known_groups = frozenset(_string_list(config, "COGNITO_GROUPS")) if known else None
    permissions = _permissions(config)
    if known_groups is not None:
        unknown = sorted(permissions.unknown_groups(known_groups))
        if unknown:
            log.warning("COGNITO_PERMISSIONS names unknown groups: %s", unknown)
            warnings.warn(
                f"COGNITO_PERMISSIONS names groups the user pool does not have: {unknown}",
                UnknownGroupWarning,
                stacklevel=2,
            )

    return SSOConfig(
        issuer=issuer,
        region=region,
        user_pool_id=pool_id,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        logout_uri=logout_uri,
        scopes=scopes,
        permissions=permissions,
        session_store=store or None,
        endpoint_url=endpoint_url,
        bearer_client_ids=bearer_client_ids,
        session_check_interval=_number(
            config, "COGNITO_SESSION_CHECK_INTERVAL", minimum=0, allow_zero=True
        ),
        idle_timeout=idle,
        absolute_timeout=absolute,
        http_timeout=_number(config, "COGNITO_HTTP_TIMEOUT", minimum=0.1, allow_zero=False),
        url_prefix=prefix,
        cookie_name=cookie_name,
        cookie_secure=cookie_secure,
        refresh_leeway=_number(config, "COGNITO_REFRESH_LEEWAY", minimum=0, allow_zero=True),
        clock_leeway=_number(config, "COGNITO_CLOCK_LEEWAY", minimum=0, allow_zero=True),
        known_groups=known_groups,
    )
