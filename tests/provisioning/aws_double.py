"""AWS behaviours the local IdP does not (yet) play, acted out in front of it by
`scripted_aws.proxied_cognito` (reference 5.1 and section 1)."""

from __future__ import annotations

from typing import Any

from tests.provisioning.scripted_aws import Answer, Forward, error

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


class OneMfaField:
    """MFA is one field per pool, as on AWS: SetUserPoolMfaConfig and UpdateUserPool write it,
    DescribeUserPool and GetUserPoolMfaConfig both report it. An UpdateUserPool without
    MfaConfiguration resets it to OFF, and UpdateUserPool cannot turn MFA on (from OFF)."""

    def __init__(self) -> None:
        self.modes: dict[str, str] = {}
        self.refused: list[str] = []

    def __call__(self, operation: str, params: dict[str, Any], forward: Forward) -> Answer:
        pool_id = str(params.get("UserPoolId", ""))
        if operation == "UpdateUserPool":
            wanted = str(params.get("MfaConfiguration", "OFF"))
            if wanted != "OFF" and self.modes.get(pool_id, "OFF") == "OFF":
                self.refused.append(operation)
                return error(
                    "InvalidParameterException",
                    "Cannot turn MFA functionality ON, once the user pool has been created.",
                )
        status, body = forward()
        if status != 200:
            return status, body
        if operation == "CreateUserPool":
            pool_id = body["UserPool"]["Id"]
            self.modes[pool_id] = str(params.get("MfaConfiguration", "OFF"))
        elif operation in ("UpdateUserPool", "SetUserPoolMfaConfig"):
            self.modes[pool_id] = str(params.get("MfaConfiguration", "OFF"))
        elif operation == "DescribeUserPool":
            body["UserPool"]["MfaConfiguration"] = self.modes.get(pool_id, "OFF")
        elif operation == "GetUserPoolMfaConfig":
            body["MfaConfiguration"] = self.modes.get(pool_id, "OFF")
        return status, body


class IssuerHost:
    """Discovery reports the issuer under another host (AWS's `cognito-idp.{region}` or the
    UPDATED `issuer-cognito-idp.{region}` form), as an emulator serving real-form tokens does."""

    def __init__(self, host: str) -> None:
        self.host = host

    def __call__(self, path: str, forward: Forward) -> tuple[int, Any]:
        status, body = forward()
        if status == 200 and path.endswith(DISCOVERY_SUFFIX):
            pool_id = path.removesuffix(DISCOVERY_SUFFIX).rsplit("/", 1)[-1]
            body["issuer"] = f"https://{self.host}/{pool_id}"
        return status, body
