"""Shape checks for identifiers that arrive from outside (reference section 1)."""

from __future__ import annotations

import re
from typing import Final, TypeGuard

_CLIENT_ID: Final = re.compile(r"[\w+]{1,128}")
_POOL_ID: Final = re.compile(r"[\w-]+_[0-9a-zA-Z]+")


def is_client_id(value: str | None) -> TypeGuard[str]:
    """True when ``value`` has the shape of an app client id (``[\\w+]+``, at most 128)."""
    return value is not None and _CLIENT_ID.fullmatch(value) is not None


def is_pool_id(value: str) -> bool:
    """True when ``value`` has the shape of a user pool id (``region_suffix``, at most 55)."""
    return len(value) <= 55 and _POOL_ID.fullmatch(value) is not None
