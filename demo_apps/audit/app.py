"""The audit FastAPI app: configuration from the outputs file, the demo look, the pages.

(No ``from __future__ import annotations``: FastAPI reads the dependency annotations of the
views at run time, and they name local aliases.)
"""

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from cognito_sso.fastapi import CognitoSSO, PermissionDeniedError, User
from demo_apps.audit.events import invoice_events
from demo_apps.common import (
    DEFAULT_OUTPUTS_FILE,
    DEMO_PERMISSIONS,
    SERVICE_TITLES,
    DemoService,
    ServiceLink,
    by_privilege,
    default_instance_path,
    read_outputs,
    service_base_urls,
)
from demo_apps.common.money import format_euros
from demo_apps.reports.billing_client import BillingUnavailable, fetch_invoices

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COMMON = HERE.parent / "common"
#: Who may read the audit trail (the page names the group a user lacks).
AUDIT_GROUPS = ("admins", "billing")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
        " frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "private, no-store",
    "Vary": "Cookie, Authorization",
}


def audit_config(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``COGNITO_*`` keys for audit from the outputs file (``COGNITO_OUTPUTS_FILE`` in
    ``config`` or the environment), with the demo's permissions; ``config`` wins."""
    config = dict(config or {})
    instance = str(config.pop("DEMO_INSTANCE_PATH", "") or default_instance_path("audit"))
    os.makedirs(instance, exist_ok=True)
    outputs_file = str(
        config.get("COGNITO_OUTPUTS_FILE")
        or os.environ.get("COGNITO_OUTPUTS_FILE")
        or DEFAULT_OUTPUTS_FILE
    )
    return {
        # The three services live on "localhost": cookies ignore ports, so names must differ.
        "COGNITO_COOKIE_NAME": "audit_sso",
        "COGNITO_OUTPUTS_FILE": outputs_file,
        "COGNITO_SERVICE": "audit",
        "COGNITO_SESSION_STORE": "sqlite:///" + os.path.join(instance, "sessions.db"),
        "COGNITO_PERMISSIONS": {group: list(perms) for group, perms in DEMO_PERMISSIONS.items()},
        "COGNITO_GROUPS": sorted(DEMO_PERMISSIONS),
        "DEMO_SERVICE_URLS": service_base_urls(read_outputs(outputs_file)),
        **config,
    }


def _url_for(endpoint: str, **values: Any) -> str:
    """The two Flask endpoints the shared templates name, for this app."""
    if endpoint == "demo_common.static":
        return "/_demo/static/" + str(values["filename"])
    return "/"


def page_environment() -> jinja2.Environment:
    """The demo's shared templates (header, stylesheet, error pages) and audit's own."""
    loader = jinja2.FileSystemLoader([str(HERE / "templates"), str(COMMON / "templates")])
    env = jinja2.Environment(loader=loader, autoescape=True)
    env.globals.update(url_for=_url_for, get_flashed_messages=lambda **_: [])
    return env


def build_app(config: Mapping[str, Any] | None = None) -> FastAPI:
    """The audit app (``create_app`` in the package)."""
    settings = audit_config(config)
    urls: Mapping[str, str] = settings.pop("DEMO_SERVICE_URLS")
    billing_url = str(settings.pop("AUDIT_BILLING_URL", "") or urls.get("billing", ""))
    timeout = float(settings.pop("AUDIT_HTTP_TIMEOUT", 5))
    pages = page_environment()
    links = [ServiceLink(n, SERVICE_TITLES[n][0], urls[n]) for n in SERVICE_TITLES if n in urls]
    service = DemoService("audit", *SERVICE_TITLES["audit"], home_endpoint="audit.home")

    def page_context(request: Request) -> dict[str, Any]:
        """What demo/base.html needs (the same header as billing's and reports')."""
        return {
            "current_user": sso.user(request),
            "cognito_logout_form": lambda label="Sign out": sso.logout_form(request, label),
            "cognito_login_url": sso.login_url,
            "demo_service": service,
            "demo_links": links,
            "demo_login_next": request.url.path if request.method == "GET" else "/",
            # Flask's `config` global, as far as the shared templates read it
            "config": {"COGNITO_SESSION_CHECK_INTERVAL": sso.state.config.session_check_interval},
        }

    sso = CognitoSSO(settings, templates=pages, page_context=page_context)

    def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        html = pages.get_template(template).render({**page_context(request), **context})
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    app = FastAPI(title="Audit", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(sso.router)
    app.mount("/_demo/static", StaticFiles(directory=COMMON / "static"), name="demo_static")
    app.state.sso = sso

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PermissionDeniedError)
        if "text/html" not in request.headers.get("accept", ""):
            return await http_exception_handler(request, exc)  # JSON for API clients
        return render(
            request,
            "demo/forbidden.html",
            403,
            missing_groups=by_privilege(exc.denial.missing_groups),
            missing_permissions=list(exc.denial.missing_permissions),
            granting_groups=[],
            mode=exc.denial.mode,
            member_of=by_privilege(sso.user(request).groups),
        )

    app.add_exception_handler(PermissionDeniedError, forbidden)
    Auditor = Annotated[User, Depends(sso.groups_required(*AUDIT_GROUPS))]

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request, user: Auditor) -> Response:
        token = sso.access_token(request)
        try:
            invoices = await asyncio.to_thread(
                fetch_invoices, billing_url, token or "", timeout=timeout
            )
        except BillingUnavailable as exc:
            log.warning("audit: billing API call failed: %s", exc.reason)
            return render(request, "audit/home.html", 503, problem=exc.reason, events=[])
        return render(
            request,
            "audit/home.html",
            problem=None,
            events=invoice_events(invoices),
            format_euros=format_euros,
            billing_url=billing_url,
        )

    return app
