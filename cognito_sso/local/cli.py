"""``cognito-sso local``: run the local IdP in the foreground until Ctrl-C (or SIGTERM).

    cognito-sso local [--host 127.0.0.1] [--port 9229]

Prints the base URL (the boto3 ``endpoint_url`` and the issuer prefix) on the first line of
standard output, then serves until interrupted, and exits with status 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from cognito_sso.local.server import run_in_thread
from cognito_sso.urls import is_loopback_host


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-sso local",
        description="Run the local Cognito-compatible identity provider.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=9229, help="port to listen on (9229)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the local IdP until interrupted; returns the process exit status."""
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"error: port {args.port} is not between 0 and 65535", file=sys.stderr)
        return 2
    if not is_loopback_host(args.host):
        print(
            f"warning: listening on {args.host}: anyone who can reach it can mint tokens",
            file=sys.stderr,
        )
    try:
        server = run_in_thread(host=args.host, port=args.port)
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _on_signal)
    # Ctrl-C raises KeyboardInterrupt even when started with SIGINT ignored (e.g. `cmd &`).
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:  # from here on a signal stops the server cleanly, even one sent during the banner
        print(server.base_url, flush=True)
        print(
            f"Local Cognito is running: JSON API at {server.base_url}/, "
            f"outbox at {server.base_url}/_outbox. Press Ctrl-C to stop.",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        server.stop()
    print("Local Cognito stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
