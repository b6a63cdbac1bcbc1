"""Shared pieces of brief and template validation: field types and located pydantic errors."""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError, WithJsonSchema

from mapgen.errors import Problem, did_you_mean
from mapgen.markup import clean
from mapgen.yamlio import Lines

_DURATION = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$", re.IGNORECASE)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Model(BaseModel):
    """Strict, immutable input model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: The longest step: ten years of working days (a longer one would run past the calendar's range).
MAX_DURATION = 2600
#: Dates a plan can use: the holiday calendars cover these years.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def parse_duration(value: Any) -> int:
    """``3``, ``"3d"`` -> 3 working days; ``"2w"`` -> 10."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of working days (3, 3d) or weeks (2w)")
    days: int | None = None
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        days = value
    elif isinstance(value, str) and len(value) <= 40:
        match = _DURATION.match(value)
        if match and len(match.group(1)) <= 12:
            number = int(match.group(1))
            days = number * 5 if match.group(2).lower() == "w" else number
    if days is None:
        raise ValueError(f"'{_shown(value)}' is not a duration: use working days (3, 3d) or weeks (2w)")
    if days > MAX_DURATION:
        raise ValueError(f"a duration of {_shown(days)} working days is longer than {MAX_DURATION} (ten years)")
    return days


def _shown(value: Any) -> str:
    """A value for a message, shortened: a 4,000-digit number must not fill the screen."""
    try:
        text = str(value)
    except ValueError:  # an int past Python's digit limit
        return "a very large number"
    return text if len(text) <= 60 else f"{text[:30]}...({len(text)} characters)"


def _identifier(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"'{value}' is not an id: use lower-case letters, digits and _ (e.g. security_review)")
    return value


_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _template_name(value: str) -> str:
    if len(value) > 64 or not _NAME.match(value):
        raise ValueError(f"'{_shown(value)}' is not a template name: use lower-case letters, digits, - and _ "
                         "(e.g. acme-enterprise)")
    return value


def _role(value: Any) -> Any:
    """``Economic Buyer`` and ``economic-buyer`` both mean ``economic_buyer``."""
    if isinstance(value, str):
        return re.sub(r"[\s\-]+", "_", value.strip()).lower()
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{_shown(value)}' is not a valid date (YYYY-MM-DD)") from None
    else:
        raise ValueError(f"{_shown(repr(value))} is not a date (YYYY-MM-DD)")
    return in_range(day)


def in_range(day: dt.date) -> dt.date:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"{day} is outside the years a plan can use ({FIRST_DATE.year}-{LAST_DATE.year})")
    return day


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("expected text")
    return clean(str(value))


def _placement(value: Any) -> dict[str, str]:
    from mapgen.plan import parse_placement

    if not isinstance(value, (str, dict)):
        raise ValueError("a placement is early, late, or {before_signature: late|early, after_signature: late|early}")
    placement = parse_placement(value)
    assert placement is not None
    return dict(placement)


# The JSON Schema of each type (``mapgen schema brief``) says what its validator accepts, not what it returns.
_DATE_SCHEMA = {"type": "string", "format": "date", "description": "YYYY-MM-DD, within 1900-2199"}
_POLICY = {"enum": ["early", "late"]}
Duration = Annotated[int, BeforeValidator(parse_duration), WithJsonSchema({
    "anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_DURATION},
              {"type": "string", "pattern": r"^\s*\d{1,12}\s*[dwDW]?\s*$"}],
    "description": "working days (3, 3d) or weeks (2w)"})]
#: ``early``, ``late`` or a mapping by phase; always a full mapping once read (docs/scheduling.md).
Placement = Annotated[dict[str, str], BeforeValidator(_placement), WithJsonSchema({
    "anyOf": [_POLICY, {"type": "object", "additionalProperties": False,
                        "properties": {"before_signature": _POLICY, "after_signature": _POLICY}}],
    "description": "early, late, or {before_signature: late|early, after_signature: late|early}"})]
Id = Annotated[str, AfterValidator(_identifier), WithJsonSchema({"type": "string", "pattern": _ID.pattern})]
TemplateName = Annotated[str, AfterValidator(_template_name), WithJsonSchema(
    {"type": "string", "maxLength": 64, "pattern": _NAME.pattern})]
#: A role id; written loosely (``Economic Buyer``) it is normalised.
Role = Annotated[str, BeforeValidator(_role), AfterValidator(_identifier), WithJsonSchema(
    {"type": "string", "pattern": r"^\s*[A-Za-z][A-Za-z0-9_\s-]*$", "description": "a role id such as economic_buyer"})]
Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema(_DATE_SCHEMA)]
#: Text from YAML: numbers are accepted as text, control characters dropped.
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": ["string", "number"]})]


_RESOURCE_KINDS = ("people", "access", "budget")


def _resource(value: Any) -> tuple[str, str]:
    """``"IT security lead, 2 days"`` (people and time) or ``{access: "SSO test tenant"}`` -> (kind, text)."""
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError("a resource is text, or one of {people: ...}, {access: ...}, {budget: ...}")
        ((kind, item),) = value.items()
        if kind not in _RESOURCE_KINDS:
            raise ValueError(f"'{_shown(kind)}' is not a kind of resource: use people, access or budget"
                             f"{did_you_mean(str(kind), _RESOURCE_KINDS)}")
    else:
        kind, item = "people", value
    try:
        words = _text(item).strip()
    except ValueError:
        raise ValueError("a resource is text, or one of {people: ...}, {access: ...}, {budget: ...}") from None
    if not words:
        raise ValueError("a resource cannot be empty")
    return kind, words


_RESOURCE_TEXT = {"type": ["string", "number"], "minLength": 1}
#: One thing a step needs from a side: text (people and time) or ``{access: text}``, ``{budget: text}``...
ResourceItem = Annotated[tuple[str, str], BeforeValidator(_resource), WithJsonSchema({
    "anyOf": [_RESOURCE_TEXT, {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": False,
                               "properties": {kind: _RESOURCE_TEXT for kind in _RESOURCE_KINDS}}],
    "description": "people and time as text (\"IT security lead, 2 days\"), or {people: ...}, {access: ...}, "
                   "{budget: ...}"})]


class ResourcesIn(Model):
    """What a step needs from each side. A side given replaces that side's list whole ([] clears it);
    a side left out keeps what the template says."""

    buyer: tuple[ResourceItem, ...] | None = None
    seller: tuple[ResourceItem, ...] | None = None

    def apply(self, current: Any) -> Any:
        """``current`` (a step's :class:`~mapgen.step.Resources`) with the sides given here replaced."""
        from mapgen.step import Resource

        def side(items: tuple[tuple[str, str], ...] | None) -> tuple[Resource, ...] | None:
            return None if items is None else tuple(Resource(kind, words) for kind, words in items)  # type: ignore[arg-type]

        return current.replaced(side(self.buyer), side(self.seller))


def problems_from(error: ValidationError, lines: Lines, model: type[BaseModel],
                  hint: "typing.Callable[[tuple[Any, ...], Any], str | None] | None" = None) -> list[Problem]:
    """One located problem per pydantic error, worded for a person editing YAML. ``hint(loc, value)``
    may word the suggestion for an unknown key (instead of the closest key's name)."""
    out = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if part != "[key]")
        kind = item["type"]
        where = dotted(loc)
        if kind == "extra_forbidden":
            allowed = _fields_at(model, loc[:-1])
            suggestion = hint(loc, item.get("input")) if hint else None
            message = f"{where}: unknown key{suggestion or did_you_mean(str(loc[-1]), allowed)}"
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
