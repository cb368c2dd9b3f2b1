"""Errors raised inside the local IdP and how they travel over the wire."""

from __future__ import annotations


class CognitoError(Exception):
    """A cognito-idp API error, rendered as `{"__type", "message"}` with `x-amzn-ErrorType`."""

    def __init__(self, type: str, message: str, status: int = 400) -> None:
        super().__init__(f"{type}: {message}")
        self.type = type
        self.message = message
        self.status = status


class OAuthError(Exception):
    """An OAuth2 endpoint error, rendered as `{"error": ..., "error_description": ...}`."""

    def __init__(self, error: str, description: str | None = None, status: int = 400) -> None:
        super().__init__(error if description is None else f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def not_authorized(message: str) -> CognitoError:
    """The error Cognito uses for almost every authentication failure."""
    return CognitoError("NotAuthorizedException", message)


def invalid_parameter(message: str) -> CognitoError:
    """A request whose parameters Cognito would refuse."""
    return CognitoError("InvalidParameterException", message)


def resource_not_found(message: str) -> CognitoError:
    """A pool, client or other resource that does not exist."""
    return CognitoError("ResourceNotFoundException", message)
