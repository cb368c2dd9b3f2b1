"""Keep single-use codes and tokens out of web-server access logs.

The library itself never logs secrets, but the WSGI server in front of it logs every request
line, and ``/auth/callback?code=...&state=...`` carries the authorization code. Attach
:class:`RedactSecretsFilter` to the server's access logger (``install_access_log_redaction``
does it for werkzeug's, gunicorn's and uvicorn's) so those values never reach a log file.
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = (
    "code",
    "state",
    "access_token",
    "id_token",
    "refresh_token",
    "token",
    "client_secret",
    "password",
    "code_verifier",
)

_SECRET_VALUE = re.compile(
    r"(?P<name>(?:^|[?&;\s])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&;\s\"']*",
    re.IGNORECASE,
)

ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "uvicorn.access")


def redact(text: str) -> str:
    """Replace the values of secret-bearing query parameters in ``text`` with ``[redacted]``."""
    return _SECRET_VALUE.sub(r"\g<name>[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter that rewrites each record's message with :func:`redact` applied."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_access_log_redaction(logger_names: tuple[str, ...] = ACCESS_LOGGERS) -> None:
    """Attach one :class:`RedactSecretsFilter` to each named logger (idempotent)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecretsFilter) for f in logger.filters):
            logger.addFilter(RedactSecretsFilter())
