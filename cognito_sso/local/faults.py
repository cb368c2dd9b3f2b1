"""Fault injection for tests: make a named endpoint of the local IdP misbehave on purpose.

Real components cannot be asked to fail on cue, so the local IdP can be told to, over HTTP:

``POST /_local/faults`` with a JSON body::

    {"endpoint": "token", "mode": "error", "count": 1}
    {"endpoint": "jwks", "mode": "hang", "seconds": 3, "count": 2}
    {"endpoint": "userInfo", "mode": "drop"}

- ``endpoint``: one of ``token``, ``jwks``, ``userInfo``, ``revoke``, ``discovery``,
  ``authorize`` (``/oauth2/authorize``), ``login`` (every hosted-UI page: ``/login``,
  ``/newPassword``, ``/mfa``, ``/forgotPassword``, ``/confirmForgotPassword``,
  ``/confirmUser``), ``logout``,
  ``api`` (the cognito-idp JSON API at ``POST /``).
- ``mode``:
  - ``error``: answer ``500``: ``{"error": "server_error"}`` from the OAuth2 and JSON
    endpoints, ``InternalErrorException`` from the JSON API, the error page from HTML pages;
    ``authorize`` redirects to the app with ``error=server_error`` as Cognito does;
  - ``hang``: wait ``seconds`` (default 5, at most 300), or until the faults are cleared,
    then answer normally;
  - ``drop``: close the TCP connection without sending any response (needs the werkzeug
    server, which exposes the socket; other WSGI servers get a ``500`` instead).
- ``count``: how many of the next calls to that endpoint are affected (default 1, 1-1000).

The response is ``200`` with the list of active faults. Posting again for the same endpoint
replaces its fault. ``DELETE /_local/faults`` clears them all; ``GET /_local/faults`` lists
them. Faults are checked by a ``before_request`` hook, before the endpoint does any work.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

FaultMode = Literal["error", "hang", "drop"]

ENDPOINTS: Final = frozenset(
    {"token", "jwks", "userInfo", "revoke", "discovery", "authorize", "login", "logout", "api"}
)
MODES: Final = frozenset({"error", "hang", "drop"})
MAX_SECONDS: Final = 300.0
MAX_COUNT: Final = 1000

_HOSTED_UI_PATHS: Final = frozenset(
    {"/login", "/newPassword", "/mfa", "/forgotPassword", "/confirmForgotPassword", "/confirmUser"}
)
_PATHS: Final[Mapping[str, str]] = {
    "/oauth2/token": "token",
    "/oauth2/userInfo": "userInfo",
    "/oauth2/revoke": "revoke",
    "/oauth2/authorize": "authorize",
    "/logout": "logout",
}


class FaultSpecError(ValueError):
    """The fault description posted to ``/_local/faults`` is not valid."""


@dataclass(frozen=True)
class Fault:
    """One active fault: what to do and how many more calls it affects."""

    endpoint: str
    mode: FaultMode
    seconds: float
    remaining: int


def endpoint_for_path(path: str, method: str) -> str | None:
    """Name of the fault-injectable endpoint serving ``path`` (``None`` for the others)."""
    if path == "/" and method == "POST":
        return "api"
    if path in _PATHS:
        return _PATHS[path]
    if path in _HOSTED_UI_PATHS:
        return "login"
    if path.endswith("/.well-known/openid-configuration"):
        return "discovery"
    if path.endswith("/.well-known/jwks.json"):
        return "jwks"
    return None


def parse_fault(body: Any) -> Fault:
    """Validate a JSON body posted to ``/_local/faults``; raise `FaultSpecError` if bad."""
    if not isinstance(body, dict):
        raise FaultSpecError("body must be a JSON object")
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or endpoint not in ENDPOINTS:
        raise FaultSpecError(f"endpoint must be one of {sorted(ENDPOINTS)}")
    mode = body.get("mode")
    if not isinstance(mode, str) or mode not in MODES:
        raise FaultSpecError(f"mode must be one of {sorted(MODES)}")
    seconds = body.get("seconds", 5)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise FaultSpecError("seconds must be a number")
    if not 0 <= seconds <= MAX_SECONDS:
        raise FaultSpecError(f"seconds must be between 0 and {MAX_SECONDS:g}")
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise FaultSpecError(f"count must be an integer between 1 and {MAX_COUNT}")
    checked_mode: FaultMode = "error" if mode == "error" else "hang" if mode == "hang" else "drop"
    return Fault(endpoint=endpoint, mode=checked_mode, seconds=float(seconds), remaining=count)


class Faults:
    """Thread-safe table of active faults, one per endpoint name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}
        self._released = threading.Event()  # set by clear(): ends the hangs under way

    def set(self, fault: Fault) -> None:
        """Install ``fault`` (replacing any fault already set for its endpoint)."""
        with self._lock:
            self._faults[fault.endpoint] = fault

    def clear(self) -> None:
        """Remove every fault and release the requests hanging now."""
        with self._lock:
            self._faults.clear()
            self._released.set()
            self._released = threading.Event()

    def hang(self, seconds: float) -> None:
        """Block the current request thread for ``seconds``, or until :meth:`clear`."""
        with self._lock:
            released = self._released
        released.wait(seconds)

    def active(self) -> list[dict[str, Any]]:
        """The active faults as JSON-ready dicts."""
        with self._lock:
            return [asdict(fault) for fault in self._faults.values()]

    def check(self, endpoint_name: str) -> Fault | None:
        """Consume one use of the fault set for ``endpoint_name``; ``None`` when there is none."""
        with self._lock:
            fault = self._faults.get(endpoint_name)
            if fault is None:
                return None
            if fault.remaining <= 1:
                del self._faults[endpoint_name]
            else:
                self._faults[endpoint_name] = Fault(
                    fault.endpoint, fault.mode, fault.seconds, fault.remaining - 1
                )
            return fault


def drop_connection(environ: Mapping[str, Any]) -> bool:
    """Shut the client socket down so that no response reaches the client.

    Returns ``False`` when the WSGI server does not expose its socket (then the caller
    answers 500 instead). Werkzeug treats the failed write that follows as a dropped
    connection and logs nothing.
    """
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return True
