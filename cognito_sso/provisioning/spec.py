"""The pool spec: TOML file -> validated, immutable dataclasses.

`load_spec(path)` parses and validates a spec and raises `SpecError` listing every problem
(with the dotted spec key it concerns) before any API call is made.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cognito_sso.provisioning.provider_spec import IdentityProviderSpec, read_identity_provider
from cognito_sso.provisioning.spec_reader import Problem, TableReader
from cognito_sso.urls import redirect_url_problem
from cognito_sso.userpool import (
    COGNITO_PROVIDER,
    STANDARD_ATTRIBUTES,
    VERIFICATION_ATTRIBUTES,
    PasswordPolicy,
)

__all__ = [
    "ClientSpec",
    "DeviceSpec",
    "Duration",
    "EmailSpec",
    "GroupSpec",
    "IdentityProviderSpec",
    "InviteSpec",
    "MfaSpec",
    "PasswordPolicy",
    "PoolSpec",
    "Problem",
    "SmsSpec",
    "Spec",
    "SpecError",
    "UserSpec",
    "VerificationSpec",
    "load_spec",
    "parse_spec",
]

CLIENT_ATTRIBUTES = (*STANDARD_ATTRIBUTES, *VERIFICATION_ATTRIBUTES)
AUTH_FLOWS = (
    "ALLOW_USER_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
)
OAUTH_FLOWS = ("code", "implicit", "client_credentials")
RECOVERY_MECHANISMS = ("verified_email", "verified_phone_number", "admin_only")
DEVICE_MODES = ("off", "always", "user_opt_in")
MFA_MODES = ("off", "optional", "on")
EMAIL_ACCOUNTS = ("COGNITO_DEFAULT", "DEVELOPER")
ISSUER_FORMATS = ("original", "updated")

_UNITS = {"s": ("seconds", 1), "m": ("minutes", 60), "h": ("hours", 3600), "d": ("days", 86400)}
_UNIT_BY_NAME = {name: (letter, secs) for letter, (name, secs) in _UNITS.items()}
_DURATION_RE = re.compile(r"(\d+)([smhd])")
# Cognito's ranges for token validity and the rotation grace period (reference 3.4), in seconds.
DURATION_RANGES = {
    "access_token_validity": (5 * 60, 86400),
    "id_token_validity": (5 * 60, 86400),
    "refresh_token_validity": (60 * 60, 3650 * 86400),
    "refresh_token_grace_period": (0, 60),
}
_DOMAIN_RE = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_NAME_RE = r"[\w\s+=,.@-]+"
_LINK_PLACEHOLDER = re.compile(r"\{##[^{}#]+##\}")


# Cognito lets plain http through only for these loopback hosts (reference 5.2).
class SpecError(Exception):
    """The spec is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Duration:
    """A token validity: an amount in one of Cognito's units."""

    value: int
    unit: str  # "seconds" | "minutes" | "hours" | "days"

    @property
    def seconds(self) -> int:
        """The duration in seconds."""
        return self.value * _UNIT_BY_NAME[self.unit][1]

    @classmethod
    def parse(cls, text: str) -> Duration | None:
        """Parse "30d", "5m", "1h", "3600s"; None when malformed."""
        match = _DURATION_RE.fullmatch(text)
        if match is None:
            return None
        return cls(int(match.group(1)), _UNITS[match.group(2)][0])

    def normalized(self) -> str:
        """Canonical text form (largest whole unit), e.g. 300 seconds -> "5m"."""
        secs = self.seconds
        for letter in ("d", "h", "m"):
            size = _UNITS[letter][1]
            if secs and secs % size == 0:
                return f"{secs // size}{letter}"
        return f"{secs}s"

    def __str__(self) -> str:
        return self.normalized()


@dataclass(frozen=True)
class InviteSpec:
    """`[pool.invitation]`: the AdminCreateUser invitation message."""

    email_subject: str | None = None
    email_message: str | None = None
    sms_message: str | None = None


@dataclass(frozen=True)
class MfaSpec:
    """`[pool.mfa]`."""

    mode: str = "off"  # off | optional | on
    totp: bool = False
    sms: bool = False
    sms_message: str | None = None


@dataclass(frozen=True)
class SmsSpec:
    """`[pool.sms]`: the IAM role Cognito uses to send SMS."""

    role_arn: str
    external_id: str | None = None


@dataclass(frozen=True)
class EmailSpec:
    """`[pool.email]`."""

    sending_account: str = "COGNITO_DEFAULT"
    source_arn: str | None = None
    from_address: str | None = None
    reply_to: str | None = None
    configuration_set: str | None = None


