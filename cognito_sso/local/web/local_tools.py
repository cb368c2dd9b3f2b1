"""Developer tools of the local IdP: a start page, the outbox and the fault-injection switch."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from cognito_sso.local.faults import FaultSpecError, parse_fault
from cognito_sso.local.web.context import local_state
from cognito_sso.local.web.pages import render_page

bp = Blueprint("local_tools", __name__)


@bp.get("/")
def index() -> Response:
    """A page saying the IdP runs, listing its pools and their issuers."""
    state = local_state()
    with state.lock:
        pools = [state.directory.pool(pool_id) for pool_id in state.directory.pool_ids()]
        issuers = {pool.id: state.tokens.issuer(pool.id) for pool in pools}
    return render_page("index.html", base_url=state.base_url, pools=pools, issuers=issuers)


@bp.get("/_outbox")
def outbox_page() -> Response:
    """Every message the IdP would have sent, newest first, as a page."""
    messages = list(reversed(local_state().outbox.messages()))
    return render_page("outbox.html", messages=messages)


@bp.get("/_outbox.json")
def outbox_json() -> Response:
    """Every message, oldest first: ``[{"to", "subject", "body", "sent_at"}]``."""
    return jsonify(local_state().outbox.messages())


@bp.delete("/_outbox.json")
def outbox_clear() -> Response:
    """Empty the outbox."""
    local_state().outbox.clear()
    return Response(status=204)


@bp.get("/_local/faults")
def faults_list() -> Response:
    """The active faults."""
    return jsonify(local_state().faults.active())


@bp.post("/_local/faults")
def faults_set() -> Response:
    """Install a fault (see `cognito_sso.local.faults` for the body)."""
    body = request.get_json(silent=True)
    try:
        fault = parse_fault(body)
    except FaultSpecError as error:
        response = jsonify({"error": "invalid_fault", "message": str(error)})
        response.status_code = 400
        return response
    faults = local_state().faults
    faults.set(fault)
    return jsonify(faults.active())


@bp.delete("/_local/faults")
def faults_clear() -> Response:
    """Remove every fault."""
    local_state().faults.clear()
    return Response(status=204)
