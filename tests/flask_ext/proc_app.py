"""A CognitoSSO app run in a separate process by test_processes.py.

Reads its Flask config (JSON) from SSO_TEST_CONFIG, serves on a free loopback port and
prints that port on stdout.
"""

from __future__ import annotations

import json
import os

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.serving import make_server

from cognito_sso import CognitoSSO

app = Flask("proc_app")
app.config.update(json.loads(os.environ["SSO_TEST_CONFIG"]))
sso = CognitoSSO(app)


@app.get("/me")
@sso.login_required
def me() -> ResponseReturnValue:
    user = sso.current_user
    return jsonify(sub=user.sub, groups=sorted(user.groups), pid=os.getpid())


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.socket.getsockname()[1], flush=True)
    server.serve_forever()