@dataclass(frozen=True)
class VerificationSpec:
    """`[pool.verification]`: the message sent to verify an e-mail address."""

    default_option: str = "code"  # code | link
    email_subject: str | None = None
    email_message: str | None = None


@dataclass(frozen=True)
class DeviceSpec:
    """`[pool.devices]`."""

    remember: str = "off"  # off | always | user_opt_in
    challenge_required_on_new_device: bool = False


@dataclass(frozen=True)
class PoolSpec:
    """`[pool]`: the user pool itself."""

    name: str
    username_attributes: tuple[str, ...] = ()
    case_sensitive: bool = True
    required_attributes: tuple[str, ...] = ()
    auto_verified_attributes: tuple[str, ...] = ()
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    admin_only: bool = False
    invitation: InviteSpec = field(default_factory=InviteSpec)
    mfa: MfaSpec = field(default_factory=MfaSpec)
    sms: SmsSpec | None = None
    account_recovery: tuple[str, ...] = ()
    email: EmailSpec = field(default_factory=EmailSpec)
    verification: VerificationSpec = field(default_factory=VerificationSpec)
    tags: Mapping[str, str] = field(default_factory=dict)
    devices: DeviceSpec = field(default_factory=DeviceSpec)
    deletion_protection: bool = False
    issuer_format: str | None = None  # original | updated; None: not managed (Cognito: original)


@dataclass(frozen=True)
class GroupSpec:
    """`[groups.<name>]`."""

    name: str
    description: str | None = None
    precedence: int | None = None


@dataclass(frozen=True)
class ClientSpec:
    """`[clients.<name>]`: one app client per service; the name is the service name."""

    name: str
    generate_secret: bool = True
    refresh_token_validity: Duration = Duration(30, "days")
    access_token_validity: Duration = Duration(1, "hours")
    id_token_validity: Duration = Duration(1, "hours")
    auth_flows: tuple[str, ...] = ("ALLOW_REFRESH_TOKEN_AUTH",)
    prevent_user_existence_errors: bool = True
    enable_token_revocation: bool = True
    read_attributes: tuple[str, ...] | None = None
    write_attributes: tuple[str, ...] | None = None
    callback_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    oauth_flows: tuple[str, ...] = ()
    oauth_scopes: tuple[str, ...] = ()
    identity_providers: tuple[str, ...] = ("COGNITO",)
    refresh_token_rotation: bool = False
    refresh_token_grace_period: Duration = Duration(0, "seconds")


@dataclass(frozen=True)
class UserSpec:
    """`[users.<key>]`: a user invited by an administrator."""

    key: str
    email: str
    name: str | None = None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """A whole validated pool spec."""

    pool: PoolSpec
    domain_prefix: str | None = None
    groups: tuple[GroupSpec, ...] = ()
    clients: tuple[ClientSpec, ...] = ()
    users: tuple[UserSpec, ...] = ()
    identity_providers: tuple[IdentityProviderSpec, ...] = ()


