"""The optional parts of cognito-sso and the pip extra that installs each.

The core (token verification) needs only ``cryptography`` and ``httpx``; a subpackage that
needs more calls :func:`require_extra` first, so a missing extra is one clear line instead of
an ``ImportError`` from deep inside.
"""

from __future__ import annotations

import importlib.util

from cognito_sso.errors import CognitoSSOError

__all__ = ["MissingExtraError", "require_extra"]


class MissingExtraError(CognitoSSOError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require_extra(extra: str, part: str, *modules: str) -> None:
    """Raise :class:`MissingExtraError` unless every module in ``modules`` is importable.

    ``part`` names what needs them (``"cognito_sso.flask"``) for the message.
    """
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(
                f"{part} needs {module!r}, which is not installed: "
                f"pip install 'cognito-sso[{extra}]'",
                name=module,
            )
