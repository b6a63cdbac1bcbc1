"""The deal brief (docs/briefs.md): loaded from YAML, validated, every problem located."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ValidationError, WithJsonSchema, field_validator

from mapgen.errors import BriefError, MapgenError, did_you_mean
from mapgen.validation import (Date, Duration, Id, Model, Placement, ResourcesIn, Role, TemplateName, Text,
                               in_range, problems_from)
from mapgen.yamlio import Lines, load_yaml

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CHECK_IN = re.compile(r"^\s*(?:every\s+)?([a-z]+)\s+(?:at\s+)?(\d{1,2}):(\d{2})\s*$", re.IGNORECASE)
_COUNTRY = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")


def parse_weekday(word: Any) -> int:
    if not isinstance(word, str):
        raise ValueError(f"{word!r} is not a weekday (monday ... sunday)")
    word = word.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    raise ValueError(f"'{word}' is not a weekday")


def parse_check_in(value: Any) -> tuple[int, dt.time, str]:
    """``monday 10:00`` -> (0, 10:00, text)."""
    if not isinstance(value, str):
        raise ValueError("expected a weekly time such as 'monday 10:00'")
    match = _CHECK_IN.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a weekly time such as 'monday 10:00'")
    weekday = parse_weekday(match.group(1))
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise ValueError(f"'{value}': {hour:02d}:{minute:02d} is not a time of day")
    return weekday, dt.time(hour, minute), value.strip()


def _country(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    if not isinstance(value, str) or len(value) > 10 or not _COUNTRY.match(value.strip().upper()):
        raise ValueError(f"'{value}' is not a country code such as US or US-CA (ISO 3166){_place_hint(value)}")
    return value.strip().upper()


_REGION_KEYS = {"region", "state", "subdivision", "province", "county", "land", "canton"}


def _place_hint(value: Any, country: Any = None) -> str:
    """`` (did you mean DE-BY?)`` for "Bavaria", "DE-Bavaria" or "Germany"; empty when nothing fits."""
    from mapgen.places import code_for

    if not isinstance(value, str):
        return ""
    head, dash, tail = value.strip().partition("-")
    if dash and len(head) == 2 and head.isalpha() and not country:
        country, value = head, tail
    if not (isinstance(country, str) and _COUNTRY.match(country.strip().upper())):
        country = None
    code = code_for(value, country.strip().upper().partition("-")[0] if country else None)
    return f" (did you mean {code}?)" if code else ""


def _unknown_key_hint(data: dict[str, Any]) -> Any:
    """``buyer.region: Bavaria``: the region belongs in the country code (``country: DE-BY``)."""
    def hint(loc: tuple[Any, ...], value: Any) -> str | None:
        if len(loc) != 2 or loc[0] not in ("buyer", "calendar") or str(loc[1]).lower() not in _REGION_KEYS:
            return None
        section = data.get(loc[0])
        country = section.get("country") if isinstance(section, dict) else None
        if not isinstance(country, str) and loc[0] == "calendar" and isinstance(data.get("buyer"), dict):
            country = data["buyer"].get("country")
        found = _place_hint(value, country)
        code = found[len(" (did you mean "):-2] if found else None
        return (f" (a region is part of the country code: country: {code})" if code else
                " (a region is part of the country code, e.g. country: DE-BY)")
    return hint


def _closed(value: Any) -> tuple[dt.date, dt.date]:
    text = str(value).strip() if isinstance(value, str) else ""
    first, sep, last = text.partition("..")
    try:
        start = in_range(dt.date.fromisoformat(first.strip()))
        end = in_range(dt.date.fromisoformat(last.strip())) if sep else start
    except ValueError:
        raise ValueError(f"'{text[:60] or value!r}' is not a date or a period YYYY-MM-DD..YYYY-MM-DD "
                         "within 1900-2199") from None
    if end < start:
        raise ValueError(f"'{text}': the period ends before it starts")
    return start, end


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def _weekday_pattern() -> str:
    """A weekday as parse_weekday reads it: three letters or more of its name, in any case."""
    def prefixes(name: str) -> str:
        rest = ""
        for c in reversed(name[3:]):
            rest = f"({_any_case(c)}{rest})?"
        return _any_case(name[:3]) + rest
    return "(" + "|".join(prefixes(name) for name in WEEKDAYS) + ")"


_WEEKDAY = _weekday_pattern()
_DATE_TEXT = r"\d{4}-\d{2}-\d{2}"
Country = Annotated[str | None, BeforeValidator(_country), WithJsonSchema({
    "anyOf": [{"type": "string", "pattern": r"^\s*([A-Za-z]{2}(-[A-Za-z0-9]{1,3})?|" + _any_case("none") + r")\s*$"},
              {"type": "null"}],
    "description": "ISO 3166 code, optionally with a subdivision (US, DE-BY, US-CA); none for weekends only"})]
Status = Literal["not_started", "in_progress", "done", "blocked"]
CheckInText = Annotated[str, AfterValidator(lambda v: parse_check_in(v)[2]), WithJsonSchema({
    "type": "string", "pattern": rf"^\s*(every\s+)?{_WEEKDAY}\s+(at\s+)?([01]?\d|2[0-3]):[0-5]\d\s*$",
    "description": "a weekly time such as monday 10:00"})]
ClosedPeriod = Annotated[tuple[dt.date, dt.date], BeforeValidator(_closed), WithJsonSchema({
    "type": "string", "pattern": rf"^\s*{_DATE_TEXT}\s*(\.\.\s*{_DATE_TEXT}\s*)?$",
    "description": "a date, or a period YYYY-MM-DD..YYYY-MM-DD (inclusive)"})]
Weekday = Annotated[int, BeforeValidator(parse_weekday), WithJsonSchema({
    "anyOf": [{"enum": list(WEEKDAYS)}, {"type": "string", "pattern": rf"^\s*{_WEEKDAY}\s*$"}]})]


class PersonIn(Model):
    name: Text
    title: Text | None = None
    role: Role | None = None
    email: str | None = None


class Deal(Model):
    name: Text
    amount: float | None = None
    currency: str = "USD"
    segment: TemplateName | None = None  # a name on the template search path, never a folder

    @field_validator("amount", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1000:
            raise ValueError("the amount is too large")
        if isinstance(value, str) and len(value) > 40:
            raise ValueError("the amount is not a number")
        return value

    @field_validator("amount")
    @classmethod
    def _non_negative(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError(f"{value} is not an amount (a finite number)")
        if value is not None and value < 0:
            raise ValueError("an amount cannot be negative")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"'{value}' is not an ISO 4217 currency code such as USD")
        return value


class Buyer(Model):
    company: Text
    country: Country = None
    outcome: Text | None = None
    people: tuple[PersonIn, ...] = ()


class Seller(Model):
    company: Text = ""
    people: tuple[PersonIn, ...] = ()


class Dates(Model):
    today: Date | None = None
    signature: Date | None = None
    go_live: Date | None = None


class Calendar(Model):
    country: Country = "inherit"  # absent: the buyer's country; null or "none": weekends only
    closed: tuple[ClosedPeriod, ...] = ()
    weekend: tuple[Weekday, ...] | None = None

    @field_validator("weekend")
    @classmethod
    def _a_working_day(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is not None and len(set(value)) >= 7:
            raise ValueError("every day of the week is a weekend: a plan needs working days")
        return value


class OwnerNames(Model):
    """Owners given in a brief: a person's name, or a role id held by someone in the brief."""

    buyer: Text | None = None
    seller: Text | None = None


