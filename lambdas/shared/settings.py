"""Lambda settings: frozen dataclasses read from environment variables once, at cold start.

Why not pydantic-settings, which STYLE rules 8 and 9 prefer: ``import pydantic_settings`` cost 155 ms of the
call-center Lambda's 620 ms import (``python -X importtime``, 2026-12-01; it also pulls in argparse and pydantic),
paid on every cold start, against 270 ms for ``import boto3``. The settings are a dozen flat strings and numbers,
so a dataclass with a few declared checks does the job at no import cost, with errors as clear: every invalid or
missing variable is named with what it must be, in one :class:`SettingsError`.

    @dataclass(frozen=True, kw_only=True)
    class MySettings:
        orders_table: str = setting("tlj-local-orders", min_length=3)   # read from ORDERS_TABLE
        budget_ms: int = setting(3000, ge=100, le=8000)

    load(MySettings)   # cached per process; tests call load.cache_clear()

Supported field types: ``str``, ``int``, ``float``, ``bool``, ``Path``, ``Literal[...]`` of strings and tuples
(given as JSON, e.g. ``[["MONDAY", "07:00", "22:00"]]``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

S = TypeVar("S")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(ValueError):
    """One or more environment variables are missing or invalid."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Check:
    ge: float | None = None
    le: float | None = None
    min_length: int | None = None
    pattern: str | None = None

    def problems(self, value: Any) -> list[str]:
        found = []
        if self.ge is not None and value < self.ge:
            found.append(f"must be at least {self.ge:g}")
        if self.le is not None and value > self.le:
            found.append(f"must be at most {self.le:g}")
        if self.min_length is not None and len(value) < self.min_length:
            found.append(f"must have at least {self.min_length} characters")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            found.append(f"must match {self.pattern}")
        return found


def setting(
    default: Any = dataclasses.MISSING,
    *,
    ge: float | None = None,
    le: float | None = None,
    min_length: int | None = None,
    pattern: str | None = None,
) -> Any:
    """A settings field with checks; without ``default`` the variable is required."""
    check = Check(ge=ge, le=le, min_length=min_length, pattern=pattern)
    return dataclasses.field(default=default, metadata={"check": check})


def from_environ(settings_class: type[S], environ: Mapping[str, str] | None = None) -> S:
    """An instance of ``settings_class`` with each field read from its upper-case environment variable."""
    env = os.environ if environ is None else environ
    hints = typing.get_type_hints(settings_class)
    values: dict[str, Any] = {}
    errors: list[str] = []
    for field in dataclasses.fields(settings_class):  # type: ignore[arg-type]
        variable = field.name.upper()
        if variable not in env:
            if field.default is dataclasses.MISSING:
                errors.append(f"{variable}: required")
            continue
        try:
            value = _convert(env[variable], hints[field.name])
        except (TypeError, ValueError) as error:
            errors.append(f"{variable}: {error}")
            continue
        check = field.metadata.get("check")
        problems = check.problems(value) if isinstance(check, Check) else []
        errors += [f"{variable}: {problem}" for problem in problems]
        values[field.name] = value
    if errors:
        raise SettingsError(f"{settings_class.__name__} is invalid: " + "; ".join(errors))
    return settings_class(**values)


@cache
def load(settings_class: type[S]) -> S:
    """The settings of ``settings_class``, read once per process (tests call ``load.cache_clear()``)."""
    return from_environ(settings_class)


def _convert(raw: str, kind: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Literal:
        if raw not in args:
            raise ValueError(f"must be one of {', '.join(map(str, args))}, got {raw!r}")
        return raw
    if kind is bool:
        if raw.strip().lower() not in _TRUE + _FALSE:
            raise ValueError(f"must be true or false, got {raw!r}")
        return raw.strip().lower() in _TRUE
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            raise ValueError(f"must be {'an integer' if kind is int else 'a number'}, got {raw!r}") from None
    if kind is Path:
        return Path(raw)
    if origin is tuple:
        try:
            return _tuples(json.loads(raw))
        except json.JSONDecodeError:
            raise ValueError("must be a JSON list") from None
    if kind is str:
        return raw
    raise TypeError(f"unsupported settings type {kind!r}")


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if not isinstance(value, str):
        raise ValueError(f"must be a JSON list of strings, got {value!r}")
    return value
