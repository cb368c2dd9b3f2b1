"""What the demo services share: the look (base template, stylesheet), the permission map,
configuration from the provisioning outputs file, error pages and security headers."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from cognito_sso.access import Denial
from cognito_sso.content_negotiation import prefers_json
from cognito_sso.errors import ConfigurationError, PermissionDeniedError
from cognito_sso.flask import current_user

if TYPE_CHECKING:
    from cognito_sso.flask import CognitoSSO

#: Which permissions each Cognito group grants, in both services.
DEMO_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "billing": ("invoices:read", "invoices:create"),
    "admins": ("invoices:read", "invoices:create", "invoices:void"),
    # reports reads invoice totals through billing's API on the user's behalf
    "reports": ("invoices:read", "reports:view"),
    # everyone who signs in through the Example Corp directory (federation) may read reports
    "idp:ExampleCorp": ("invoices:read", "reports:view"),
}
#: The pool's groups (the other keys of DEMO_PERMISSIONS name identity providers).
DEMO_GROUPS = tuple(sorted(key for key in DEMO_PERMISSIONS if not key.startswith("idp:")))

# Where `cognito-sso provision apply --spec provisioning/pools/sso-demo.toml` writes it.
DEFAULT_OUTPUTS_FILE = "provisioning/pools/sso-demo.outputs.json"
SERVICE_TITLES = {
    "billing": ("Billing", "B"),
    "reports": ("Reports", "R"),
    "audit": ("Audit", "A"),
}

blueprint = Blueprint(
    "demo_common",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/_demo/static",
)


@dataclass(frozen=True)
class DemoService:
    """The service a page belongs to (for the top bar)."""

    name: str
    title: str
    mark: str
    home_endpoint: str


@dataclass(frozen=True)
class ServiceLink:
    """A link to one of the demo services."""

    name: str
    title: str
    url: str


def read_outputs(path: str | Path) -> dict[str, Any]:
    """The provisioning outputs file as a dict; ConfigurationError with a hint if unusable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"outputs file {path} not found: run `cognito-sso demo` (or `cognito-sso provision "
            "apply`) first, or set COGNITO_OUTPUTS_FILE"
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"outputs file {path} is unreadable: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise ConfigurationError(f"outputs file {path} has no 'services' section")
    return data


def service_base_urls(outputs: Mapping[str, Any]) -> dict[str, str]:
    """Each service's public base URL: the origin of its registered redirect URI."""
    urls: dict[str, str] = {}
    for name, service in outputs.get("services", {}).items():
        redirect = service.get("redirect_uri") if isinstance(service, Mapping) else None
        if isinstance(redirect, str):
            parts = urlsplit(redirect)
            if parts.scheme in ("http", "https") and parts.netloc:
                urls[str(name)] = f"{parts.scheme}://{parts.netloc}"
    return urls


def client_id_of(outputs: Mapping[str, Any], service: str) -> str | None:
    """The app client id provisioned for `service`, if any."""
    entry = outputs.get("services", {}).get(service)
    client_id = entry.get("client_id") if isinstance(entry, Mapping) else None
    return client_id if isinstance(client_id, str) else None


def load_or_create_secret_key(path: Path) -> str:
    """A random Flask SECRET_KEY kept in `path` (mode 0600), created on first use."""
    try:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    os.replace(tmp, path)
    return key


def default_instance_path(service: str) -> str:
    """Where a service keeps its secret key, session store and data when run on its own."""
    base = os.environ.get("DEMO_STATE_DIR") or os.path.join(os.getcwd(), "instance", "demo")
    return os.path.abspath(os.path.join(base, service))


