"""Run the local IdP on one port while it names itself by another base URL (a proxy in front).

``python -m bench.idp_main --port 9300 --base-url http://127.0.0.1:9301``
"""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from cognito_sso.local.app import create_app
from cognito_sso.local.state import LocalCognito


def main() -> None:
    """Serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args()
    state = LocalCognito(args.base_url)
    server = make_server("127.0.0.1", args.port, create_app(state=state), threaded=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
