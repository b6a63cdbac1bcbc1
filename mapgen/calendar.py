"""Business calendar: weekends, public holidays (the ``holidays`` package) and closed periods.

Working days are indexed so that every operation the scheduler needs is O(1):
the n-th working day after a date, the working-day distance between two dates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from typing import Callable, Iterable, TypeVar

from mapgen.errors import MapgenError

_DAY = dt.timedelta(days=1)
T = TypeVar("T")


class CalendarError(MapgenError):
    """The plan's dates leave the calendar: located at the brief's ``where`` (``dates``, ``calendar``)."""

    def __init__(self, message: str, where: tuple[str, ...]) -> None:
        super().__init__(message)
        self.where = where


class BusinessCalendar:
    def __init__(self, country: str | None = None, closed: Iterable[tuple[dt.date, dt.date]] = (),
                 weekend: Iterable[int] | None = None) -> None:
        self.country, self.subdivision = split_country(country)
        self.closed = tuple(sorted(closed))
        #: The public holidays of the years indexed, by day (None: no country, no holidays).
        self._holidays: dict[dt.date, str] | None = None
        default_weekend: Iterable[int] = {5, 6}
        if self.country:
            default_weekend = country_weekend(self.country, self.subdivision)
            self._holidays = {}
        self.weekend = frozenset(weekend if weekend is not None else default_weekend)
        if len(self.weekend) >= 7:
            raise CalendarError("the calendar has no working day in the week", ("calendar", "weekend"))
        self._first: dt.date | None = None
        self._last: dt.date | None = None
        self._days: list[dt.date] = []  # working days in [_first, _last]
        self._index: dict[dt.date, int] = {}

    # -- building the index -------------------------------------------------------------------------

    def _ensure(self, day: dt.date) -> None:
        if self._first is not None and self._last is not None and self._first <= day <= self._last:
            return
        first = self._first or day
        last = self._last or day
        if day < first:
            first = min(day, first - dt.timedelta(days=366))
        if day > last:
            last = max(day, last + dt.timedelta(days=366))
        if first.year < 1900 or last.year > 2200:
            raise CalendarError(f"the plan reaches {day}, outside the calendar's range (1900-2200): "
                                "check the dates and durations", ("dates",))
        self._build(dt.date(first.year, 1, 1), dt.date(last.year, 12, 31))

    def _build(self, first: dt.date, last: dt.date) -> None:
        holidays_set: set[dt.date] = set()
        if self._holidays is not None:
            self._holidays = public_holidays(self.country, self.subdivision, first.year, last.year)  # type: ignore[arg-type]
            holidays_set = set(self._holidays)
        closed_days = set()
        for start, end in self.closed:
            day = max(start, first)
            while day <= min(end, last):
                closed_days.add(day)
                day += _DAY
        days = []
        day = first
        while day <= last:
            if day.weekday() not in self.weekend and day not in holidays_set and day not in closed_days:
                days.append(day)
            day += _DAY
        if not days:
            raise CalendarError(f"no working day between {first} and {last}", ("calendar", "closed"))
        self._first, self._last, self._days = first, last, days
        self._index = {d: i for i, d in enumerate(days)}

    # -- queries ------------------------------------------------------------------------------------

    def is_working(self, day: dt.date) -> bool:
        self._ensure(day)
        return day in self._index

    def holiday_name(self, day: dt.date) -> str | None:
        if self._holidays is None:
            return None
        self._ensure(day)
        return self._holidays.get(day)

    def holidays_between(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """The public holidays from ``first`` to ``last`` that are not already weekend days."""
        if self._holidays is None:
            return {}
        self._ensure(first)
        self._ensure(last)
        return {day: name for day, name in sorted(self._holidays.items())
                if first <= day <= last and day.weekday() not in self.weekend}

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the working day before it."""
        self._ensure(day)
        position = bisect.bisect_right(self._days, day) - 1
        while position < 0:
            self._ensure(self._first - dt.timedelta(days=1))  # type: ignore[operator]
            position = bisect.bisect_right(self._days, day) - 1
        return self._days[position]

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the working day after it."""
        self._ensure(day)
        position = bisect.bisect_left(self._days, day)
        while position >= len(self._days):
            self._ensure(self._last + dt.timedelta(days=1))  # type: ignore[operator]
            position = bisect.bisect_left(self._days, day)
        return self._days[position]

    def shift(self, working_day: dt.date, count: int) -> dt.date:
        """The working day ``count`` working days after (negative: before) ``working_day``."""
        self._ensure(working_day)
        position = self._index[working_day] + count
        while position < 0 or position >= len(self._days):
            if position < 0:
                self._ensure(self._first - dt.timedelta(days=366 + (-position) * 2))  # type: ignore[operator]
            else:
                self._ensure(self._last + dt.timedelta(days=366 + position * 2))  # type: ignore[operator]
            position = self._index[working_day] + count
        return self._days[position]

    def distance(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end`` (both working days); negative when end is earlier."""
        self._ensure(start)
        self._ensure(end)
        return self._index[end] - self._index[start]

    def next_after(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.on_or_after(day + _DAY)

    def previous_before(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        return self.on_or_before(day - _DAY)


def split_country(code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    country, _, subdivision = code.partition("-")
    return country, subdivision or None


@functools.cache
def holidays_version() -> str:
    """The ``holidays`` package's version: its data decides dates, so plans record it."""
    from importlib.metadata import version

    return version("holidays")


# -- the holidays package, through the cache ---------------------------------------------------------
#
# Importing ``holidays`` and one country's module costs more than scheduling a plan, and what they
# return is decided by the package's version and the arguments alone: each answer is kept in the
# on-disk cache (mapgen/cache.py), so a command that has seen the country before imports nothing.

def _remembered(kind: str, args: tuple[object, ...], compute: Callable[[], T]) -> T:
    from mapgen import cache

    return cache.remember(cache.key(kind, holidays_version(), repr(args)), compute)


def _country_holidays(country: str, subdivision: str | None, years: Iterable[int]):  # type: ignore[no-untyped-def]
    import holidays

    _light_countries_package()
    try:
        # English names whatever the machine's locale (holidays reads LANG otherwise): same bytes everywhere.
        return holidays.country_holidays(country, subdiv=subdivision, years=years, language="en_US")
    except NotImplementedError as exc:
        code = country + (f"-{subdivision}" if subdivision else "")
        raise MapgenError(f"no holiday calendar for '{code}': {exc}") from None


def country_weekend(country: str, subdivision: str | None) -> list[int]:
    """The weekdays (0 = Monday) that are the weekend in ``country``; an unknown country is an error."""
    return _remembered("weekend", (country, subdivision), lambda: sorted(
        getattr(_country_holidays(country, subdivision, ()), "weekend", {5, 6})))


def public_holidays(country: str, subdivision: str | None, first_year: int, last_year: int) -> dict[dt.date, str]:
    """The public holidays ``holidays`` gives for these years together (a holiday observed across New
    Year belongs to the range that holds it), with English names."""
    def compute() -> list[tuple[int, str]]:
        found = _country_holidays(country, subdivision, range(first_year, last_year + 1))
        return sorted((day.toordinal(), str(name)) for day, name in found.items())

    pairs = _remembered("holidays", (country, subdivision, first_year, last_year, "en_US"), compute)
    return {dt.date.fromordinal(ordinal): name for ordinal, name in pairs}


def weekly_occurrence(calendar: BusinessCalendar, weekday: int, time: dt.time,
                      today: dt.date) -> tuple[dt.datetime, dt.date | None, str | None]:
    """The first weekly meeting on or after ``today``, moved to the next working day when its
    day is not one: (when, the day it was moved from or None, why)."""
    day = today - dt.timedelta(days=(today.weekday() - weekday) % 7)  # this week's, maybe before today
    while True:
        held = calendar.on_or_after(day)
        if held >= today:
            moved = day if held != day else None
            reason = None
            if moved is not None:
                reason = calendar.holiday_name(day) or (
                    "a weekend" if day.weekday() in calendar.weekend else "a closed day")
            return dt.datetime.combine(held, time), moved, reason
        day += dt.timedelta(days=7)


def country_codes() -> list[str]:
    """Every country code ``holidays`` knows (with aliases such as UK), read from its registry: no country imports."""
    def compute() -> list[str]:
        from holidays.registry import EntityLoader

        return list(EntityLoader.get_country_codes(include_aliases=True))

    return _remembered("countries", (), compute)


def subdivisions_of(country: str) -> list[str] | None:
    """The subdivision codes of ``country``, or None when ``holidays`` has no calendar for it.

    Loads that country's module only: ``holidays.list_supported_countries()`` would import
    all of them (about 250 modules, 100 ms and more).
    """
    if country not in set(country_codes()):
        return None

    def compute() -> list[str]:
        import holidays

        _light_countries_package()
        return list(getattr(holidays, country).subdivisions)

    return _remembered("subdivisions", (country,), compute)


def _light_countries_package() -> None:
    """Let ``holidays.countries.<country>`` import without the package's ``__init__``.

    holidays 0.108's ``holidays/countries/__init__.py`` imports all ~250 country modules, and Python
    runs a package's ``__init__`` before any of its submodules: so even ``holidays.DE`` (a lazy
    loader that imports ``holidays.countries.germany``) costs about 100 ms of CPU per process.
    This registers the package without running its ``__init__``; the first access to one of its
    own attributes (``from holidays.countries import Germany``) still runs it, so nothing breaks.
    """
    import importlib.util
    import sys

    if "holidays.countries" in sys.modules:
        return
    spec = importlib.util.find_spec("holidays.countries")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)

    def __getattr__(name: str):  # type: ignore[no-untyped-def]
        if name.startswith("__"):
            raise AttributeError(name)
        package.__dict__.pop("__getattr__", None)
        spec.loader.exec_module(package)  # type: ignore[union-attr]
        return getattr(package, name)

    package.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules["holidays.countries"] = package
    import holidays

    holidays.__dict__.setdefault("countries", package)
