"""A real JWKS endpoint on loopback that tests reconfigure and that counts fetches."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.verifier.minting import POOL_ID


class JwksServer:
    """Serves ``{base}/{POOL_ID}/.well-known/jwks.json``.

    ``respond(...)`` switches the behaviour: a JWKS document, another status, a raw body,
    a delay before answering, or a body dripped slowly.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.fetches = 0
        self.reset()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/{POOL_ID}"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def reset(self) -> None:
        with self._lock:
            self.fetches = 0
            self.status = 200
            self.body: bytes = json.dumps({"keys": []}).encode()
            self.delay = 0.0
            self.drip: float | None = None
            self.omit_length = False
            self.headers: dict[str, str] = {}
            self.paths: list[str] = []

    def respond(
        self,
        document: Any = None,
        *,
        status: int = 200,
        body: bytes | None = None,
        delay: float = 0.0,
        drip: float | None = None,
        omit_length: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next fetches like this (``omit_length``: no Content-Length header)."""
        with self._lock:
            self.omit_length = omit_length
            self.headers = headers or {}
            self.status = status
            self.body = body if body is not None else json.dumps(document).encode()
            self.delay = delay
            self.drip = drip

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.fetches += 1
            self.paths.append(request.path)
            status, body, delay, drip = self.status, self.body, self.delay, self.drip
            omit_length, headers = self.omit_length, dict(self.headers)
        if request.path != f"/{POOL_ID}/.well-known/jwks.json":
            status, body = 404, b"not found"
        if delay:
            time.sleep(delay)
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                request.send_header(name, value)
            if drip is None and not omit_length:
                request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            if drip is None:
                request.wfile.write(body)
                return
            for i in range(len(body)):
                request.wfile.write(body[i : i + 1])
                request.wfile.flush()
                time.sleep(drip)
        except OSError:
            pass  # the client gave up (timeout tests)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
