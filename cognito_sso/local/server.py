"""Run the local IdP on a real socket (threaded werkzeug server)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from werkzeug._internal import _log
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from cognito_sso.local.app import create_app
from cognito_sso.local.state import LocalCognito


class _RequestLog(WSGIRequestHandler):
    """Logs method, path and status only: query strings may carry user input we do not log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        _log("info", '%s "%s %s" %s', self.address_string(), self.command, path, code)


@dataclass
class RunningServer:
    """A local IdP serving in a background thread."""

    base_url: str
    state: LocalCognito
    _server: BaseWSGIServer
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the thread to finish."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _bind(host: str, port: int) -> tuple[BaseWSGIServer, str]:
    """Listen on ``host:port``; a name that does not resolve or a busy port is an `OSError`.

    We bind the socket ourselves: werkzeug would print its own explanation and exit instead.
    """
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
        server = make_server(
            host,
            port,
            _placeholder_app,
            threaded=True,
            request_handler=_RequestLog,
            fd=listener.fileno(),
        )
    # the server holds its own duplicate of the descriptor
    bound_port = server.socket.getsockname()[1]
    url_host = f"[{host}]" if ":" in host else host
    return server, f"http://{url_host}:{bound_port}"


def _placeholder_app(environ: object, start_response: object) -> list[bytes]:  # pragma: no cover
    raise RuntimeError("replaced before serving")


def run_in_thread(
    host: str = "127.0.0.1", port: int = 0, *, state: LocalCognito | None = None
) -> RunningServer:
    """Start the IdP on `host:port` (0 = a free port) in a daemon thread."""
    server, base_url = _bind(host, port)
    if state is None:
        state = LocalCognito(base_url)
    server.app = create_app(state=state)
    thread = threading.Thread(target=server.serve_forever, name="local-cognito", daemon=True)
    thread.start()
    return RunningServer(base_url=base_url, state=state, _server=server, _thread=thread)


def serve_forever(host: str = "127.0.0.1", port: int = 9229) -> None:
    """Serve in the foreground until interrupted."""
    server, base_url = _bind(host, port)
    server.app = create_app(state=LocalCognito(base_url))
    server.serve_forever()