def create_demo_app(
    import_name: str,
    service: str,
    config: Mapping[str, Any] | None = None,
    *,
    bearer_services: Sequence[str] = (),
) -> tuple[Flask, CognitoSSO]:
    """A Flask app for `service`, configured from the outputs file, with the demo look.

    `config` overrides anything (tests and the runner use it). The outputs file comes from
    `COGNITO_OUTPUTS_FILE` in `config` or the environment; changing only that file points the
    service at real Cognito. Bearer tokens issued to the clients of `bearer_services` are
    accepted by this service's API too.
    """
    config = dict(config or {})
    instance_path = str(config.pop("DEMO_INSTANCE_PATH", "") or default_instance_path(service))
    app = Flask(import_name, instance_path=instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    outputs_file = str(
        config.get("COGNITO_OUTPUTS_FILE")
        or os.environ.get("COGNITO_OUTPUTS_FILE")
        or DEFAULT_OUTPUTS_FILE
    )
    outputs = read_outputs(outputs_file)
    base_urls = service_base_urls(outputs)
    app.config.update(
        SECRET_KEY=load_or_create_secret_key(Path(app.instance_path) / "secret_key"),
        # Both services live on "localhost": cookies ignore ports, so names must differ.
        SESSION_COOKIE_NAME=f"{service}_flask",
        SESSION_COOKIE_SAMESITE="Lax",
        COGNITO_COOKIE_NAME=f"{service}_sso",
        COGNITO_OUTPUTS_FILE=outputs_file,
        COGNITO_SERVICE=service,
        COGNITO_SESSION_STORE="sqlite:///" + os.path.join(app.instance_path, "sessions.db"),
        COGNITO_PERMISSIONS={group: list(perms) for group, perms in DEMO_PERMISSIONS.items()},
        COGNITO_GROUPS=list(DEMO_GROUPS),
        DEMO_SERVICE_URLS=base_urls,
        COGNITO_BEARER_CLIENT_IDS=[
            cid for cid in (client_id_of(outputs, name) for name in bearer_services) if cid
        ],
    )
    app.config.update(config)
    # Registered before the extension so our cognito_sso/*.html overrides win the lookup.
    install_demo_look(app, service)
    from cognito_sso.flask import CognitoSSO

    sso = CognitoSSO(app)
    return app, sso


def install_demo_look(app: Flask, service: str) -> None:
    """Shared templates/static files, top-bar context, error pages and security headers."""
    title, mark = SERVICE_TITLES[service]
    home_endpoint = f"{service}.home"
    app.register_blueprint(blueprint)

    @app.context_processor
    def demo_context() -> dict[str, Any]:
        urls: Mapping[str, str] = app.config.get("DEMO_SERVICE_URLS", {})
        links = [
            ServiceLink(name, SERVICE_TITLES[name][0], urls[name])
            for name in SERVICE_TITLES
            if name in urls
        ]
        return {
            "demo_service": DemoService(service, title, mark, home_endpoint),
            "demo_links": links,
            "demo_login_next": (
                request.full_path.rstrip("?")
                if request.method == "GET" and request.blueprint != "cognito_sso"
                else "/"
            ),
        }

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        from_extension = type(error).__module__.startswith("cognito_sso.")
        if error.code == 403 and not wants_json():
            return forbidden_response(error)
        if from_extension:
            # The extension renders its own JSON (with WWW-Authenticate) and pages; the pages
            # use the demo look through the template overrides in demo/templates/cognito_sso.
            return error.get_response()
        return error_response(error)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # Set, not setdefault: the extension's hook runs first and may already have put a
        # lone frame-ancestors there; this policy includes it.
        headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
            " frame-ancestors 'none'"
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        return response


def wants_json() -> bool:
    """API requests get JSON errors, pages get HTML (the library's ``Accept`` rule)."""
    return request.path.startswith("/api/") or prefers_json(request.headers.get("Accept"))


_ERROR_TEXT = {
    400: ("bad request", "That request could not be understood."),
    401: ("sign-in needed", "Please sign in to continue."),
    404: ("not found", "There is nothing at this address."),
    405: ("method not allowed", "This page cannot be used that way."),
    503: ("unavailable", "A service this page depends on is unavailable. Try again shortly."),
}


def error_response(error: HTTPException) -> Any:
    """A page (or JSON body) for an HTTP error that keeps the demo look."""
    code = error.code or 500
    if error.response is not None:  # the raiser already built the response (e.g. JSON 401)
        return error.response
    label, message = _ERROR_TEXT.get(code, ("error", "Something went wrong."))
    if wants_json():
        return jsonify(error=label.replace(" ", "_"), message=message), code
    heading = label[:1].upper() + label[1:]
    allowed = getattr(error, "valid_methods", None)
    headers = {"Allow": ", ".join(allowed)} if allowed else {}
    try:
        page = render_template(
            "demo/error.html", status=code, label=label, heading=heading, message=message
        )
    except Exception:  # the error page itself failed: answer plainly
        logging.getLogger(__name__).exception("rendering the error page failed")
        return Response(f"{code} {message}\n", code, mimetype="text/plain")
    return page, code, headers


def by_privilege(groups: Iterable[str]) -> list[str]:
    """The one order in which the demo lists groups: least privileged first, then by name."""
    return sorted(groups, key=lambda group: (len(DEMO_PERMISSIONS.get(group, ())), group))


def forbidden_response(error: HTTPException) -> Any:
    """403 naming the missing group(s) or permission(s)."""
    denial = error.denial if isinstance(error, PermissionDeniedError) else Denial()
    missing_permissions = sorted(denial.missing_permissions)
    granting = by_privilege(
        group
        for group, perms in DEMO_PERMISSIONS.items()
        if group in DEMO_GROUPS
        and missing_permissions
        and all(p in perms for p in missing_permissions)
    )
    page = render_template(
        "demo/forbidden.html",
        missing_groups=by_privilege(denial.missing_groups),
        missing_permissions=missing_permissions,
        granting_groups=granting,
        mode=denial.mode,
        member_of=by_privilege(current_user.groups),
    )
    return page, 403
