"""What real Cognito would refuse in a request, beyond what boto3 checks before sending.

botocore's own ParamValidator checks members, types, required keys and minimums only; AWS
also enforces the model's maximums, enums and patterns, and some combinations of fields
(reference 5.1-5.5, 3.4). `problems(service_model, operation, params)` lists them all.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import ListShape, MapShape, ServiceModel, Shape, StringShape, StructureShape
from botocore.validate import ParamValidator

# Java's \p{..} classes (used by the Cognito model) approximated for Python's `re`.
_P_VISIBLE = r"\w!-/:-@\[-`{-~\u00a1-\uffff"
_P_SPACE = r" \u00a0\u2000-\u200a\u2028\u2029\u3000"
_LEGACY_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# field: (TokenValidityUnits key, default unit, min seconds, max seconds) -- reference 3.4
_VALIDITY = {
    "AccessTokenValidity": ("AccessToken", "hours", 300, 86400),
    "IdTokenValidity": ("IdToken", "hours", 300, 86400),
    "RefreshTokenValidity": ("RefreshToken", "days", 3600, 3650 * 86400),
}


def _python_pattern(pattern: str) -> re.Pattern[str]:
    translated = pattern.replace(r"\p{L}\p{M}\p{S}\p{N}\p{P}", _P_VISIBLE).replace(
        r"\p{Z}", _P_SPACE
    )
    return re.compile(translated, re.DOTALL)


def _shape_problems(shape: Shape, value: Any, path: str) -> list[str]:
    found: list[str] = []
    meta = shape.metadata
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                found += _shape_problems(shape.members[key], item, f"{path}.{key}")
        return found
    if isinstance(shape, ListShape) and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"{path}: more than {meta['max']} items")
        for i, item in enumerate(value):
            found += _shape_problems(shape.member, item, f"{path}[{i}]")
        return found
    if isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            found += _shape_problems(shape.key, key, f"{path} key")
            found += _shape_problems(shape.value, item, f"{path}.{key}")
        return found
    if isinstance(value, str):
        if isinstance(shape, StringShape) and shape.enum and value not in shape.enum:
            found.append(f"{path}: {value!r} is not one of {shape.enum}")
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"{path}: longer than {meta['max']}")
        if "pattern" in meta and not _python_pattern(meta["pattern"]).fullmatch(value):
            found.append(f"{path}: {value!r} does not match {meta['pattern']}")
    if isinstance(value, int) and not isinstance(value, bool) and "max" in meta:
        if value > meta["max"]:
            found.append(f"{path}: {value} is above {meta['max']}")
    return found


def _pool_rules(params: dict[str, Any]) -> list[str]:
    found: list[str] = []
    template = params.get("VerificationMessageTemplate") or {}
    code_pair = {"EmailMessage", "EmailSubject"} & set(template)
    link_pair = {"EmailMessageByLink", "EmailSubjectByLink"} & set(template)
    if code_pair and link_pair:
        found.append("VerificationMessageTemplate: both the code and the link message pair")
    option = template.get("DefaultEmailOption", "CONFIRM_WITH_CODE")
    if (option == "CONFIRM_WITH_LINK" and code_pair) or (
        option == "CONFIRM_WITH_CODE" and link_pair
    ):
        found.append(f"VerificationMessageTemplate: message pair does not match {option}")
    if "{####}" not in template.get("EmailMessage", "{####}"):
        found.append("VerificationMessageTemplate.EmailMessage: no {####}")
    if not re.search(r"\{##.+##\}", template.get("EmailMessageByLink", "{##x##}")):
        found.append("VerificationMessageTemplate.EmailMessageByLink: no {##link##}")
    legacy = {"EmailVerificationMessage", "EmailVerificationSubject", "SmsVerificationMessage"}
    if template and legacy & set(params):
        found.append("legacy verification fields together with VerificationMessageTemplate")
    if params.get("UsernameAttributes") and params.get("AliasAttributes"):
        found.append("UsernameAttributes together with AliasAttributes")
    admin = params.get("AdminCreateUserConfig") or {}
    policy = (params.get("Policies") or {}).get("PasswordPolicy") or {}
    if "UnusedAccountValidityDays" in admin and "TemporaryPasswordValidityDays" in policy:
        found.append("UnusedAccountValidityDays together with TemporaryPasswordValidityDays")
    invite = admin.get("InviteMessageTemplate") or {}
    for key in ("EmailMessage", "SMSMessage"):
        if key in invite and "{####}" not in invite[key]:
            found.append(f"InviteMessageTemplate.{key}: no {{####}}")
    return found


def _client_rules(params: dict[str, Any]) -> list[str]:
    found: list[str] = []
    flows = set(params.get("ExplicitAuthFlows") or ())
    if flows & _LEGACY_FLOWS and flows - _LEGACY_FLOWS:
        found.append("ExplicitAuthFlows: legacy flows mixed with ALLOW_* flows")
    oauth = params.get("AllowedOAuthFlows") or []
    if not params.get("AllowedOAuthFlowsUserPoolClient") and (
        oauth or params.get("AllowedOAuthScopes")
    ):
        found.append("OAuth flows/scopes with AllowedOAuthFlowsUserPoolClient false")
    if "client_credentials" in oauth and len(oauth) > 1:
        found.append("client_credentials combined with other flows")
    redirect = params.get("DefaultRedirectURI")
    if redirect is not None and redirect not in (params.get("CallbackURLs") or []):
        found.append("DefaultRedirectURI not among CallbackURLs")
    units = params.get("TokenValidityUnits") or {}
    for field, (unit_key, default_unit, low, high) in _VALIDITY.items():
        value = params.get(field)
        if value:  # 0 / absent = Cognito's default
            seconds = value * _UNIT_SECONDS[units.get(unit_key, default_unit)]
            if not low <= seconds <= high:
                found.append(f"{field}: {seconds}s out of range")
    return found


def _mfa_rules(params: dict[str, Any]) -> list[str]:
    enabled = any(
        (params.get(k) or {}).get("Enabled") or (k == "SmsMfaConfiguration" and params.get(k))
        for k in ("SoftwareTokenMfaConfiguration", "SmsMfaConfiguration")
    )
    if params.get("MfaConfiguration") == "OFF" and enabled:
        return ["MFA OFF together with an enabled factor"]
    return []


def problems(model: ServiceModel, operation: str, params: dict[str, Any]) -> list[str]:
    """Everything AWS would refuse in `operation(**params)` that we know how to check."""
    shape = model.operation_model(operation).input_shape
    assert shape is not None
    report = ParamValidator().validate(params, shape)
    found = [report.generate_report()] if report.has_errors() else []
    found += _shape_problems(shape, params, operation)
    if operation in ("CreateUserPool", "UpdateUserPool"):
        found += _pool_rules(params)
    if operation == "CreateUserPool" and params.get("MfaConfiguration", "OFF") != "OFF":
        if not params.get("SmsConfiguration"):
            found.append("CreateUserPool: MFA on/optional without SmsConfiguration")
    if operation in ("CreateUserPoolClient", "UpdateUserPoolClient"):
        found += _client_rules(params)
    if operation == "SetUserPoolMfaConfig":
        found += _mfa_rules(params)
    return [f"{operation}: {p}" for p in found]
