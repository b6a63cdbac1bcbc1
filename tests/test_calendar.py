"""The business calendar: weekends, public holidays by country and region, closed periods."""

from __future__ import annotations

import datetime as dt

import pytest

from mapgen.calendar import BusinessCalendar
from mapgen.errors import MapgenError

D = dt.date


def test_us_holidays_and_weekends() -> None:
    cal = BusinessCalendar("US")
    assert not cal.is_working(D(2026, 11, 26))  # Thanksgiving
    assert cal.holiday_name(D(2026, 11, 26)) and "Thanksgiving" in cal.holiday_name(D(2026, 11, 26))
    assert not cal.is_working(D(2026, 11, 28))  # Saturday
    assert cal.is_working(D(2026, 11, 27))
    assert cal.next_after(D(2026, 11, 25)) == D(2026, 11, 27)
    assert cal.previous_before(D(2026, 11, 30)) == D(2026, 11, 27)


def test_subdivisions_differ() -> None:
    epiphany = D(2027, 1, 6)
    assert not BusinessCalendar("DE-BY").is_working(epiphany)
    assert BusinessCalendar("DE-BE").is_working(epiphany)
    assert BusinessCalendar("DE").is_working(epiphany)


def test_closed_periods_and_weekends_only() -> None:
    cal = BusinessCalendar(None, closed=[(D(2026, 12, 24), D(2027, 1, 1))])
    assert not cal.is_working(D(2026, 12, 28))
    assert cal.next_after(D(2026, 12, 23)) == D(2027, 1, 4)
    assert BusinessCalendar(None).is_working(D(2026, 12, 25))  # no country: weekends only


def test_other_weekends() -> None:
    cal = BusinessCalendar(None, weekend=[4, 5])  # Friday and Saturday
    assert not cal.is_working(D(2026, 11, 27)) and cal.is_working(D(2026, 11, 29))


def test_shift_and_distance_are_inverse_across_years() -> None:
    cal = BusinessCalendar("GB")
    start = D(2026, 11, 23)
    for count in (0, 1, 5, 20, 260, 1000, -1, -300):
        moved = cal.shift(start, count)
        assert cal.is_working(moved)
        assert cal.distance(start, moved) == count


def test_a_week_with_no_working_day_is_an_error() -> None:
    with pytest.raises(MapgenError):
        BusinessCalendar(None, weekend=range(7))


def test_brief_calendar_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mapgen.testing import plan_from_brief

    text = ("deal: {name: D, amount: 5000}\nbuyer: {company: B, country: US, outcome: O}\nseller: {company: S}\n"
            "dates: {today: 2026-11-02, signature: 2026-11-26}\n")
    plan = plan_from_brief(text, tmp_path=tmp_path)
    assert plan.milestone("signature").due == D(2026, 11, 25)  # Thanksgiving: the working day before
    assert any("not a working day" in w for w in plan.warnings)
    plan = plan_from_brief(text + "calendar: {country: none}\n", tmp_path=tmp_path)
    assert plan.milestone("signature").due == D(2026, 11, 26)
    plan = plan_from_brief(text.replace("2026-11-26", "2026-12-04") + "calendar:\n  closed: [2026-12-04]\n",
                           tmp_path=tmp_path)
    assert plan.milestone("signature").due == D(2026, 12, 3)
