"""Configuration keys are declared once (cognito_sso.config_keys); the docs follow them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cognito_sso.config import read_keys
from cognito_sso.config_keys import KEYS, KNOWN_KEYS, markdown_table

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION_DOC = ROOT / "docs" / "configuration.md"
KEY_MENTION = re.compile(r"(?<![A-Z_])COGNITO_[A-Z][A-Z_]*[A-Z]")
# Named on purpose as an example of a misspelling the extension warns about.
MISSPELT_EXAMPLES = {"COGNITO_SESION_STORE"}


def test_keys_are_declared_once() -> None:
    names = [key.name for key in KEYS]
    assert len(names) == len(set(names))
    assert all(key.doc and key.default_doc for key in KEYS)


def test_the_docs_table_is_generated_from_the_declarations() -> None:
    text = CONFIGURATION_DOC.read_text(encoding="utf-8")
    table = text.split("<!-- config-keys:start -->\n", 1)[1].split("<!-- config-keys:end -->")[0]
    assert table == markdown_table(), (
        "docs/configuration.md is out of date: paste cognito_sso.config_keys.markdown_table()"
    )
    listed = set(re.findall(r"^\| `(COGNITO_[A-Z_]+)` \|", table, flags=re.MULTILINE))
    assert listed == KNOWN_KEYS


@pytest.mark.parametrize("doc", ["README.md", "docs/configuration.md"])
def test_every_documented_key_exists(doc: str) -> None:
    mentioned = set(KEY_MENTION.findall((ROOT / doc).read_text(encoding="utf-8")))
    assert mentioned - KNOWN_KEYS - MISSPELT_EXAMPLES == set()


def test_defaults_come_from_the_table() -> None:
    values = read_keys({})
    assert values == {key.name: key.default for key in KEYS}
