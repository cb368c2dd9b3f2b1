"""Calling moto's cognito-idp API from a handler (through the adapter)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.params import Params
from cognito_sso.local.errors import CognitoError
from cognito_sso.local.moto_adapter.backends import TARGET_PREFIX

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


def forward_json(state: LocalCognito, action: str, params: Params, region: str) -> dict[str, Any]:
    """moto's answer to one cognito-idp action, errors raised as `CognitoError`."""
    status, _headers, payload = state.directory.forward(
        TARGET_PREFIX + action, json.dumps(params).encode(), region
    )
    return moto_reply(status, payload)


def moto_reply(status: int, payload: bytes) -> dict[str, Any]:
    """moto's JSON answer, or its error raised as a `CognitoError`."""
    body = json.loads(payload or b"{}")
    if status != 200:
        raise CognitoError(
            str(body.get("__type", "InternalErrorException")), str(body.get("message", "")), status
        )
    return dict(body)