class MilestoneFacts(Model):
    """What the brief knows about a template milestone; ``due`` (and ``start``) pin its dates."""

    duration: Duration | None = None
    status: Status | None = None
    done: Date | None = None
    started: Date | None = None
    due: Date | None = None
    start: Date | None = None
    owner: OwnerNames | None = None
    note: Text | None = None
    name: Text | None = None
    resources: ResourcesIn | None = None  # replaces the template's, side by side; a side left out is kept
    skip: bool = False


class AddedStep(Model):
    id: Id
    name: Text
    workstream: Id
    duration: Duration
    after: tuple[Id, ...] = ()
    before: tuple[Id, ...] = ()
    owner: OwnerNames | None = None
    status: Status = "not_started"
    done: Date | None = None
    started: Date | None = None
    due: Date | None = None
    start: Date | None = None
    note: Text | None = None
    description: Text | None = None
    gate: Text | None = None
    criteria: tuple[Text, ...] = ()
    internal: bool = False
    resources: ResourcesIn | None = None


class RiskIn(Model):
    risk: Text
    owner: Text | None = None
    mitigation: Text | None = None


class QualificationIn(Model):
    """The seller's MEDDPICC notes: shown only with ``--audience internal`` (docs/briefs.md)."""

    metrics: tuple[Text, ...] = ()
    decision_criteria: tuple[Text, ...] = ()
    competition: tuple[Text, ...] = ()
    compelling_event: Text | None = None


class Brief(Model):
    deal: Deal
    buyer: Buyer
    seller: Seller = Seller()
    dates: Dates = Dates()
    calendar: Calendar = Calendar()
    milestones: dict[Id, MilestoneFacts] = {}
    add: tuple[AddedStep, ...] = ()
    risks: tuple[RiskIn, ...] = ()
    check_in: CheckInText | None = None
    placement: Placement | None = None
    qualification: QualificationIn | None = None

    @property
    def calendar_country(self) -> str | None:
        return self.buyer.country if self.calendar.country == "inherit" else self.calendar.country


