"""Every cognito-idp operation, with empty and ill-typed bodies: clean JSON 4xx, never 5xx."""

from __future__ import annotations

import json
from typing import Any

import httpx
from botocore.session import get_session

from cognito_sso.local.testing import CognitoFactory

TARGET = "AWSCognitoIdentityProviderService."
_SAMPLES = {
    "string": "x",
    "integer": 1,
    "long": 1,
    "boolean": True,
    "list": [],
    "map": {},
    "structure": {},
    "blob": "eA==",
    "timestamp": 1,
}


def test_no_operation_answers_5xx_or_non_json(
    local_idp: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user("robust@example.com")
    model = get_session().get_service_model("cognito-idp")
    failures = []
    with httpx.Client(base_url=local_idp.base_url, timeout=10) as http:
        for operation in model.operation_names:
            shape = model.operation_model(operation).input_shape
            bodies: list[dict[str, Any]] = [{}]
            if shape is not None:
                filled: dict[str, Any] = {
                    name: _SAMPLES.get(m.type_name, "x") for name, m in shape.members.items()
                }
                filled.update(
                    {
                        k: v
                        for k, v in {
                            "UserPoolId": pool_id,
                            "ClientId": client_id,
                            "Username": "robust@example.com",
                        }.items()
                        if k in filled
                    }
                )
                bodies += [filled, {k: 123 if isinstance(v, str) else v for k, v in filled.items()}]
            for body in bodies:
                response = http.post(
                    "/",
                    content=json.dumps(body),
                    headers={
                        "X-Amz-Target": TARGET + operation,
                        "Content-Type": "application/x-amz-json-1.1",
                    },
                )
                json_type = response.headers.get("content-type", "").startswith(
                    "application/x-amz-json"
                )
                if response.status_code >= 500 or not json_type:
                    failures.append((operation, response.status_code, response.text[:120]))
                elif response.status_code >= 400:
                    assert response.headers["x-amzn-ErrorType"] == response.json()["__type"] + ":"
    assert failures == []
    assert len(model.operation_names) > 100
