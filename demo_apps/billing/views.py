"""Billing's pages and JSON API."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

if TYPE_CHECKING:
    from cognito_sso.flask import CognitoSSO

from demo_apps.billing.store import InvoiceInputError, InvoiceStore, parse_new_invoice
from demo_apps.common.money import format_euros


def build_blueprint(sso: CognitoSSO, store: InvoiceStore) -> Blueprint:
    """Routes bound to this app's extension instance and invoice store."""
    bp = Blueprint("billing", __name__, template_folder="templates")

    def check_csrf() -> None:
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, sso.csrf_token()):
            abort(400)

    def user_label() -> str:
        user = sso.current_user
        return str(user.email or user.username or user.sub)

    @bp.get("/")
    def home() -> ResponseReturnValue:
        return redirect(url_for("billing.invoices"))

    @bp.get("/invoices")
    @sso.permission_required("invoices:read")  # what the header's permission chips show
    def invoices() -> ResponseReturnValue:
        highlight = request.args.get("created", type=int)
        return render_template(
            "billing/invoices.html",
            invoices=store.list(),
            highlight=highlight,
            format_euros=format_euros,
        )

    @bp.get("/invoices/new")
    @sso.permission_required("invoices:create")
    def new_invoice() -> ResponseReturnValue:
        return render_template("billing/new_invoice.html", form={}, errors={}, today=_today())

    @bp.post("/invoices")
    @sso.permission_required("invoices:create")
    def create_invoice() -> ResponseReturnValue:
        check_csrf()
        form = {
            key: request.form.get(key, "")[:500]
            for key in ("customer", "description", "amount", "issued_on")
        }
        try:
            new = parse_new_invoice(**form)
        except InvoiceInputError as exc:
            errors = {exc.field: exc.message}
            page = render_template(
                "billing/new_invoice.html", form=form, errors=errors, today=_today()
            )
            return page, 400
        invoice = store.create(new, created_by=user_label())
        flash(f"Invoice {invoice.number} for {invoice.customer} created.", "success")
        return redirect(url_for("billing.invoices", created=invoice.id))

    @bp.post("/invoices/<int:invoice_id>/void")
    @sso.permission_required("invoices:void")
    def void_invoice(invoice_id: int) -> ResponseReturnValue:
        check_csrf()
        invoice = store.void(invoice_id, voided_by=user_label())
        if invoice is None:
            abort(404)
        flash(f"Invoice {invoice.number} is void.", "success")
        return redirect(url_for("billing.invoices"))

    @bp.get("/api/invoices")
    @sso.permission_required("invoices:read", api=True)
    def api_invoices() -> ResponseReturnValue:
        return jsonify(invoices=[invoice.to_json() for invoice in store.list()])

    return bp


def _today() -> str:
    return datetime.now(UTC).date().isoformat()
