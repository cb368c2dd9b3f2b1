"""examples/minimal/pool.toml provisions what examples/minimal/README.md says it does."""

from __future__ import annotations

import re
from pathlib import Path

from cognito_sso.local.server import RunningServer
from cognito_sso.provisioning import api

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "minimal"


def test_the_pool_gives_the_app_its_client_and_the_readme_its_dotenv_keys(
    local_idp: RunningServer, tmp_path: Path
) -> None:
    spec = api.load_spec(EXAMPLE / "pool.toml")
    conn = api.connect(endpoint_url=local_idp.base_url, region="eu-west-1")
    api.apply(conn, spec)
    outputs = api.write_outputs_for(
        conn, spec, tmp_path / "minimal.json", dotenv_path=tmp_path / "minimal.env"
    )

    service = outputs.services["minimal"]
    # app.py's default redirect URI and the extension's default sign-out page
    assert service.redirect_uri == "http://localhost:5000/auth/callback"
    assert service.logout_uri == "http://localhost:5000/auth/logged-out"
    assert "openid" in service.scopes and "aws.cognito.signin.user.admin" in service.scopes
    assert [user.email for user in spec.users] == ["dave@example.com"]

    # The README exports exactly these keys from the dotenv file, minus the MINIMAL_ prefix.
    readme = (EXAMPLE / "README.md").read_text()
    assert (
        "grep -E '^(COGNITO_ISSUER|MINIMAL_COGNITO_CLIENT_ID|MINIMAL_COGNITO_CLIENT_SECRET)='"
        in readme
    )
    dotenv = dict(
        line.split("=", 1)
        for line in (tmp_path / "minimal.env").read_text().splitlines()
        if re.match(
            r"^(COGNITO_ISSUER|MINIMAL_COGNITO_CLIENT_ID|MINIMAL_COGNITO_CLIENT_SECRET)=", line
        )
    )
    assert dotenv == {
        "COGNITO_ISSUER": outputs.issuer,
        "MINIMAL_COGNITO_CLIENT_ID": service.client_id,
        "MINIMAL_COGNITO_CLIENT_SECRET": service.client_secret,
    }
    assert all(" " not in value for value in dotenv.values())  # safe for `export $(...)`
