"""Validation of Bot API parameters and answers against the shipped ``bot_api_spec.json``.

Why: the fake must refuse everything real Telegram would refuse (and a little more, e.g.
unknown parameters, which Telegram silently ignores but which always indicate a bug), and the
tests must prove that the fake's own answers are shaped like the real ones.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from .models import UploadedFile
from .tg_html import utf16_len

SPEC_PATH = Path(__file__).with_name("bot_api_spec.json")
RawValue = str | UploadedFile

_INTEGER = re.compile(r"[+-]?\d+")
_ATTACH = re.compile(r"attach://([A-Za-z0-9_-]+)")
_ARRAY = "Array of "

# Limits whose violation Telegram reports with a fixed error code instead of prose.
_LIMIT_ERRORS: dict[tuple[str, str], str] = {
    ("InlineKeyboardButton", "callback_data"): "BUTTON_DATA_INVALID",
    ("BotCommand", "command"): "BOT_COMMAND_INVALID",
    ("BotCommand", "description"): "BOT_COMMAND_DESCRIPTION_INVALID",
    ("answerCallbackQuery", "text"): "MESSAGE_TOO_LONG",
    ("InlineQueryResultArticle", "id"): "RESULT_ID_INVALID",
    ("InlineQueryResultsButton", "start_parameter"): "START_PARAM_INVALID",
}


class SpecError(ValueError):
    """A value does not fit the spec; ``str(error)`` is the text after ``Bad Request:``."""


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


class ApiSpec:
    """The compact spec plus strict checks derived from it."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.source: dict[str, Any] = dict(data["source"])
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, Any] = dict(data["methods"])
        self.types: dict[str, Any] = dict(data["types"])
        self._by_lower = {name.lower(): name for name in self.methods}

    @classmethod
    @cache
    def load(cls) -> ApiSpec:
        """Load the shipped subset once per process (never the upstream dump)."""
        return cls(json.loads(SPEC_PATH.read_text(encoding="utf-8")))

    def canonical(self, method: str) -> str | None:
        """Telegram matches method names case-insensitively."""
        return self._by_lower.get(method.lower())

    def returns(self, method: str) -> list[str]:
        """Return types of a method as listed in the spec."""
        return list(self.methods[method]["returns"])

    def fields(self, owner: str) -> dict[str, dict[str, Any]]:
        """Fields of a method or a type, by name."""
        entry = self.methods.get(owner) or self.types.get(owner) or {}
        return {f["name"]: f for f in entry.get("fields", [])}

    # ------------------------------------------------------------------ request parameters
    def parse_params(self, method: str, raw: Mapping[str, RawValue]) -> dict[str, Any]:
        """Decode and check a request's parameters; raise :class:`SpecError` on any misfit."""
        fields = self.fields(method)
        attached = {
            ref
            for value in raw.values()
            if isinstance(value, str)
            for ref in _ATTACH.findall(value)
        }
        for name, value in raw.items():
            if name in fields:
                continue
            if isinstance(value, UploadedFile) and name in attached:
                continue
            raise SpecError(f'unknown parameter "{name}" for method {method}')
        out: dict[str, Any] = {}
        for name, spec in fields.items():
            if name not in raw:
                if spec["required"]:
                    raise SpecError(f'parameter "{name}" is required')
                continue
            out[name] = self._decode_top(method, spec, raw[name], raw)
        return out

    def _decode_top(
        self, method: str, spec: Mapping[str, Any], value: RawValue, raw: Mapping[str, RawValue]
    ) -> Any:
        name = spec["name"]
        types: list[str] = spec["types"]
        expected = " or ".join(types)
        if isinstance(value, UploadedFile):
            if "InputFile" in types:
                return value
            raise SpecError(f'parameter "{name}" must be {expected}, not an uploaded file')
        scalar_error: SpecError | None = None
        for kind in (k for k in types if k in _SCALARS):
            try:
                decoded = self._decode_one(kind, value, name, raw)
            except SpecError as error:
                scalar_error = scalar_error or error
                continue
            if kind == "String":
                self._check_limits(method, spec, decoded, name)
            return decoded
        structured = [k for k in types if k not in _SCALARS]
        if not structured:
            if scalar_error is not None and len(types) == 1:
                raise scalar_error
            raise SpecError(f'parameter "{name}" must be {expected}, got {value!r:.60}')
        try:
            decoded = json.loads(value)
        except ValueError:
            raise SpecError(f"can't parse {name} JSON object") from None
        self.check(structured, decoded, name)  # picks the alternative the value resembles
        return decoded

    def _decode_one(self, kind: str, value: str, name: str, raw: Mapping[str, RawValue]) -> Any:
        if kind == "String":
            return value
        if kind == "Integer":
            if _INTEGER.fullmatch(value.strip()):
                return int(value)
            raise SpecError(f'parameter "{name}" must be Integer, got {value!r:.60}')
        if kind == "Float":
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                return number
            raise SpecError(f'parameter "{name}" must be Float, got {value!r:.60}')
        if kind == "Boolean":
            lowered = value.strip().lower()
            if lowered in ("true", "1"):
                return True
            if lowered in ("false", "0"):
                return False
            raise SpecError(f'parameter "{name}" must be Boolean, got {value!r:.60}')
        if kind == "InputFile":
            match = _ATTACH.fullmatch(value)
            part = raw.get(match.group(1)) if match else None
            if isinstance(part, UploadedFile):
                return part
            raise SpecError(f'parameter "{name}" must be an uploaded file or "attach://<part>"')
        raise SpecError(f"type {kind} is not a scalar")

    # ------------------------------------------------------------------ nested JSON values
    def check(self, types: Sequence[str], value: Any, path: str) -> None:
        """Strictly check a JSON value against alternative spec types (recursively)."""
        failures: list[tuple[str, SpecError]] = []
        for kind in types:
            try:
                self._check_one(kind, value, path)
                return
            except SpecError as error:
                failures.append((kind, error))
        if len(failures) == 1:
            raise failures[0][1]
        for kind, failure in failures:
            if self._plausible(kind, value):
                raise failure
        raise SpecError(
            f"can't parse {path}: expected {' or '.join(types)}, got {_json_kind(value)}"
        )

    def check_result(self, method: str, result: Any) -> None:
        """Check an answer of ours against the method's return types."""
        self.check(self.returns(method), result, f"{method} result")

    def _check_one(self, kind: str, value: Any, path: str) -> None:
        if kind.startswith(_ARRAY):
            if not isinstance(value, list):
                raise SpecError(f"can't parse {path}: expected {kind}, got {_json_kind(value)}")
            for index, item in enumerate(value):
                self.check([kind[len(_ARRAY) :]], item, f"{path}[{index}]")
            return
        if kind in _SCALARS:
            if not _SCALARS[kind](value):
                raise SpecError(f"can't parse {path}: expected {kind}, got {_json_kind(value)}")
            return
        spec = self.types.get(kind)
        if spec is None:
            raise SpecError(f"can't parse {path}: type {kind} is not in the shipped spec")
        if spec.get("accepts_string") and isinstance(value, str):
            return
        if "subtypes" in spec:
            self.check(spec["subtypes"], value, path)
            return
        if not isinstance(value, dict):
            raise SpecError(f"can't parse {path}: expected {kind} object, got {_json_kind(value)}")
        fields = self.fields(kind)
        if "fields" not in spec:
            return  # placeholder types such as CallbackGame
        for key in value:
            if key not in fields:
                raise SpecError(f'can\'t parse {path}: unknown field "{key}" in {kind}')
        for name, field in fields.items():
            if name not in value:
                if field["required"]:
                    raise SpecError(f'can\'t parse {path}: field "{name}" of {kind} is required')
                continue
            self.check(field["types"], value[name], f"{path}.{name}")
            const = field.get("const")
            if const is not None and value[name] != const:
                raise SpecError(f"can't parse {path}.{name}: must be {const!r} in {kind}")
            self._check_limits(kind, field, value[name], f"{path}.{name}")

    def _plausible(self, kind: str, value: Any) -> bool:
        """Whether ``value`` was evidently meant as ``kind`` (to report the useful error)."""
        if kind.startswith(_ARRAY):
            return isinstance(value, list)
        if kind in _SCALARS:
            return bool(_SCALARS[kind](value))
        spec = self.types.get(kind, {})
        if "subtypes" in spec:
            return any(self._plausible(sub, value) for sub in spec["subtypes"])
        if not isinstance(value, dict):
            return False
        for field in spec.get("fields", []):
            if field["required"] and field["name"] not in value:
                return False
            if "const" in field and value.get(field["name"]) != field["const"]:
                return False
        return True

    def _check_limits(self, owner: str, field: Mapping[str, Any], value: Any, path: str) -> None:
        if not isinstance(value, str) or field.get("after_entities"):
            return  # texts with entities are measured by the method handlers
        if "max_bytes" in field:
            size, low, high, unit = (
                len(value.encode()),
                field["min_bytes"],
                field["max_bytes"],
                "bytes",
            )
        elif "max_len" in field:
            size, low, high, unit = utf16_len(value), field["min_len"], field["max_len"], "chars"
        else:
            return
        if low <= size <= high:
            return
        code = _LIMIT_ERRORS.get((owner, field["name"]))
        if code:
            raise SpecError(code)
        raise SpecError(f"{path} must be {low}-{high} {unit} long, got {size}")


_SCALARS: dict[str, Callable[[Any], bool]] = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "InputFile": lambda v: isinstance(v, str),
}
