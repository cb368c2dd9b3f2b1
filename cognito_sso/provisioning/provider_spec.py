"""`[identity_providers.NAME]` of the pool spec: OIDC, SAML and Google providers (issue 18).

A provider's client secret is never in the spec: `client_secret_env` names the environment
variable that holds it, read only when a plan or apply talks to Cognito.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cognito_sso.errors import ConfigurationError
from cognito_sso.provisioning.spec_reader import TableReader
from cognito_sso.urls import require_https_or_loopback
from cognito_sso.userpool import STANDARD_ATTRIBUTES, provider_name_problem

PROVIDER_TYPES = ("oidc", "saml", "google")
API_TYPES = {"oidc": "OIDC", "saml": "SAML", "google": "Google"}
DEFAULT_SCOPES = {"oidc": ("openid",), "google": ("openid", "email", "profile")}
_ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_IDENTIFIER = r"[\w\s+=.@-]{1,40}"
MAX_METADATA_CHARS = 131072  # ProviderDetails values in the API model


@dataclass(frozen=True)
class IdentityProviderSpec:
    """One identity provider the pool federates to; `remove` deletes it from the pool."""

    name: str
    type: str = ""  # oidc | saml | google ("" when removed)
    client_id: str | None = None
    client_secret_env: str | None = None
    issuer: str | None = None
    scopes: tuple[str, ...] = ()
    attributes_request_method: str = "GET"
    metadata_url: str | None = None
    metadata: str | None = None  # the text of `metadata_file`
    idp_sign_out: bool = False
    attribute_mapping: Mapping[str, str] = field(default_factory=dict)
    identifiers: tuple[str, ...] = ()
    remove: bool = False

    @property
    def api_type(self) -> str:
        """The ProviderType Cognito knows it by."""
        return API_TYPES[self.type]


def read_identity_provider(name: str, t: TableReader, base_dir: Path) -> IdentityProviderSpec:
    """Validate one `[identity_providers.NAME]` table (problems recorded in `t`)."""
    if t.boolean("remove", default=False):
        t.close()
        return IdentityProviderSpec(name, remove=True)
    kind = t.string("type", required=True, choices=PROVIDER_TYPES) or ""
    if t.has("client_secret"):
        t.problem(
            "client_secret",
            "a secret never goes in the spec: set client_secret_env to the name of the "
            "environment variable that holds it",
        )
    if kind:
        problem = provider_name_problem(name, API_TYPES[kind])
        if problem:
            t.problem("", problem)
    provider = IdentityProviderSpec(
        name=name,
        type=kind,
        attribute_mapping=_attribute_mapping(t),
        identifiers=t.strings("identifiers", max_items=50) or (),
    )
    if kind:
        provider = _READERS[kind](t, base_dir, provider)
    for i, identifier in enumerate(provider.identifiers):
        if not re.fullmatch(_IDENTIFIER, identifier):
            t.problem(f"identifiers[{i}]", "must be 1-40 letters, digits, spaces or +=.@-")
    t.close()
    return provider


def _read_google(t: TableReader, _: Path, base: IdentityProviderSpec) -> IdentityProviderSpec:
    """The OAuth client at the provider (Google's, or the OIDC provider's)."""
    scopes = t.strings("scopes", default=DEFAULT_SCOPES[base.type]) or ()
    if "openid" not in scopes:
        t.problem("scopes", "must include openid")
    return replace(
        base,
        client_id=t.string("client_id", required=True, min_len=1, max_len=2048),
        client_secret_env=t.string("client_secret_env", required=True, pattern=_ENV_NAME),
        scopes=scopes,
    )


def _read_oidc(t: TableReader, base_dir: Path, base: IdentityProviderSpec) -> IdentityProviderSpec:
    issuer = t.string("issuer", required=True)
    if issuer is not None:
        try:
            require_https_or_loopback(issuer, "issuer")
        except ConfigurationError as exc:
            t.problem("issuer", str(exc))
    method = t.string("attributes_request_method", default="GET", choices=("GET", "POST"))
    return replace(
        _read_google(t, base_dir, base), issuer=issuer, attributes_request_method=method or "GET"
    )


def _read_saml(t: TableReader, base_dir: Path, base: IdentityProviderSpec) -> IdentityProviderSpec:
    url = t.string("metadata_url")
    path = t.string("metadata_file")
    if (url is None) == (path is None):
        t.problem("", "needs exactly one of metadata_url or metadata_file")
    if url is not None:
        try:
            require_https_or_loopback(url, "metadata_url")
        except ConfigurationError as exc:
            t.problem("metadata_url", str(exc))
    metadata = None
    if path is not None:
        try:
            metadata = (base_dir / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            t.problem("metadata_file", f"cannot read {base_dir / path}: {exc}")
        if metadata is not None and len(metadata) > MAX_METADATA_CHARS:
            t.problem("metadata_file", f"is longer than {MAX_METADATA_CHARS} characters")
    return replace(
        base,
        metadata_url=url,
        metadata=metadata,
        idp_sign_out=t.boolean("idp_sign_out", default=False),
    )


_READERS = {"oidc": _read_oidc, "saml": _read_saml, "google": _read_google}


def _attribute_mapping(t: TableReader) -> dict[str, str]:
    mapping = t.string_map("attribute_mapping")
    for attribute, claim in mapping.items():
        known = attribute in STANDARD_ATTRIBUTES or attribute == "username"
        if not (known or re.fullmatch(r"custom:[\w.-]{1,20}", attribute)):
            t.problem(
                f"attribute_mapping.{attribute}",
                "is not a user pool attribute (a standard attribute, username or custom:NAME)",
            )
        if not claim:
            t.problem(f"attribute_mapping.{attribute}", "names no provider attribute")
    return mapping
