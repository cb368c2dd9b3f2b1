"""CPU time per request of views called as a WSGI app in this process (the worker of
bench/cpu_cost.py; it runs in whichever venv holds the app, so it needs only the app).

Reads a JSON spec on stdin::

    {"app": "module:factory", "config": "/path/app.json", "requests": 2000, "rounds": 7,
     "probes": [{"name": ..., "path": "/session", "headers": {"Cookie": ...}}, ...]}

Every probe's WSGI environ is built once; each request is one call of the app with a copy
of it, the body read to the end and closed, as a WSGI server would. Probes are interleaved:
each round measures every probe once (``requests`` calls, CPU time of this process), and
the best round of each probe is kept, so load from other processes mostly drops out. A probe
costing more than ``MAX_BATCH_S / requests`` (a peer fetching the JWKS on every request)
gets fewer requests per round, at least ``MIN_BATCH``.
Prints one JSON object: ``{"us_per_request": {name: us}, "answered": {name: "200 ok" or what
came instead}, "requests": {name: per round}}``, checked before and after the measurement
(``"body"`` in the spec: the expected body; a redirect to the sign-in page would fake a
cheap request).
"""

from __future__ import annotations

import gc
import importlib
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import EnvironBuilder

MAX_BATCH_S = 1.0
MIN_BATCH = 100

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def load_app(target: str) -> WSGIApp:
    """``module:factory`` -> the app the factory returns."""
    module_name, _, factory = target.partition(":")
    app: WSGIApp = getattr(importlib.import_module(module_name), factory)()
    return app


def environ_for(path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The WSGI environ of ``GET path`` from 127.0.0.1 with ``headers``."""
    builder = EnvironBuilder(path=path, base_url="http://127.0.0.1:8000", headers=headers)
    try:
        environ: dict[str, Any] = builder.get_environ()
    finally:
        builder.close()
    environ["REMOTE_ADDR"] = "127.0.0.1"
    return environ


def call(app: WSGIApp, environ: dict[str, Any]) -> tuple[str, bytes]:
    """One request: status line and body."""
    status: list[str] = []

    def start_response(line: str, _headers: Any, _exc_info: Any = None) -> Any:
        status.append(line)
        return None

    env = dict(environ)
    env["wsgi.input"] = io.BytesIO(b"")
    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], body


def cpu_per_request(app: WSGIApp, environ: dict[str, Any], count: int) -> float:
    """CPU seconds of this process per request, over ``count`` requests."""
    gc.collect()
    started = time.process_time()
    for _ in range(count):
        call(app, environ)
    return (time.process_time() - started) / count


def _answer(response: tuple[str, bytes], expected: bytes) -> str:
    line, body = response
    if line.startswith("200 ") and body == expected:
        return "200 ok"
    return f"{line} {body[:80]!r}"


def main() -> int:
    """Run the spec from stdin; print the result as JSON."""
    spec = json.load(sys.stdin)
    os.environ["BENCH_APP_CONFIG"] = spec["config"]
    app = load_app(spec["app"])
    environs = {p["name"]: environ_for(p["path"], p.get("headers", {})) for p in spec["probes"]}
    expected = spec["body"].encode()
    answered, counts = {}, {}
    for name, environ in environs.items():
        answered[name] = _answer(call(app, environ), expected)
        # warm (caches filled, code paths imported) and size the batches: a slow view gets
        # fewer requests per round, so that no batch takes much longer than MAX_BATCH_S
        warm = cpu_per_request(app, environ, 50)
        counts[name] = max(MIN_BATCH, min(spec["requests"], int(MAX_BATCH_S / max(warm, 1e-7))))
    best = dict.fromkeys(environs, float("inf"))
    for _ in range(spec["rounds"]):
        for name, environ in environs.items():
            best[name] = min(best[name], cpu_per_request(app, environ, counts[name]))
    for name, environ in environs.items():  # still signed in afterwards
        after = _answer(call(app, environ), expected)
        answered[name] = answered[name] if after == "200 ok" else after
    us = {name: round(seconds * 1e6, 2) for name, seconds in best.items()}
    print(json.dumps({"us_per_request": us, "answered": answered, "requests": counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
