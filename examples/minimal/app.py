"""The smallest service using cognito-sso: five lines of configuration.

    SECRET_KEY=... COGNITO_ISSUER=http://127.0.0.1:9229/eu-west-1_XXXXXXXXX \
    COGNITO_CLIENT_ID=... COGNITO_CLIENT_SECRET=... flask --app examples/minimal/app.py run

The app client must allow the callback http://localhost:5000/auth/callback and the sign-out
URL http://localhost:5000/auth/logged-out: `pool.toml` beside this file provisions such a
client and a user; README.md beside it has the commands.
"""

import os

from flask import Flask, render_template_string

from cognito_sso import CognitoSSO

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config["COGNITO_ISSUER"] = os.environ["COGNITO_ISSUER"]
app.config["COGNITO_CLIENT_ID"] = os.environ["COGNITO_CLIENT_ID"]
app.config["COGNITO_CLIENT_SECRET"] = os.environ.get("COGNITO_CLIENT_SECRET")
app.config["COGNITO_REDIRECT_URI"] = os.environ.get(
    "COGNITO_REDIRECT_URI", "http://localhost:5000/auth/callback"
)
sso = CognitoSSO(app)


@app.get("/")
@sso.login_required
def index() -> str:
    """A page only signed-in users see, with a sign-out button."""
    return render_template_string(
        "<p>Hello {{ current_user.email }}</p>{{ cognito_logout_form() }}"
    )
