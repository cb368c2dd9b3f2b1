"""The error hierarchy: every public error of the library derives from CognitoSSOError and
ends in ``Error``; the core's are exported from ``cognito_sso`` (importing them stays
Flask-free), the framework adapters' from ``cognito_sso.flask`` / ``cognito_sso.fastapi``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import cognito_sso
from cognito_sso import errors
from cognito_sso.jwks import JwksCache, parse_jwks

# The tools are not the library; the framework adapters export their errors themselves.
_TOOLS = ("cognito_sso.local", "cognito_sso.provisioning", "cognito_sso.cli")
_ADAPTERS = ("cognito_sso.flask", "cognito_sso.fastapi")


def _modules(package: str, skip: tuple[str, ...] = ()) -> list[str]:
    """The public modules of ``package`` (without importing those under ``skip``)."""
    names = [package]
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__, package + "."):
        if info.name.startswith(skip) or info.name.rsplit(".", 1)[1].startswith("_"):
            continue
        names.extend(_modules(info.name, skip) if info.ispkg else [info.name])
    return names


def _public_errors(package: str = "cognito_sso") -> dict[str, type[Exception]]:
    found: dict[str, type[Exception]] = {}
    for name in _modules(package, _TOOLS + _ADAPTERS if package == "cognito_sso" else ()):
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and not issubclass(value, Warning)
                and value.__module__ == module.__name__
                and not attr.startswith("_")
            ):
                found[attr] = value
    return found


def test_the_scan_finds_the_errors_of_every_core_area() -> None:
    found = _public_errors()
    for expected in ("InvalidTokenError", "IdPUnavailableError", "SessionStoreUnavailableError"):
        assert expected in found
    assert "LoginError" in found


@pytest.mark.parametrize("name", sorted(_public_errors()))
def test_every_public_error_is_in_the_hierarchy_and_exported(name: str) -> None:
    cls = _public_errors()[name]
    assert name.endswith("Error")
    assert issubclass(cls, errors.CognitoSSOError)
    assert name in cognito_sso.__all__
    assert getattr(cognito_sso, name) is cls


_ADAPTER_ERRORS = [(a, name) for a in _ADAPTERS for name in sorted(_public_errors(a))]


def test_the_scan_finds_the_http_errors_of_both_adapters() -> None:
    assert {"AuthenticationRequiredError", "PermissionDeniedError"} <= {
        name for adapter, name in _ADAPTER_ERRORS if adapter == "cognito_sso.flask"
    }
    assert {"SignInRequiredError", "ServiceUnavailableError", "PermissionDeniedError"} <= {
        name for adapter, name in _ADAPTER_ERRORS if adapter == "cognito_sso.fastapi"
    }


@pytest.mark.parametrize(("adapter", "name"), _ADAPTER_ERRORS)
def test_every_adapter_error_is_in_the_hierarchy_and_exported(adapter: str, name: str) -> None:
    cls = _public_errors(adapter)[name]
    package = importlib.import_module(adapter)
    assert name.endswith("Error")
    assert issubclass(cls, errors.CognitoSSOError)
    assert name in package.__all__
    assert getattr(package, name) is cls
    core = getattr(errors, name, None)  # the 401 and 403: the core class of the same name
    assert core is None or issubclass(cls, core)


def test_every_exported_name_resolves() -> None:
    for name in cognito_sso.__all__:
        assert getattr(cognito_sso, name) is not None
    assert set(errors.__all__) <= set(cognito_sso.__all__)
    with pytest.raises(AttributeError):
        cognito_sso.NoSuchName  # noqa: B018


def test_errors_import_without_flask_or_http_client() -> None:
    code = (
        "import sys, cognito_sso\n"
        "cognito_sso.InvalidTokenError, cognito_sso.CognitoSSOError\n"
        "cognito_sso.SessionStoreUnavailableError, cognito_sso.TokenVerifier\n"
        "assert 'flask' not in sys.modules, 'flask imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("document", [b"not json", b"{}", b'{"keys": []}', {"keys": "x"}])
def test_an_unusable_jwks_raises_invalid_jwks_error(document: object) -> None:
    with pytest.raises(errors.InvalidJwksError) as info:
        parse_jwks(document)  # type: ignore[arg-type]
    assert isinstance(info.value, errors.CognitoSSOError)
    assert isinstance(info.value, ValueError)  # as before it joined the hierarchy
    cache = JwksCache("https://idp.example/jwks.json")
    with pytest.raises(errors.InvalidJwksError):
        cache.load(document)  # type: ignore[arg-type]


def test_typed_claim_errors_keep_their_families() -> None:
    assert issubclass(errors.MissingClaimError, errors.InvalidClaimError)
    assert issubclass(errors.ClaimTypeError, errors.InvalidClaimError)
    assert issubclass(errors.TokenIssuedInFutureError, errors.TokenNotYetValidError)
    assert issubclass(errors.InvalidAuthorizedPartyError, errors.InvalidAudienceError)
    assert issubclass(errors.InvalidClientIdError, errors.InvalidAudienceError)