class LoadedBrief:
    """A validated brief, its file name and where each of its values stands."""

    def __init__(self, brief: Brief, lines: Lines, path: Path) -> None:
        self.brief = brief
        self.lines = lines
        self.path = path

    @property
    def name(self) -> str:
        """The output file stem: the brief's file name without its suffix."""
        return self.path.stem

    @property
    def file(self) -> str:
        return self.lines.file


def load_brief(path: Path, display: str | None = None) -> LoadedBrief:
    """Read and validate a brief. Raises BriefError with every problem found, each located."""
    data, lines = load_yaml(path, display=display)
    if not isinstance(data, dict):
        raise BriefError("a brief is a mapping with deal, buyer, seller, dates... at the top", lines.file, 1)
    try:
        brief = Brief.model_validate(data)
    except ValidationError as exc:
        raise BriefError(problems_from(exc, lines, Brief, _unknown_key_hint(data))) from None
    problems = []
    facts_of = [(("add", index), f"add[{index}]", step, step.status) for index, step in enumerate(brief.add)]
    facts_of += [(("milestones", key), f"milestones.{key}", facts, facts.status)
                 for key, facts in brief.milestones.items()]
    for where, label, facts, status in facts_of:
        if status == "done" and facts.done is None:
            problems.append(lines.problem(where + ("status",), f"{label}: a done step needs its done date "
                                                              "(done: YYYY-MM-DD)"))
        if facts.done is not None and status not in (None, "done"):
            problems.append(lines.problem(where + ("done",), f"{label}: has a done date but status {status}"))
        if facts.started is not None and status not in (None, "in_progress", "done", "blocked"):
            problems.append(lines.problem(where + ("started",), f"{label}: has a started date but status {status}"))
        if facts.started is not None and facts.done is not None and facts.started > facts.done:
            problems.append(lines.problem(where + ("started",), f"{label}.started: {facts.started} is after its "
                                                               f"done date {facts.done}"))
        if facts.start is not None and facts.due is None:
            problems.append(lines.problem(where + ("start",), f"{label}.start: a pinned start needs its due date "
                                                             "(due: YYYY-MM-DD)"))
        if facts.start is not None and facts.due is not None and facts.start > facts.due:
            problems.append(lines.problem(where + ("start",), f"{label}.start: {facts.start} is after the pinned "
                                                             f"due date {facts.due}"))
    dates = brief.dates
    if dates.signature is None and dates.go_live is None:
        problems.append(lines.problem(("dates",), "dates: give a target signature date, a go-live date, or both"))
    if dates.signature and dates.go_live and dates.go_live < dates.signature:
        problems.append(lines.problem(("dates", "go_live"), "dates.go_live: is before the signature date"))
    country = brief.calendar_country
    if country and (message := unsupported_country(country)):
        where = ("buyer", "country") if brief.calendar.country == "inherit" else ("calendar", "country")
        problems.append(lines.problem(where, f"{'.'.join(where)}: {message}"))
    if problems:
        raise BriefError(problems)
    return LoadedBrief(brief, lines, path)


def unsupported_country(code: str) -> str | None:
    """Why ``code`` (``DE`` or ``DE-BY``) has no holiday calendar, or None when it has one."""
    from mapgen.calendar import country_codes, subdivisions_of

    country, _, subdivision = code.partition("-")
    subdivisions = subdivisions_of(country)  # imports this country's module only, not all 250
    if subdivisions is None:
        return f"no holiday calendar for country '{country}'{did_you_mean(country, country_codes())}"
    if subdivision and subdivision not in subdivisions:
        return (f"no holiday calendar for subdivision '{subdivision}' of {country}"
                f"{did_you_mean(subdivision, subdivisions)}")
    return None


def check_done_dates(loaded: LoadedBrief, today: dt.date) -> None:
    """A step cannot be done, or have started, after the plan's "as of" date (template or ``add:`` step)."""
    problems = []
    brief = loaded.brief
    facts_of = [(("milestones", key), f"milestones.{key}", facts) for key, facts in brief.milestones.items()]
    facts_of += [(("add", index), f"add[{index}]", step) for index, step in enumerate(brief.add)]
    for where, label, facts in facts_of:
        for name in ("done", "started"):
            value = getattr(facts, name)
            if value is not None and value > today:
                problems.append(loaded.lines.problem(where + (name,), f"{label}.{name}: {value} is after today "
                                                                      f"({today})"))
    if problems:
        raise MapgenError(problems)
