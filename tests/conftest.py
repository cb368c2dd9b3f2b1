"""Shared pytest configuration: each fixture family lives in its own module under tests/plugins."""

pytest_plugins: list[str] = [
    "cognito_sso.local.testing",
    "tests.plugins.redis_server",
    "tests.plugins.browser",
    "tests.plugins.idp_web",
    "tests.plugins.federation",
    "tests.plugins.flask_apps",
    "tests.plugins.fastapi_apps",
    "tests.plugins.adapters",
]
