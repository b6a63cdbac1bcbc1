"""Shared pieces of brief and template validation: field types and located pydantic errors."""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from mapgen.errors import Problem, did_you_mean
from mapgen.markup import clean
from mapgen.yamlio import Lines

_DURATION = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$", re.IGNORECASE)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Model(BaseModel):
    """Strict, immutable input model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_duration(value: Any) -> int:
    """``3``, ``"3d"`` -> 3 working days; ``"2w"`` -> 10."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of working days (3, 3d) or weeks (2w)")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            number = int(match.group(1))
            return number * 5 if match.group(2).lower() == "w" else number
    raise ValueError(f"'{value}' is not a duration: use working days (3, 3d) or weeks (2w)")


def _identifier(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"'{value}' is not an id: use lower-case letters, digits and _ (e.g. security_review)")
    return value


_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _template_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"'{value}' is not a template name: use lower-case letters, digits, - and _ "
                         "(e.g. acme-enterprise)")
    return value


def _role(value: Any) -> Any:
    """``Economic Buyer`` and ``economic-buyer`` both mean ``economic_buyer``."""
    if isinstance(value, str):
        return re.sub(r"[\s\-]+", "_", value.strip()).lower()
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a valid date (YYYY-MM-DD)") from None
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("expected text")
    return clean(str(value))


def _placement(value: Any) -> dict[str, str]:
    from mapgen.scheduler import parse_placement

    if not isinstance(value, (str, dict)):
        raise ValueError("a placement is early, late, or {before_signature: late|early, after_signature: late|early}")
    placement = parse_placement(value)
    assert placement is not None
    return dict(placement)


Duration = Annotated[int, BeforeValidator(parse_duration)]
#: ``early``, ``late`` or a mapping by phase; always a full mapping once read (docs/scheduling.md).
Placement = Annotated[dict[str, str], BeforeValidator(_placement)]
Id = Annotated[str, AfterValidator(_identifier)]
TemplateName = Annotated[str, AfterValidator(_template_name)]
#: A role id; written loosely (``Economic Buyer``) it is normalised.
Role = Annotated[str, BeforeValidator(_role), AfterValidator(_identifier)]
Date = Annotated[dt.date, BeforeValidator(_date)]
#: Text from YAML: numbers are accepted as text, control characters dropped.
Text = Annotated[str, BeforeValidator(_text)]


def problems_from(error: ValidationError, lines: Lines, model: type[BaseModel]) -> list[Problem]:
    """One located problem per pydantic error, worded for a person editing YAML."""
    out = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if part != "[key]")
        kind = item["type"]
        where = dotted(loc)
        if kind == "extra_forbidden":
            allowed = _fields_at(model, loc[:-1])
            message = f"{where}: unknown key{did_you_mean(str(loc[-1]), allowed)}"
        elif kind == "missing":
            message = f"{where}: required"
        else:
            text = str(item["msg"])
            text = text.removeprefix("Value error, ")
            if kind == "literal_error" and isinstance(item.get("input"), str):
                expected = str((item.get("ctx") or {}).get("expected", ""))
                text = f"'{item['input']}' is not one of {expected}{did_you_mean(item['input'], _literals(expected))}"
            message = f"{where}: {text[:1].lower() + text[1:]}" if where else text
        out.append(lines.problem(loc, message))
    return out


def _literals(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected)


def dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found at ``loc``, for did-you-mean suggestions."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        elif typing.get_origin(current) in (list, tuple) and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation
