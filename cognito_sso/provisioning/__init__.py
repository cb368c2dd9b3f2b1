"""The user pool as code: validate, plan, apply and outputs (``cognito-sso provision``);
extra ``[provision]``."""

from cognito_sso.extras import require_extra

require_extra("provision", "cognito_sso.provisioning", "boto3")
