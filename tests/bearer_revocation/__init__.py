"""COGNITO_BEARER_REVOCATION_CHECK_INTERVAL: revoked bearer tokens refused within the interval."""
