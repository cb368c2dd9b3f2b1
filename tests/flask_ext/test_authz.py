"""Decorators on users in different groups, signed in through the hosted UI."""

from __future__ import annotations

from tests.plugins.flask_apps import SSOEnv


def test_decorators_by_group(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    admin = sso_env.user(groups=["billing-admins"])
    reader = sso_env.user(groups=["billing-readers"])
    both = sso_env.user(groups=["billing-admins", "reports"])
    nobody = sso_env.user()

    expected = {
        # path: (admin, reader, both, nobody)
        "/invoices/new": (200, 403, 200, 403),
        "/reports": (200, 403, 200, 403),
        "/both": (403, 403, 200, 403),
        "/me": (200, 200, 200, 200),
    }
    for index, email in enumerate((admin, reader, both, nobody)):
        browser = sso_env.signed_in(app.url("/me"), email)
        for path, statuses in expected.items():
            response = browser.get(app.url(path))
            assert response.status_code == statuses[index], (email, path, response.text)


def test_403_names_what_is_missing(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    reader = sso_env.user(groups=["billing-readers"])
    browser = sso_env.signed_in(app.url("/me"), reader)

    page = browser.get(app.url("/invoices/new"))
    assert page.status_code == 403
    assert "invoices:create" in page.text
    assert page.headers["content-type"].startswith("text/html")

    api = browser.get(app.url("/both"), headers={"Accept": "application/json"})
    assert api.status_code == 403
    assert api.json()["missing_groups"] == ["reports", "billing-admins"]

    # group names are exact and case-sensitive
    app2 = sso_env.app(
        setup=lambda flask_app, sso: flask_app.add_url_rule(
            "/case", "case", sso.groups_required("Billing-Readers")(lambda: "ok")
        )
    )
    browser2 = sso_env.signed_in(app2.url("/me"), reader)
    assert browser2.get(app2.url("/case")).status_code == 403


def test_app_errorhandler_can_override_403(sso_env: SSOEnv) -> None:
    from cognito_sso.flask import PermissionDeniedError

    def setup(flask_app, sso):  # type: ignore[no-untyped-def]
        @flask_app.errorhandler(403)
        def forbidden(error):  # type: ignore[no-untyped-def]
            assert isinstance(error, PermissionDeniedError)
            return f"custom: {','.join(error.denial.missing_permissions)}", 403

    app = sso_env.app(setup=setup)
    reader = sso_env.user(groups=["billing-readers"])
    browser = sso_env.signed_in(app.url("/me"), reader)
    page = browser.get(app.url("/invoices/new"))
    assert page.status_code == 403
    assert page.text == "custom: invoices:create"
