"""The cognito-idp JSON 1.1 API at `POST /`: parse, validate, route to a handler or to moto.

Errors leave in the real wire format (HTTP 400, `x-amzn-ErrorType`, `{"__type","message"}`),
so boto3 raises the same exception classes it would against AWS.
"""

from __future__ import annotations

import json
import logging
import re
from functools import cache
from typing import TYPE_CHECKING

from botocore.model import OperationModel, OperationNotFoundError, ServiceModel
from botocore.session import get_session
from botocore.validate import ParamValidator
from flask import Request, Response

from cognito_sso.local.api import (  # noqa: F401 - each module registers its actions
    admin_users,
    auth_flows,
    clients,
    identity_providers,
    mfa,
    own_account,
    pools,
    sessions,
    sign_up,
)
from cognito_sso.local.api.forwarding import moto_reply
from cognito_sso.local.api.params import Params
from cognito_sso.local.api.registry import INTERCEPTS
from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
)
from cognito_sso.local.moto_adapter.backends import TARGET_PREFIX

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


log = logging.getLogger(__name__)


JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


MAX_BODY_BYTES = 1024 * 1024


_CREDENTIAL_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/cognito-idp/")


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@cache
def service_model() -> ServiceModel:
    """botocore's model of cognito-idp (used to validate requests like AWS does)."""
    return get_session().get_service_model("cognito-idp")


def error_response(error: CognitoError) -> Response:
    """A CognitoError in the JSON 1.1 wire format, headers as Cognito sends them
    (``local_cognito/captures/json-error.json``): ``x-amzn-ErrorType`` ends with ``:`` and
    ``x-amzn-ErrorMessage`` repeats the message."""
    body = json.dumps({"__type": error.type, "message": error.message})
    return Response(
        body,
        status=error.status,
        content_type=JSON_CONTENT_TYPE,
        headers={
            "x-amzn-ErrorType": f"{error.type}:",
            "x-amzn-ErrorMessage": _header_text(error.message),
        },
    )


def _header_text(text: str) -> str:
    """``text`` safe for a header: printable ASCII only (messages may quote hostile input)."""
    return "".join(c if " " <= c <= "~" else "?" for c in text)[:1024]


def handle_json_api(state: LocalCognito, request: Request) -> Response:
    """Answer one `POST /` call of the cognito-idp JSON API."""
    try:
        action, params = _parse(request)
        region = _region(state, request, params)
        handler = INTERCEPTS.get(action)
        if handler is not None:
            with state.lock:
                result = handler(state, params, region)
            return Response(json.dumps(result), status=200, content_type=JSON_CONTENT_TYPE)
        with state.lock:
            _resolve_username(state, params)
            body = json.dumps(params).encode()
            status, headers, payload = state.directory.forward(TARGET_PREFIX + action, body, region)
        if status != 200:  # moto's errors leave in the same wire format as ours
            moto_reply(status, payload)
        headers.pop("Content-Type", None)
        return Response(payload, status=status, headers=headers, content_type=JSON_CONTENT_TYPE)
    except CognitoError as error:
        return error_response(error)
    except Exception:  # never a 500 HTML page; details go to the log, not the client
        log.exception("internal error in the cognito-idp JSON API")
        return error_response(CognitoError("InternalErrorException", "Internal error", 500))


def _resolve_username(state: LocalCognito, params: Params) -> None:
    """Admin calls name users by Username; honour the pool's case rules, e-mail and sub
    (moto only matches the exact stored Username or e-mail)."""
    pool_id, username = params.get("UserPoolId"), params.get("Username")
    if not isinstance(pool_id, str) or not isinstance(username, str):
        return
    if not state.directory.pool_exists(pool_id):
        return
    user = state.directory.find_user(pool_id, username)
    if user is not None:
        params["Username"] = user.username


def _parse(request: Request) -> tuple[str, Params]:
    target = request.headers.get("X-Amz-Target", "")
    if not target.startswith(TARGET_PREFIX):
        raise CognitoError("UnknownOperationException", "Missing or unknown X-Amz-Target")
    action = target.removeprefix(TARGET_PREFIX)
    try:
        operation: OperationModel = service_model().operation_model(action)
    except OperationNotFoundError:
        raise CognitoError("UnknownOperationException", f"Unknown operation {action}") from None
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise CognitoError("SerializationException", "Request body too large")
    raw = request.get_data(cache=False)
    try:
        params = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise CognitoError("SerializationException", "Request body is not valid JSON") from None
    if not isinstance(params, dict):
        raise CognitoError("SerializationException", "Request body must be a JSON object")
    _validate(operation, params)
    return action, params


def _validate(operation: OperationModel, params: Params) -> None:
    """Type and required-member checks from the service model (unknown members ignored)."""
    if operation.input_shape is None:
        return
    report = ParamValidator().validate(params, operation.input_shape)
    errors = [e for e in getattr(report, "_errors", []) if e[0] != "unknown field"]
    if not errors:
        return
    kind, name, _details = errors[0]
    if kind == "invalid type":
        raise CognitoError("SerializationException", f"Invalid type for parameter {name}")
    raise invalid_parameter(
        f"{len(errors)} validation error(s) detected: {kind} for parameter {name or 'input'}"
    )


def _region(state: LocalCognito, request: Request, params: Params) -> str:
    """The region a call is for: from the pool id, the client, the signature, or the default."""
    pool_id = params.get("UserPoolId")
    if isinstance(pool_id, str) and "_" in pool_id:
        candidate = pool_id.split("_", 1)[0]
        if _REGION.match(candidate):
            return candidate
    client_id = params.get("ClientId")
    if isinstance(client_id, str):
        with state.lock:
            try:
                return state.directory.pool(state.directory.client(client_id).pool_id).region
            except CognitoError:
                pass
    match = _CREDENTIAL_REGION.search(request.headers.get("Authorization", ""))
    if match:
        return match.group(1)
    return state.default_region
