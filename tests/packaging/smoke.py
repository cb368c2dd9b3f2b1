"""Smoke test run INSIDE a clean virtualenv where only the built wheel is installed.

``python smoke.py core``  - no extras: a token this script signs verifies with TokenVerifier,
                            and the Flask adapter names its missing extra.
``python smoke.py flask`` - with ``[flask]``: a protected view answers 200 with the token
                            and 401 without.

Standalone on purpose (stdlib + the wheel's own dependencies): the repository's test helpers
are not installed there.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

POOL_ID = "eu-west-1_SmokeTest1"
CLIENT_ID = "smoke0client0id0abcdefghij"
KID = "smoke-key-1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
NUMBERS = KEY.public_key().public_numbers()
JWKS = {
    "keys": [
        {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": KID,
            "n": int_b64url(NUMBERS.n),
            "e": int_b64url(NUMBERS.e),
        }
    ]
}


class JwksHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(JWKS).encode()
        if not self.path.endswith("/.well-known/jwks.json"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def start_jwks_server() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), JwksHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/{POOL_ID}"


def access_token(issuer: str) -> str:
    now = int(time.time())
    header = {"alg": "RS256", "kid": KID}
    claims = {
        "sub": "5f2c1e9a-0000-4000-8000-000000000001",
        "iss": issuer,
        "client_id": CLIENT_ID,
        "origin_jti": "0b1c2d3e-0000-4000-8000-000000000002",
        "event_id": "0b1c2d3e-0000-4000-8000-000000000003",
        "token_use": "access",
        "scope": "openid email",
        "auth_time": now,
        "exp": now + 300,
        "iat": now,
        "jti": "0b1c2d3e-0000-4000-8000-000000000004",
        "username": "smoke",
    }
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def check_core(issuer: str, token: str) -> None:
    from cognito_sso import InvalidTokenError, TokenVerifier

    verifier = TokenVerifier(issuer, [CLIENT_ID])
    claims = verifier.verify_access_token(token, scopes=["openid"])
    assert claims["username"] == "smoke", claims
    try:
        verifier.verify_access_token(token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"))
    except InvalidTokenError:
        pass
    else:
        raise AssertionError("a token with a broken signature verified")
    try:
        import cognito_sso.flask  # noqa: F401
    except ImportError as exc:
        assert "cognito-sso[flask]" in str(exc), exc
    else:
        raise AssertionError("cognito_sso.flask imported without the [flask] extra")
    print("core: TokenVerifier verified a token; cognito_sso.flask names its extra")


def check_flask(issuer: str, token: str) -> None:
    from flask import Flask

    from cognito_sso import CognitoSSO

    app = Flask(__name__, instance_path=tempfile.mkdtemp())
    app.config.update(
        SECRET_KEY="smoke-test-secret-key-0123456789",
        COGNITO_ISSUER=issuer,
        COGNITO_CLIENT_ID=CLIENT_ID,
        COGNITO_REDIRECT_URI="http://localhost:5000/auth/callback",
    )
    sso = CognitoSSO(app)

    @app.get("/api/me")
    @sso.bearer_required()
    def me() -> dict[str, str]:
        return {"username": sso.current_user.username}

    client = app.test_client()
    ok = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.get_json() == {"username": "smoke"}, ok.data
    refused = client.get("/api/me")
    assert refused.status_code == 401, refused.status_code
    print("flask: the protected view answered 200 with the token and 401 without")


def main() -> int:
    issuer = start_jwks_server()
    token = access_token(issuer)
    {"core": check_core, "flask": check_flask}[sys.argv[1]](issuer, token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
