"""Shared pytest configuration: each fixture family lives in its own module under tests/plugins."""

pytest_plugins: list[str] = [
    "tests.plugins.redis_server",
]
