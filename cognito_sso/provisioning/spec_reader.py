"""A small typed reader over a parsed TOML table that collects every problem at once.

Each accessor records the key as known, checks the value's type (and ranges/choices when
asked) and on a problem records it with its full dotted spec key and returns a default, so
validation can continue and report everything in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec, tied to the dotted key it concerns."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


class TableReader:
    """Typed access to one TOML table; unknown keys are reported by `close()`."""

    def __init__(self, data: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
        self._data = data
        self._path = path
        self._problems = problems
        self._seen: set[str] = set()

    # -- helpers -------------------------------------------------------------------------
    def key(self, name: str) -> str:
        """The full dotted key of `name` inside this table."""
        if not name:
            return self._path
        return f"{self._path}.{name}" if self._path else name

    def problem(self, name: str, message: str) -> None:
        """Record a problem for key `name` of this table."""
        self._problems.append(Problem(self.key(name), message))

    def has(self, name: str) -> bool:
        """True when the key is present in the table (marks it as known)."""
        self._seen.add(name)
        return name in self._data

    def _get(self, name: str) -> Any:
        self._seen.add(name)
        return self._data.get(name, _MISSING)

    def _wrong_type(self, name: str, expected: str, value: Any) -> None:
        self.problem(name, f"expected {expected}, got {_type_name(value)}")

    # -- scalars -------------------------------------------------------------------------
    def string(
        self,
        name: str,
        *,
        default: str | None = None,
        required: bool = False,
        choices: Iterable[str] | None = None,
        min_len: int | None = None,
        max_len: int | None = None,
        pattern: str | None = None,
    ) -> str | None:
        """A string value (or `default`), checked against choices, length and pattern."""
        value = self._get(name)
        if value is _MISSING:
            if required:
                self.problem(name, "is required")
            return default
        if not isinstance(value, str):
            self._wrong_type(name, "string", value)
            return default
        if choices is not None:
            allowed = list(choices)
            if value not in allowed:
                self.problem(name, f"must be one of {', '.join(allowed)}; got {value!r}")
                return default
        if min_len is not None and len(value) < min_len:
            self.problem(name, f"must be at least {min_len} characters long")
        if max_len is not None and len(value) > max_len:
            self.problem(name, f"must be at most {max_len} characters long")
        if pattern is not None and not re.fullmatch(pattern, value):
            self.problem(name, f"{value!r} does not match {pattern}")
        return value

    def boolean(self, name: str, *, default: bool) -> bool:
        """A boolean value (or `default`)."""
        value = self._get(name)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong_type(name, "boolean", value)
            return default
        return value

    def integer(
        self, name: str, *, default: int, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        """An integer value (or `default`) within [minimum, maximum]."""
        value = self._get(name)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong_type(name, "integer", value)
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problem(name, f"must be between {minimum} and {maximum}; got {value}")
            return default
        return value

    def optional_integer(
        self, name: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        """An integer value or None when absent."""
        if name not in self._data:
            self._seen.add(name)
            return None
        return self.integer(name, default=0, minimum=minimum, maximum=maximum)

    def strings(
        self,
        name: str,
        *,
        default: tuple[str, ...] | None = (),
        choices: Iterable[str] | None = None,
        max_items: int | None = None,
    ) -> tuple[str, ...] | None:
        """An array of strings (or `default`); each item checked against choices."""
        value = self._get(name)
        if value is _MISSING:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._wrong_type(name, "array of strings", value)
            return default
        if choices is not None:
            allowed = list(choices)
            bad = [v for v in value if v not in allowed]
            if bad:
                self.problem(name, f"unknown value(s) {bad}; allowed: {', '.join(allowed)}")
                return default
        if len(set(value)) != len(value):
            self.problem(name, "contains duplicates")
        if max_items is not None and len(value) > max_items:
            self.problem(name, f"at most {max_items} items allowed")
        return tuple(value)

    # -- tables --------------------------------------------------------------------------
    def table(self, name: str, *, required: bool = False) -> TableReader:
        """A sub-table reader (empty when absent or of the wrong type)."""
        value = self._get(name)
        if value is _MISSING:
            if required:
                self.problem(name, "is required")
            value = {}
        elif not isinstance(value, dict):
            self._wrong_type(name, "table", value)
            value = {}
        return TableReader(value, self.key(name), self._problems)

    def tables(self, name: str) -> dict[str, TableReader]:
        """A table of named sub-tables, e.g. `[clients.billing]`."""
        outer, children = self._children(name, dict, "table")
        return {k: TableReader(v, outer.key(k), self._problems) for k, v in children.items()}

    def string_map(self, name: str) -> dict[str, str]:
        """A table whose values are all strings, e.g. tags."""
        return self._children(name, str, "string")[1]

    def _children(
        self, name: str, kind: type, kind_name: str
    ) -> tuple[TableReader, dict[str, Any]]:
        """Sub-table `name` and its entries of type `kind` (others reported)."""
        outer = self.table(name)
        children: dict[str, Any] = {}
        for child in outer.keys():
            value = outer._get(child)
            if isinstance(value, kind):
                children[child] = value
            else:
                outer._wrong_type(child, kind_name, value)
        return outer, children

    def keys(self) -> list[str]:
        """The keys present in this table."""
        return list(self._data)

    def close(self) -> None:
        """Report every key of this table that no accessor asked for, with the closest known
        key as a suggestion (usually a misspelling)."""
        for name in self._data:
            if name not in self._seen:
                close = difflib.get_close_matches(name, sorted(self._seen), n=1)
                self.problem(
                    name, f"unknown key; did you mean {close[0]}?" if close else "unknown key"
                )
