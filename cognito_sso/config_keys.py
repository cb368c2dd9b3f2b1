"""The ``COGNITO_*`` configuration keys, declared once: name, type, default and meaning.

:func:`cognito_sso.config.load_config` reads and type-checks every key from this table, the
misspelt-key warning suggests names from it, and the configuration table of
docs/configuration.md is :func:`markdown_table` (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["ADMIN_SCOPE", "KEYS", "KNOWN_KEYS", "ConfigKey", "Kind", "markdown_table"]

ADMIN_SCOPE: Final = "aws.cognito.signin.user.admin"
"""Scope an access token needs for GlobalSignOut / GetUser (single sign-out across services)."""

Kind = Literal["string", "url", "seconds", "names", "flag", "mapping"]

_KIND_DOC: Final[dict[Kind, str]] = {
    "string": "string",
    "url": "URL",
    "seconds": "seconds",
    "names": "list of strings",
    "flag": "boolean",
    "mapping": "mapping",
}


@dataclass(frozen=True)
class ConfigKey:
    """One configuration key. ``default`` applies when the key is unset or empty; None
    means "derived from other keys" (``default_doc`` says how) or "none"."""

    name: str
    kind: Kind
    doc: str
    default: object = None
    default_doc: str = "none"
    minimum: float = 0.0
    """Seconds: the smallest accepted value (besides 0 when ``zero_allowed``)."""
    zero_allowed: bool = True

    @property
    def type_doc(self) -> str:
        """The type as the docs name it."""
        return _KIND_DOC[self.kind]


KEYS: Final[tuple[ConfigKey, ...]] = (
    ConfigKey(
        "COGNITO_ISSUER",
        "url",
        "Exact `iss` of the pool's tokens. Give this **or** `COGNITO_USER_POOL_ID`. The "
        "discovery document is read from `{issuer}/.well-known/openid-configuration` (cached "
        "for an hour) and its `issuer` must equal this value. http only on loopback. The "
        "document's endpoints may live on another host (Cognito serves them from the pool's "
        "domain) but must be https whenever the issuer is https: codes, tokens and the client "
        "secret never travel in clear text.",
        default_doc="`https://cognito-idp.{region}.amazonaws.com/{pool id}`",
    ),
    ConfigKey(
        "COGNITO_USER_POOL_ID",
        "string",
        "e.g. `eu-west-1_AbC123def`.",
        default_doc="taken from the issuer's last path segment",
    ),
    ConfigKey(
        "COGNITO_REGION",
        "string",
        "Only needed when neither the issuer nor the pool id tells it.",
        default_doc="the prefix of the pool id",
    ),
    ConfigKey(
        "COGNITO_CLIENT_ID",
        "string",
        "The app client of this service.",
        default_doc="— (required)",
    ),
    ConfigKey(
        "COGNITO_CLIENT_SECRET",
        "string",
        "Sent with `client_secret_basic` to the token and revocation endpoints.",
        default_doc="none (public client)",
    ),
    ConfigKey(
        "COGNITO_REDIRECT_URI",
        "url",
        "Absolute callback URL registered on the app client, e.g. "
        "`https://billing.example.com/auth/callback`. Never built from the `Host` header. "
        "https, except `http://localhost`/`127.0.0.1`/`[::1]`. Its origin is also the origin "
        "the logout form must come from.",
        default_doc="— (required)",
    ),
    ConfigKey(
        "COGNITO_LOGOUT_URI",
        "url",
        "Where the hosted UI's `/logout` sends the browser afterwards; must be one of the "
        "client's sign-out URLs.",
        default_doc="`{origin of the redirect URI}{prefix}/logged-out`",
    ),
    ConfigKey(
        "COGNITO_SCOPES",
        "names",
        "A list or a space-separated string; must contain `openid`. Without "
        f"`{ADMIN_SCOPE}`, sign-out cannot call GlobalSignOut: it only revokes this app's "
        "refresh token, so **other services stay signed in** until their next refresh fails "
        "or their session check runs.",
        default=("openid", "email", "profile", ADMIN_SCOPE),
        default_doc=f"`openid email profile {ADMIN_SCOPE}`",
    ),
    ConfigKey(
        "COGNITO_PERMISSIONS",
        "mapping",
        "Group name → list of permission names. A user's permissions are the union over "
        "their groups. Exact, case-sensitive group names. The key `idp:NAME` grants to "
        "everyone who signed in through the identity provider NAME (README, Federation).",
        default_doc="`{}`",
    ),
    ConfigKey(
        "COGNITO_IDENTITY_PROVIDERS",
        "names",
        "The app client's identity providers (its `SupportedIdentityProviders`, e.g. "
        "`COGNITO ExampleCorp`; `load_outputs` fills it in when the outputs file lists them). "
        "`/auth/login?idp=NAME` accepts only these names (others get a 400 page).",
    ),
    ConfigKey(
        "COGNITO_IDENTITY_PROVIDER",
        "string",
        "Send every sign-in straight to this identity provider (Cognito skips its sign-in "
        "page); one of `COGNITO_IDENTITY_PROVIDERS` when that is set. `?idp=` still wins.",
        default_doc="none (Cognito's sign-in page)",
    ),
    ConfigKey(
        "COGNITO_GROUPS",
        "names",
        "Group names of the pool (filled in by `load_outputs` when the outputs file lists "
        "them). When set, permission-map entries for other groups give an "
        "`UnknownGroupWarning` at `init_app`.",
    ),
    ConfigKey(
        "COGNITO_SESSION_STORE",
        "string",
        "`sqlite:///abs/path.db`, a file path, or `redis://host:port/db` / `rediss://…` for "
        "services on several hosts.",
        default_doc="SQLite file `cognito-sso-sessions.sqlite3` in the app's instance folder "
        "(FastAPI: in the working directory)",
    ),
    ConfigKey(
        "COGNITO_SESSION_IDLE_TIMEOUT",
        "seconds",
        "Seconds without a request after which a session ends.",
        default=8 * 3600.0,
        default_doc="`28800` (8 h)",
        minimum=60,
        zero_allowed=False,
    ),
    ConfigKey(
        "COGNITO_SESSION_ABSOLUTE_TIMEOUT",
        "seconds",
        "Maximum session age in seconds, whatever the activity. Also the cookie's `Max-Age`.",
        default=7 * 24 * 3600.0,
        default_doc="`604800` (7 days)",
        minimum=60,
        zero_allowed=False,
    ),
    ConfigKey(
        "COGNITO_SESSION_CHECK_INTERVAL",
        "seconds",
        "Seconds between checks that the IdP still accepts the session (userInfo with the "
        "access token); `0` = every request. A session signed out elsewhere (GlobalSignOut) "
        "or revoked ends at the next check.",
        default=60.0,
        default_doc="`60`",
    ),
    ConfigKey(
        "COGNITO_REFRESH_LEEWAY",
        "seconds",
        "Refresh the access token when it expires within this many seconds.",
        default=60.0,
        default_doc="`60`",
    ),
    ConfigKey(
        "COGNITO_CLOCK_LEEWAY",
        "seconds",
        "Clock skew tolerated when verifying `exp`/`iat`.",
        default=60.0,
        default_doc="`60`",
    ),
    ConfigKey(
        "COGNITO_HTTP_TIMEOUT",
        "seconds",
        "Seconds for each call to the IdP (discovery, token, userInfo, revoke, "
        "GlobalSignOut). A slow or unreachable IdP gives a 503 page, never a hang.",
        default=5.0,
        default_doc="`5`",
        minimum=0.1,
        zero_allowed=False,
    ),
    ConfigKey(
        "COGNITO_ENDPOINT_URL",
        "url",
        "The cognito-idp JSON API (GlobalSignOut). Only needed when the API lives elsewhere.",
        default_doc="the issuer's origin (`https://cognito-idp.{region}.amazonaws.com/`; the "
        "local IdP's base URL)",
    ),
    ConfigKey(
        "COGNITO_BEARER_CLIENT_IDS",
        "names",
        "Extra app client ids whose access tokens the `api=True` / `bearer_required` routes "
        "accept (the app's own client id is always accepted). Lets one service call another "
        "with the user's token.",
        default_doc="`[]`",
    ),
    ConfigKey(
        "COGNITO_BEARER_REVOCATION_CHECK_INTERVAL",
        "seconds",
        "Refuse revoked and globally-signed-out bearer tokens: each token is checked with "
        "Cognito (`GetUser`) at most once per this many seconds and the answer is cached in "
        "the process, so such a token is refused (401) within the interval. Costs one "
        "`GetUser` per token per interval (Cognito's UserRead quota), and bearer tokens "
        f"must then carry `{ADMIN_SCOPE}` (403 otherwise). When Cognito cannot answer, a "
        "token whose answer is older than the interval gets 503. `0` = off: a token is "
        "accepted until it expires. `bearer_required(revocation_check_interval=...)` "
        "overrides it per route.",
        default=0.0,
        default_doc="`0` (off)",
    ),
    ConfigKey(
        "COGNITO_URL_PREFIX",
        "string",
        "Prefix of the extension's routes (`/login`, `/callback`, `/logout`, `/logged-out`).",
        default="/auth",
        default_doc="`/auth`",
    ),
    ConfigKey(
        "COGNITO_COOKIE_NAME",
        "string",
        "Session cookie name; differs per app client so services on one host never collide. "
        "The cookie holds only a random session id (HttpOnly, SameSite=Lax).",
        default_doc="`cognito_sso_` + a hash of the client id",
    ),
    ConfigKey(
        "COGNITO_COOKIE_SECURE",
        "flag",
        "`Secure` cookie attribute; cannot be false for an https app.",
        default_doc="true, unless the redirect URI is loopback `http://`",
    ),
    ConfigKey(
        "COGNITO_OUTPUTS_FILE",
        "string",
        "Path of the provisioning outputs file: the keys above for `COGNITO_SERVICE` are read "
        "from it; keys set explicitly in `app.config` win.",
    ),
    ConfigKey(
        "COGNITO_SERVICE",
        "string",
        "The service (app client) to read from `COGNITO_OUTPUTS_FILE`; required with it.",
    ),
)

KNOWN_KEYS: Final = frozenset(key.name for key in KEYS)


def markdown_table() -> str:
    """The configuration table of docs/configuration.md."""
    lines = ["| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    lines += [f"| `{k.name}` | {k.type_doc} | {k.default_doc} | {k.doc} |" for k in KEYS]
    return "\n".join(lines) + "\n"
