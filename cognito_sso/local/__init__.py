"""The local Cognito-compatible identity provider (``cognito-sso local``); extra ``[local]``."""

from cognito_sso.extras import require_extra

require_extra("local", "cognito_sso.local", "flask", "boto3", "moto", "joserfc", "pyotp", "segno")
