"""A plain TCP forwarder on 127.0.0.1, so the load tests can take the IdP off the network.

The local IdP keeps its directory in memory, so stopping its process would lose the pool.
Instead, apps and browsers reach it through this forwarder, and "IdP down" is this process
stopped: new connections are refused, open ones are cut, the IdP's state survives behind it.

``python -m bench.tcp_proxy --listen 9301 --target 9300``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

HOST = "127.0.0.1"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _serve(listen: int, target: int) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            upstream_r, upstream_w = await asyncio.open_connection(HOST, target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_pipe(client_r, upstream_w), _pipe(upstream_r, client_w))

    server = await asyncio.start_server(handle, HOST, listen, backlog=512, reuse_address=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Forward until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(_serve(args.listen, args.target))


if __name__ == "__main__":
    main()
