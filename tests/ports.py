"""Free TCP ports on loopback for the servers a test starts (free when asked: the server
binds them right after)."""

from __future__ import annotations

import socket


def free_ports(count: int) -> list[int]:
    """``count`` different free ports on 127.0.0.1 (all held while choosing, so distinct)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    """One free port on 127.0.0.1."""
    return free_ports(1)[0]