# ---------------------------------------------------------------------------------------
def load_spec(path: str | Path) -> Spec:
    """Read and validate a TOML spec file; raises `SpecError` (all problems at once)."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError([Problem("(file)", f"cannot read {source}: {exc.strerror}")]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([Problem("(file)", f"not valid TOML: {exc}")]) from exc
    return parse_spec(data, base_dir=source.parent)


def parse_spec(data: Mapping[str, Any], *, base_dir: str | Path = ".") -> Spec:
    """Validate an already-parsed spec document; raises `SpecError`. Files the spec names
    (SAML `metadata_file`) are relative to `base_dir` (`load_spec`: the spec's folder)."""
    problems: list[Problem] = []
    root = TableReader(data, "", problems)
    pool = _read_pool(root.table("pool", required=True))
    domain = _read_domain(root.table("domain"))
    groups = tuple(_read_group(name, t) for name, t in root.tables("groups").items())
    clients = tuple(_read_client(name, t) for name, t in root.tables("clients").items())
    users = tuple(_read_user(key, t) for key, t in root.tables("users").items())
    providers = tuple(
        read_identity_provider(name, t, Path(base_dir))
        for name, t in root.tables("identity_providers").items()
    )
    root.close()
    spec = Spec(pool, domain, groups, clients, users, providers)
    _cross_checks(root, spec)
    if problems:
        raise SpecError(problems)
    return spec


# -- pool --------------------------------------------------------------------------------
def _read_pool(t: TableReader) -> PoolSpec:
    name = t.string("name", required=True, min_len=1, max_len=128, pattern=_NAME_RE) or "?"
    sign_in = t.table("sign_in")
    username_attributes = sign_in.strings("username_attributes", choices=("email", "phone_number"))
    case_sensitive = sign_in.boolean("case_sensitive", default=True)
    sign_in.close()

    attrs = t.table("attributes")
    required = attrs.strings("required", choices=STANDARD_ATTRIBUTES)
    auto_verified = attrs.strings("auto_verified", choices=("email", "phone_number"))
    attrs.close()

    pp = t.table("password_policy")
    policy = PasswordPolicy(
        minimum_length=pp.integer("minimum_length", default=8, minimum=6, maximum=99),
        require_uppercase=pp.boolean("require_uppercase", default=True),
        require_lowercase=pp.boolean("require_lowercase", default=True),
        require_numbers=pp.boolean("require_numbers", default=True),
        require_symbols=pp.boolean("require_symbols", default=True),
        temporary_password_validity_days=pp.integer(
            "temporary_password_validity_days", default=7, minimum=1, maximum=365
        ),
    )
    pp.close()

    admin_only = t.boolean("admin_create_user_only", default=False)
    invitation = _read_invitation(t.table("invitation"))
    mfa = _read_mfa(t.table("mfa"))
    sms = _read_sms(t.table("sms")) if t.has("sms") else None
    recovery_t = t.table("account_recovery")
    recovery = recovery_t.strings("mechanisms", choices=RECOVERY_MECHANISMS)
    recovery_t.close()
    if recovery is not None:
        if len(recovery) > 2:
            recovery_t.problem("mechanisms", "at most two mechanisms")
        if "admin_only" in recovery and len(recovery) > 1:
            recovery_t.problem("mechanisms", "admin_only cannot be combined with others")
    email = _read_email(t.table("email"))
    verification = _read_verification(t.table("verification"))
    tags = t.string_map("tags")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            t.problem(f"tags.{key}", "tag keys must be 1-128 characters")
        if len(value) > 256:
            t.problem(f"tags.{key}", "tag values must be at most 256 characters")
    dev = t.table("devices")
    devices = DeviceSpec(
        remember=dev.string("remember", default="off", choices=DEVICE_MODES) or "off",
        challenge_required_on_new_device=dev.boolean(
            "challenge_required_on_new_device", default=False
        ),
    )
    dev.close()
    deletion_protection = t.boolean("deletion_protection", default=False)
    issuer_format = t.string("issuer_format", choices=ISSUER_FORMATS)
    t.close()

    pool = PoolSpec(
        name=name,
        username_attributes=username_attributes or (),
        case_sensitive=case_sensitive,
        required_attributes=required or (),
        auto_verified_attributes=auto_verified or (),
        password_policy=policy,
        admin_only=admin_only,
        invitation=invitation,
        mfa=mfa,
        sms=sms,
        account_recovery=recovery or (),
        email=email,
        verification=verification,
        tags=tags,
        devices=devices,
        deletion_protection=deletion_protection,
        issuer_format=issuer_format,
    )
    _pool_rules(t, pool)
    return pool


def _read_invitation(t: TableReader) -> InviteSpec:
    subject = t.string("email_subject", min_len=1, max_len=140)
    message = t.string("email_message", min_len=6, max_len=20000)
    sms = t.string("sms_message", min_len=6, max_len=140)
    for name, text in (("email_message", message), ("sms_message", sms)):
        if text is not None:
            for placeholder in ("{username}", "{####}"):
                if placeholder not in text:
                    t.problem(name, f"must contain the placeholder {placeholder}")
    t.close()
    return InviteSpec(subject, message, sms)


def _read_mfa(t: TableReader) -> MfaSpec:
    mfa = MfaSpec(
        mode=t.string("mode", default="off", choices=MFA_MODES) or "off",
        totp=t.boolean("totp", default=False),
        sms=t.boolean("sms", default=False),
        sms_message=t.string("sms_message", min_len=6, max_len=140),
    )
    if mfa.sms_message is not None and "{####}" not in mfa.sms_message:
        t.problem("sms_message", "must contain the placeholder {####}")
    if mfa.mode == "off" and (mfa.totp or mfa.sms):
        t.problem(
            "mode", "is off, so totp and sms must be false (Cognito refuses factors when off)"
        )
    if mfa.mode != "off" and not (mfa.totp or mfa.sms):
        t.problem("mode", f"is {mfa.mode}, so at least one of totp or sms must be true")
    t.close()
    return mfa


def _read_sms(t: TableReader) -> SmsSpec:
    role = t.string("role_arn", required=True, pattern=r"arn:[\w+=/,.@-]+:iam::\d{12}:role/.+")
    external = t.string("external_id", min_len=1, max_len=1224)
    t.close()
    return SmsSpec(role or "", external)


def _read_email(t: TableReader) -> EmailSpec:
    email = EmailSpec(
        sending_account=t.string(
            "sending_account", default="COGNITO_DEFAULT", choices=EMAIL_ACCOUNTS
        )
        or "COGNITO_DEFAULT",
        source_arn=t.string("source_arn", pattern=r"arn:[\w+=/,.@-]+:ses:[a-z0-9-]+:\d{12}:.+"),
        from_address=t.string("from", min_len=3, max_len=320),
        reply_to=t.string("reply_to", pattern=r"[^@\s]+@[^@\s]+"),
        configuration_set=t.string("configuration_set", min_len=1, max_len=64),
    )
    if email.sending_account == "DEVELOPER" and email.source_arn is None:
        t.problem("source_arn", "is required when sending_account is DEVELOPER")
    t.close()
    return email


def _read_verification(t: TableReader) -> VerificationSpec:
    option = t.string("default_option", default="code", choices=("code", "link")) or "code"
    subject = t.string("email_subject", min_len=1, max_len=140)
    message = t.string("email_message", min_len=6, max_len=20000)
    if message is not None:
        if option == "link" and not _LINK_PLACEHOLDER.search(message):
            t.problem("email_message", "must contain a link placeholder such as {##Verify Email##}")
        if option == "code" and "{####}" not in message:
            t.problem("email_message", "must contain the placeholder {####}")
        if "{username}" in message:
            t.problem("email_message", "{username} is not allowed in verification messages")
    t.close()
    return VerificationSpec(option, subject, message)


def _pool_rules(t: TableReader, pool: PoolSpec) -> None:
    if pool.devices.remember != "off" and pool.mfa.mode == "off":
        t.problem("devices.remember", "device remembering needs MFA (pool.mfa.mode is off)")
    if pool.mfa.sms and pool.sms is None:
        t.problem("mfa.sms", "SMS MFA needs an SMS role: add [pool.sms] role_arn")
    if "phone_number" in pool.auto_verified_attributes and pool.sms is None:
        t.problem("attributes.auto_verified", "verifying phone_number needs [pool.sms] role_arn")
    if "email" in pool.username_attributes and "email" not in pool.required_attributes:
        t.problem("attributes.required", "must include email when users sign in with e-mail")


# -- domain, groups, clients, users ------------------------------------------------------
def _read_domain(t: TableReader) -> str | None:
    prefix = t.string("prefix", min_len=1, max_len=63, pattern=_DOMAIN_RE)
    if prefix is not None and any(w in prefix for w in ("aws", "amazon", "cognito")):
        t.problem("prefix", "must not contain aws, amazon or cognito")
    t.close()
    return prefix


def _read_group(name: str, t: TableReader) -> GroupSpec:
    if not re.fullmatch(r"\S{1,128}", name):
        t.problem("", "group names are 1-128 characters without spaces")
    group = GroupSpec(
        name=name,
        description=t.string("description", max_len=2048),
        precedence=t.optional_integer("precedence", minimum=0, maximum=2**31 - 1),
    )
    t.close()
    return group


def _read_duration(t: TableReader, name: str, default: Duration) -> Duration:
    text = t.string(name)
    if text is None:
        return default
    duration = Duration.parse(text)
    if duration is None:
        t.problem(name, f"expected a duration like '5m', '1h', '30d'; got {text!r}")
        return default
    low, high = DURATION_RANGES[name]
    if not low <= duration.seconds <= high:
        t.problem(
            name,
            f"{text} is out of range ({Duration(low, 'seconds')} to {Duration(high, 'seconds')})",
        )
    return duration


def _read_client(name: str, t: TableReader) -> ClientSpec:
    if not re.fullmatch(_NAME_RE, name) or len(name) > 128:
        t.problem("", "client names are 1-128 characters of letters, digits, spaces, +=,.@-")
    defaults = ClientSpec(name=name)
    client = ClientSpec(
        name=name,
        generate_secret=t.boolean("generate_secret", default=True),
        refresh_token_validity=_read_duration(
            t, "refresh_token_validity", defaults.refresh_token_validity
        ),
        access_token_validity=_read_duration(
            t, "access_token_validity", defaults.access_token_validity
        ),
        id_token_validity=_read_duration(t, "id_token_validity", defaults.id_token_validity),
        auth_flows=t.strings("auth_flows", default=defaults.auth_flows, choices=AUTH_FLOWS) or (),
        prevent_user_existence_errors=t.boolean("prevent_user_existence_errors", default=True),
        enable_token_revocation=t.boolean("enable_token_revocation", default=True),
        read_attributes=t.strings("read_attributes", default=None, choices=CLIENT_ATTRIBUTES),
        write_attributes=t.strings("write_attributes", default=None, choices=STANDARD_ATTRIBUTES),
        callback_urls=t.strings("callback_urls", max_items=100) or (),
        logout_urls=t.strings("logout_urls", max_items=100) or (),
        oauth_flows=t.strings("oauth_flows", choices=OAUTH_FLOWS) or (),
        oauth_scopes=t.strings("oauth_scopes", max_items=50) or (),
        identity_providers=t.strings("identity_providers", default=("COGNITO",)) or (),
        refresh_token_rotation=t.boolean("refresh_token_rotation", default=False),
        refresh_token_grace_period=_read_duration(
            t, "refresh_token_grace_period", defaults.refresh_token_grace_period
        ),
    )
    if t.has("refresh_token_grace_period") and not client.refresh_token_rotation:
        t.problem("refresh_token_grace_period", "needs refresh_token_rotation = true")
    for key in ("callback_urls", "logout_urls"):
        for i, url in enumerate(getattr(client, key)):
            reason = redirect_url_problem(url)
            if reason:
                t.problem(f"{key}[{i}]", f"{url!r} {reason}")
    for short in ("access_token_validity", "id_token_validity"):
        if getattr(client, short).seconds > client.refresh_token_validity.seconds:
            t.problem(short, "must not be longer than refresh_token_validity")
    if client.oauth_flows and not client.callback_urls:
        t.problem("callback_urls", "OAuth flows need at least one callback URL")
    if client.oauth_flows and not client.oauth_scopes:
        t.problem("oauth_scopes", "OAuth flows need at least one scope")
    if "client_credentials" in client.oauth_flows and (
        len(client.oauth_flows) > 1 or not client.generate_secret
    ):
        t.problem("oauth_flows", "client_credentials must be alone and needs a client secret")
    t.close()
    return client


def _read_user(key: str, t: TableReader) -> UserSpec:
    user = UserSpec(
        key=key,
        email=t.string("email", required=True, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+") or "",
        name=t.string("name", min_len=1, max_len=2048),
        groups=t.strings("groups") or (),
    )
    t.close()
    return user


def _cross_checks(root: TableReader, spec: Spec) -> None:
    pool, groups, users = spec.pool, spec.groups, spec.users
    _provider_checks(root, spec)
    if pool.verification.default_option == "link" and spec.domain_prefix is None:
        root.problem(
            "pool.verification.default_option", "link verification needs a [domain] prefix"
        )
    group_names = {g.name for g in groups}
    # AdminCreateUser must carry every required attribute, and users here have only these.
    unsettable = sorted(set(pool.required_attributes) - {"email", "name"})
    if users and unsettable:
        root.problem(
            "pool.attributes.required",
            f"{', '.join(unsettable)} cannot be required while [users] are invited "
            "(a spec user has only email and name)",
        )
    seen_emails: dict[str, str] = {}
    for user in users:
        for group in user.groups:
            if group not in group_names:
                root.problem(f"users.{user.key}.groups", f"group {group!r} is not defined")
        if "name" in pool.required_attributes and user.name is None:
            root.problem(f"users.{user.key}.name", "is required (pool requires name)")
        folded = user.email.lower() if not pool.case_sensitive else user.email
        if folded in seen_emails:
            root.problem(f"users.{user.key}.email", f"same address as users.{seen_emails[folded]}")
        seen_emails[folded] = user.key


def _provider_checks(root: TableReader, spec: Spec) -> None:
    """Clients name only COGNITO and the spec's providers; identifiers are unique."""
    offered = {p.name for p in spec.identity_providers if not p.remove}
    for client in spec.clients:
        for name in client.identity_providers:
            if name != COGNITO_PROVIDER and name not in offered:
                root.problem(
                    f"clients.{client.name}.identity_providers",
                    f"{name!r} is not a provider of [identity_providers] (nor COGNITO)",
                )
    seen: dict[str, str] = {}
    for provider in spec.identity_providers:
        for identifier in provider.identifiers:
            other = seen.setdefault(identifier.casefold(), provider.name)
            if other != provider.name:
                root.problem(
                    f"identity_providers.{provider.name}.identifiers",
                    f"{identifier!r} is already an identifier of {other}",
                )
