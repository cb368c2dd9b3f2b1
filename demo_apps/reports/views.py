"""Reports' page: the revenue chart."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, current_app, render_template
from flask.typing import ResponseReturnValue

if TYPE_CHECKING:
    from cognito_sso.flask import CognitoSSO

from demo_apps.common.money import format_euros
from demo_apps.reports.billing_client import BillingUnavailable, fetch_invoices
from demo_apps.reports.chart import revenue_chart_svg
from demo_apps.reports.revenue import revenue_by_month

log = logging.getLogger(__name__)
RECENT_COUNT = 5


def build_blueprint(sso: CognitoSSO) -> Blueprint:
    """Routes bound to this app's extension instance."""
    bp = Blueprint("reports", __name__, template_folder="templates")

    @bp.get("/")
    @sso.permission_required("reports:view")
    def home() -> ResponseReturnValue:
        token = sso.access_token()
        if not token:  # pragma: no cover - permission_required guarantees a session
            abort(401)
        billing_url = _billing_url()
        try:
            invoices = fetch_invoices(
                billing_url, token, timeout=float(current_app.config.get("REPORTS_HTTP_TIMEOUT", 5))
            )
        except BillingUnavailable as exc:
            log.warning("reports: billing API call failed: %s", exc.reason)
            page = render_template("reports/home.html", problem=exc.reason, billing_url=billing_url)
            return page, 503
        months = revenue_by_month(invoices)
        total = sum(m.cents for m in months)
        open_invoices = [
            i for i in invoices if i.get("status") == "open" and _int(i.get("amount_cents")) > 0
        ]
        recent = sorted(
            open_invoices, key=lambda i: (str(i.get("issued_on")), _int(i.get("id"))), reverse=True
        )[:RECENT_COUNT]
        chart = revenue_chart_svg(months, title="Revenue per month, last 6 months (EUR)")
        return render_template(
            "reports/home.html",
            problem=None,
            billing_url=billing_url,
            months=months,
            chart=chart,
            total=format_euros(total),
            this_month=format_euros(months[-1].cents if months else 0),
            invoice_count=sum(m.count for m in months),
            recent=recent,
            format_euros=format_euros,
        )

    return bp


def _billing_url() -> str:
    url = current_app.config.get("REPORTS_BILLING_URL") or current_app.config.get(
        "DEMO_SERVICE_URLS", {}
    ).get("billing")
    if not url:
        abort(503)
    return str(url)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
