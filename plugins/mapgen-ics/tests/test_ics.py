"""The calendar a user imports, parsed back with icalendar (fixtures come from mapgen.testing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from icalendar import Calendar

from mapgen.markup import plain
from mapgen.testing import HOSTILE_STRINGS, make_plan
from mapgen_ics import uid

BRIEF = """\
deal: {name: Acme warehouse platform, amount: 250000}
buyer:
  company: Acme Corp
  country: US
  outcome: Onboard a new warehouse in **one week** instead of six.
  people:
    - {name: John Rivera, title: VP Operations, role: champion}
    - {name: Dana Cho, title: CFO, role: economic_buyer}
    - {name: Mary Lee, title: Counsel, role: legal}
seller:
  company: Northwind
  people:
    - {name: Sarah Kim, title: Account Executive, role: account_executive}
dates: {today: 2026-11-02, signature: 2026-12-18, go_live: 2027-03-01}
check_in: monday 10:00
"""


def events(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def milestone_events(data: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in events(data) if "RRULE" not in e}


def test_one_all_day_event_per_customer_facing_step(sample_plan, render):
    found = milestone_events(render("ics", sample_plan))
    visible = sample_plan.for_reader("buyer").milestones
    assert len(found) == len(visible) < len(sample_plan.milestones)  # the internal step is left out
    for step in visible:
        event = found[uid(sample_plan, step.id)]
        assert event.decoded("DTSTART") == step.due
        assert event.decoded("DTEND") == step.due + dt.timedelta(days=1)
        assert plain(step.name) in str(event["SUMMARY"])
        description = str(event["DESCRIPTION"])
        assert step.owners.buyer.name in description and step.owners.seller.name in description
        assert f"Status: {step.status_label}" in description


def test_internal_steps_when_asked_for(sample_plan, render):
    assert len(milestone_events(render("ics", sample_plan, audience="internal"))) == len(sample_plan.milestones)


def test_signature_and_go_live_are_highlighted(sample_plan, render):
    found = milestone_events(render("ics", sample_plan))
    for step_id, label in (("signature", "Target signature"), ("go_live", "Target go-live")):
        event = found[uid(sample_plan, step_id)]
        assert str(event["SUMMARY"]).startswith(f"★ {label}: ")
        assert int(event["PRIORITY"]) == 1
        assert "Key date" in event["CATEGORIES"].cats
    ordinary = next(e for u, e in found.items() if u.startswith("step_"))
    assert "PRIORITY" not in ordinary


def test_weekly_check_in_recurs_until_go_live(sample_plan, render):
    recurring = [e for e in events(render("ics", sample_plan)) if "RRULE" in e]
    assert len(recurring) == 1
    check_in = recurring[0]
    assert check_in.decoded("DTSTART") == sample_plan.next_check_in
    rule = check_in["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["UNTIL"][0].date() == sample_plan.go_live.planned


def test_weekly_check_in_skips_holidays_and_moves_to_the_next_working_day(mapgen_cli, tmp_path):
    """Thanksgiving (Thu 26 Nov 2026) is not a check-in day: the series excludes it and holds Fri 27 Nov."""
    (tmp_path / "deal.yaml").write_text(BRIEF.replace("check_in: monday 10:00", "check_in: thursday 10:00"),
                                        encoding="utf-8")
    result = mapgen_cli("generate", tmp_path / "deal.yaml", "-f", "ics", "-o", tmp_path / "out")
    assert result.code == 0, result.err
    check_in = next(e for e in events((tmp_path / "out" / "deal.ics").read_bytes()) if "RRULE" in e)
    excluded = {d.dt for d in check_in["EXDATE"].dts} if not isinstance(check_in["EXDATE"], list) else {
        d.dt for x in check_in["EXDATE"] for d in x.dts}
    extra = {d.dt for d in check_in["RDATE"].dts} if not isinstance(check_in["RDATE"], list) else {
        d.dt for x in check_in["RDATE"] for d in x.dts}
    assert dt.datetime(2026, 11, 26, 10, 0) in excluded
    assert dt.datetime(2026, 11, 27, 10, 0) in extra
    assert dt.datetime(2026, 12, 24, 10, 0) not in excluded  # an ordinary Thursday in the US


def test_uids_are_stable_so_reimporting_updates_events(sample_plan, render):
    first = milestone_events(render("ics", sample_plan))
    later = replace(sample_plan, today=sample_plan.today + dt.timedelta(days=7))
    second = milestone_events(render("ics", later))
    assert first.keys() == second.keys()
    assert len(set(first)) == len(first)
    some = next(iter(first))
    assert int(second[some]["SEQUENCE"]) > int(first[some]["SEQUENCE"])  # the newer plan wins on import


def test_same_plan_same_bytes(sample_plan, render):
    assert render("ics", sample_plan) == render("ics", make_plan())


def test_hostile_text_comes_back_exactly(hostile_plan, render):
    data = render("ics", hostile_plan)
    summaries = {str(e["SUMMARY"]) for e in events(data)}
    descriptions = "\n".join(str(e["DESCRIPTION"]) for e in events(data))
    for text in HOSTILE_STRINGS:
        if any(plain(m.name) == text for m in hostile_plan.for_reader("buyer").milestones):
            assert text in summaries
    assert HOSTILE_STRINGS[0] in descriptions  # a buyer owner's name
    assert all(uid.isascii() for uid in milestone_events(data))


def test_late_steps_are_marked(late_plan, render):
    found = milestone_events(render("ics", late_plan))
    for step in late_plan.for_reader("buyer").milestones:
        assert str(found[uid(late_plan, step.id)]["SUMMARY"]).endswith("(late)") == step.late


def test_generate_writes_a_calendar_from_a_real_brief(mapgen_cli, tmp_path):
    brief = tmp_path / "acme.yaml"
    brief.write_text(BRIEF, encoding="utf-8")
    result = mapgen_cli("generate", brief, "-f", "ics", "-o", tmp_path / "out")
    assert result.code == 0, result.err
    data = (tmp_path / "out" / "acme.ics").read_bytes()
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Acme Corp × Northwind: path to launch"
    found = milestone_events(data)
    assert "signature.acme-corp-acme-warehouse-platform@mapgen" in found
    assert found["signature.acme-corp-acme-warehouse-platform@mapgen"].decoded("DTSTART") == dt.date(2026, 12, 18)
    assert any("RRULE" in e for e in events(data))


def test_listed_by_mapgen_formats(mapgen_cli):
    result = mapgen_cli("formats")
    line = next(line for line in result.out.splitlines() if line.startswith("ics "))
    assert ".ics" in line and "only with -f" in line


@pytest.mark.parametrize("text", ["Acme\nCorp", "Acme\r\nCorp", "A\x85B", "A\u2028B\u2029C", "A\x0bB"])
def test_line_breaks_in_any_name_never_fail_the_calendar(sample_plan, render, text):
    import dataclasses

    from mapgen.plan import Deal

    plan = dataclasses.replace(sample_plan, buyer=dataclasses.replace(sample_plan.buyer, company=text),
                               seller=dataclasses.replace(sample_plan.seller, company=text),
                               deal=Deal(text, 1, "USD"),
                               milestones=tuple(dataclasses.replace(m, workstream_name=text)
                                                for m in sample_plan.milestones))
    calendar = Calendar.from_ical(render("ics", plan))
    assert "\n" not in str(calendar["X-WR-CALNAME"])
    assert len(events(render("ics", plan))) == len(events(render("ics", sample_plan)))
