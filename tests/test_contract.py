"""The plan JSON (schema 2) and every scheduling rule of docs/scheduling.md, on real briefs.

Dates are checked against a calendar built here straight from the ``holidays`` package, not
against mapgen's own calendar module; the rules are checked one by one on the JSON, on the
examples, on fixed briefs and on random templates and briefs (statuses, pins, placements,
calendars, today on a weekend or holiday, infeasible targets).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

import holidays
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
ONE = dt.timedelta(days=1)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def brief_text(*, amount: int, country: str, today: str, signature: str | None, go_live: str | None,
               closed: str = "", milestones: str = "", extra: str = "") -> str:
    dates = f"  today: {today}\n" + (f"  signature: {signature}\n" if signature else "") + (
        f"  go_live: {go_live}\n" if go_live else "")
    return (f"deal: {{name: Generated, amount: {amount}}}\n"
            f"buyer: {{company: Buyer Co, country: {country}, outcome: Faster onboarding}}\n"
            f"seller: {{company: Seller Inc}}\n"
            f"dates:\n{dates}" + (f"calendar:\n  closed: [{closed}]\n" if closed else "") + milestones + extra)


GENERATED = {
    "smb-both-dates": brief_text(amount=40_000, country="GB", today="2026-11-23", signature="2026-12-11",
                                 go_live="2027-01-15"),
    "smb-go-live-only": brief_text(amount=20_000, country="NL", today="2026-11-23", signature=None,
                                   go_live="2027-02-01"),
    "smb-signature-only": brief_text(amount=60_000, country="FR", today="2026-12-21", signature="2027-01-08",
                                     go_live=None, milestones="milestones:\n  discovery_call: {status: done, "
                                                              "done: 2026-12-18}\n"),
    "enterprise-late": brief_text(amount=300_000, country="US-NY", today="2026-11-23", signature="2026-12-04",
                                  go_live="2027-01-29"),
    "enterprise-closed-weekend-target": brief_text(
        amount=800_000, country="DE-BY", today="2026-11-23", signature="2027-01-31", go_live="2027-05-03",
        closed='"2026-12-21..2027-01-06"',
        milestones="milestones:\n  discovery_recap: {status: done, done: 2026-11-20}\n"
                   "  security_questionnaire: {status: in_progress}\n"),
    "enterprise-board-eu-go-live-only": brief_text(amount=2_000_000, country="IE", today="2026-11-23",
                                                   signature=None, go_live="2027-06-30"),
    "enterprise-long-gap": brief_text(amount=150_000, country="AU-NSW", today="2027-03-01", signature="2027-09-30",
                                      go_live="2028-01-31"),
    "enterprise-week-into-the-deal": brief_text(
        amount=400_000, country="US", today="2026-11-09", signature="2026-12-18", go_live="2027-03-01",
        milestones="milestones:\n"
                   "  discovery_recap: {status: done, started: 2026-10-26, done: 2026-10-29}\n"
                   "  plan_agreed: {status: done, done: 2026-11-02}\n"
                   "  security_questionnaire: {status: in_progress, started: 2026-11-03}\n"
                   "  success_criteria: {status: in_progress, started: 2026-11-04, duration: 2d}\n"
                   "  executive_approval: {due: 2026-12-09}\n"
                   "  kickoff: {due: 2027-01-06}\n"
                   "  legal_review: {status: blocked, note: Waiting for the redlines}\n",
        extra="check_in: thursday 10:00\n"),
    "enterprise-early-placement": brief_text(amount=400_000, country="US", today="2026-11-09",
                                             signature="2027-01-29", go_live="2027-04-01", extra="placement: early\n"),
    "enterprise-late-placement-after-signature": brief_text(
        amount=400_000, country="US", today="2026-11-09", signature="2027-01-29", go_live="2027-04-01",
        extra="placement: {after_signature: late}\n"),
    "enterprise-pin-conflict": brief_text(
        amount=400_000, country="US", today="2026-11-09", signature="2027-01-29", go_live="2027-04-01",
        milestones="milestones:\n  executive_approval: {due: 2026-11-20}\n  board_approval: {skip: true}\n"),
    "enterprise-today-on-a-holiday": brief_text(amount=400_000, country="US", today="2026-11-26",
                                                signature="2027-02-26", go_live="2027-05-03",
                                                extra="check_in: thursday 09:00\n"),
}


@lru_cache(maxsize=None)
def calendar_for(country: str | None, closed: tuple[tuple[dt.date, dt.date], ...],
                 weekend: tuple[int, ...] = (5, 6)):  # type: ignore[no-untyped-def]
    code, _, sub = (country or "").partition("-")
    table = holidays.country_holidays(code, subdiv=sub or None, years=range(2025, 2031)) if code else {}

    def working(day: dt.date) -> bool:
        return day.weekday() not in weekend and day not in table and not any(a <= day <= b for a, b in closed)

    working.table = table  # type: ignore[attr-defined]
    return working


class Oracle:
    """Working days as the brief defines them, from ``holidays`` directly."""

    def __init__(self, brief: dict) -> None:
        cal = brief.get("calendar") or {}
        country = cal.get("country", brief["buyer"].get("country"))
        if country in (None, "none"):
            country = None
        ranges = []
        for item in cal.get("closed", []):
            a, _, b = str(item).partition("..")
            ranges.append((dt.date.fromisoformat(a), dt.date.fromisoformat(b or a)))
        weekend = tuple(sorted(WEEKDAYS.index(w) for w in cal["weekend"])) if cal.get("weekend") else (5, 6)
        self.working = calendar_for(country, tuple(ranges), weekend)
        self.table = self.working.table  # type: ignore[attr-defined]

    def after(self, day: dt.date) -> dt.date:
        day += ONE
        while not self.working(day):
            day += ONE
        return day

    def before(self, day: dt.date) -> dt.date:
        day -= ONE
        while not self.working(day):
            day -= ONE
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        return day if self.working(day) else self.before(day)

    def on_or_after(self, day: dt.date) -> dt.date:
        return day if self.working(day) else self.after(day)

    def count(self, first: dt.date, last: dt.date) -> int:
        n, day = 0, first
        while day <= last:
            n += self.working(day)
            day += ONE
        return n

    def span_end(self, start: dt.date, duration: int) -> dt.date:
        """The due date of a step of ``duration`` working days starting on working day ``start``."""
        day = start
        for _ in range(max(0, duration - 1)):
            day = self.after(day)
        return day

    def span_start(self, due: dt.date, duration: int) -> dt.date:
        day = due
        for _ in range(max(0, duration - 1)):
            day = self.before(day)
        return day

    def signed_distance(self, a: dt.date, b: dt.date) -> int:
        """Working days from a to b: positive when b is later."""
        if a == b:
            return 0
        if a < b:
            return self.count(a + ONE, b)
        return -self.signed_distance(b, a)


def cases() -> list[tuple[str, str]]:
    out = [(p.stem, p.read_text(encoding="utf-8")) for p in EXAMPLES]
    return out + sorted(GENERATED.items())


def _plan_json(path: Path, **kwargs) -> dict:  # type: ignore[no-untyped-def]
    from mapgen.builtin.json_format import plan_json
    from mapgen.pipeline import build_plan

    return json.loads(plan_json(build_plan(path, **kwargs)))


@pytest.fixture(scope="module", params=cases(), ids=[c[0] for c in cases()])
def planned(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    name, text = request.param
    path = tmp_path_factory.mktemp("briefs") / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    brief = YAML(typ="safe").load(text)
    return _plan_json(path), brief, Oracle(brief)


def d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# -- helpers over the JSON -------------------------------------------------------------------------

def _facts(brief: dict, step_id: str) -> dict:
    for added in brief.get("add") or []:
        if added["id"] == step_id:
            return added
    return (brief.get("milestones") or {}).get(step_id) or {}


def _date_of(value) -> dt.date | None:  # type: ignore[no-untyped-def]
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _preds(data: dict) -> dict[str, list[str]]:
    """Each step's predecessors, with the implicit one: a step that neither follows signature
    nor leads anywhere is needed by signature."""
    preds = {m["id"]: list(m["after"]) for m in data["milestones"]}
    succ: dict[str, set[str]] = {i: set() for i in preds}
    for i, ps in preds.items():
        for p in ps:
            succ[p].add(i)
    follows = _closure("signature", {i: sorted(s) for i, s in succ.items()})
    for i in preds:
        if i != "signature" and i not in follows and not succ[i]:
            preds["signature"].append(i)
    return preds


def _succs(preds: dict[str, list[str]]) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {i: [] for i in preds}
    for i, ps in preds.items():
        for p in ps:
            succ[p].append(i)
    return succ


def _closure(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for n in edges[stack.pop()]:
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


def _kind(m: dict, brief: dict) -> str:
    """done, pinned, started (in progress since a known date) or open."""
    facts = _facts(brief, m["id"])
    if m["status"] == "done":
        return "done"
    if facts.get("due") is not None:
        return "pinned"
    if m["status"] == "in_progress" and facts.get("started") is not None:
        return "started"
    return "open"


def _squeezed(data: dict) -> bool:
    return any("needs signature by" in w for w in data["warnings"])


# -- the checks --------------------------------------------------------------------------------------

def test_json_shape_matches_schema_2(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    assert data["schema"] == 2
    assert {"schema", "deal", "template", "placement", "buyer", "seller", "today", "calendar", "signature",
            "go_live", "milestones", "people", "risks", "next_check_in", "warnings"} <= set(data)
    assert set(data["placement"]) == {"before_signature", "after_signature"}
    keys = {"id", "number", "name", "workstream", "phase", "duration", "after", "start", "due", "earliest_start",
            "earliest_due", "latest_start", "latest_due", "actual_start", "actual_done", "pinned", "slack",
            "critical", "state", "status", "owners", "internal", "gate", "note"}
    for m in data["milestones"]:
        assert keys <= set(m), keys - set(m)
        assert m["state"] in ("done", "blocked", "late", "at_risk", "on_track")
        assert m["phase"] in ("before_signature", "after_signature")
    dues = [m["due"] for m in data["milestones"]]
    assert dues == sorted(dues), "milestones are ordered by planned due date"
    for key in ("signature", "go_live"):
        if data[key] is not None:
            assert {"target", "requested", "derived", "planned", "forecast", "feasible", "drivers"} <= set(data[key])
    for risk in data["risks"]:
        assert set(risk) >= {"risk", "owner", "mitigation", "derived"}
    assert not any(r["derived"] for r in data["risks"][:len(brief.get("risks") or [])])


def test_validates_against_the_published_schema(planned) -> None:  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads((ROOT / "mapgen" / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(planned[0])


def test_calendar_object_holds_what_recomputing_needs(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    c = data["calendar"]
    assert set(c) >= {"country", "subdivision", "weekend", "closed", "holidays", "holidays_version"}
    days = [d(x) for m in data["milestones"] for x in (m["start"], m["due"], m["latest_start"], m["latest_due"])]
    first, last = min(days + [d(data["today"])]), max(days)
    expected = {day for day in cal.table if first <= day <= last and cal.working(day) is False
                and day.weekday() not in [("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(w)
                                          for w in c["weekend"]]}
    assert {d(x) for x in c["holidays"]} >= expected
    if c["country"]:
        assert c["holidays_version"] == holidays.__version__
    for day in c["holidays"]:
        assert not cal.working(d(day))


def test_phase_is_whether_signature_needs_the_step(planned) -> None:  # type: ignore[no-untyped-def]
    data, _, _ = planned
    needed = _closure("signature", _preds(data)) | {"signature"}
    for m in data["milestones"]:
        assert m["phase"] == ("before_signature" if m["id"] in needed else "after_signature"), m["id"]


def test_actual_and_pinned_dates_hold(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    today = d(data["today"])
    for m in data["milestones"]:
        facts, kind = _facts(brief, m["id"]), _kind(m, brief)
        if kind == "done":
            assert d(m["due"]) == d(m["actual_done"]) == _date_of(facts["done"]), m["id"]
            assert m["state"] == "done" and m["slack"] is None
            started = _date_of(facts.get("started"))
            assert d(m["start"]) == d(m["actual_start"]) == (
                started or min(cal.span_start(cal.on_or_before(d(m["due"])), m["duration"]), d(m["due"])))
        elif kind == "pinned":
            assert d(m["due"]) == _date_of(facts["due"]) and m["pinned"], m["id"]
            if facts.get("start"):
                assert d(m["start"]) == _date_of(facts["start"])
        elif kind == "started":
            started = _date_of(facts["started"])
            assert d(m["start"]) == d(m["actual_start"]) == started
            assert d(m["due"]) == max(cal.span_end(cal.on_or_after(started), m["duration"]), cal.on_or_after(today))
        else:
            assert m["actual_start"] is None and m["actual_done"] is None and not m["pinned"]


def test_open_steps_span_their_duration_never_before_today(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    first = cal.on_or_after(d(data["today"]))
    for m in data["milestones"]:
        if _kind(m, brief) != "open":
            continue
        for start_key, due_key in (("start", "due"), ("earliest_start", "earliest_due"),
                                   ("latest_start", "latest_due")):
            start, due = d(m[start_key]), d(m[due_key])
            assert cal.working(start) and cal.working(due), (m["id"], start_key)
            assert due == cal.span_end(start, m["duration"]), (m["id"], start_key)
        assert d(m["start"]) >= first and d(m["earliest_start"]) >= first, f"{m['id']} planned before today"


def test_finish_to_start_on_planned_and_earliest_dates(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    first = cal.on_or_after(d(data["today"]))
    for i, preds in _preds(data).items():
        m = by_id[i]
        if _kind(m, brief) != "open":
            continue
        floor = max([cal.after(d(by_id[p]["earliest_due"])) for p in preds] + [first])
        assert d(m["earliest_start"]) == floor, i
        for p in preds:
            assert d(m["start"]) > d(by_id[p]["due"]), f"{i} starts before {p} is due"


def test_latest_dates(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    preds = _preds(data)
    succs = _succs(preds)
    sig = data["signature"]
    requested = brief["dates"].get("signature")
    if requested:
        assert d(sig["target"]) == cal.on_or_before(_date_of(requested)) and not sig["derived"]
        assert d(by_id["signature"]["latest_due"]) == d(sig["target"])
    else:
        assert sig["derived"] and d(by_id["signature"]["latest_due"]) == d(sig["target"])
    deadlines = {"signature": d(sig["target"])}
    if data["go_live"] is not None and not _squeezed(data):
        deadlines["go_live"] = d(data["go_live"]["target"])
        if brief["dates"].get("go_live"):
            assert d(data["go_live"]["target"]) == cal.on_or_before(_date_of(brief["dates"]["go_live"]))
    bound = set(deadlines)
    for key in list(deadlines):
        bound |= _closure(key, preds)

    def holds(i: str) -> dt.date:
        m, facts = by_id[i], _facts(brief, i)
        if _kind(m, brief) == "pinned":
            return _date_of(facts.get("start")) or cal.span_start(_date_of(facts["due"]), m["duration"])
        return d(m["latest_start"])

    def ends(i: str) -> dt.date:
        m = by_id[i]
        kind = _kind(m, brief)
        if kind == "done":
            return d(m["actual_done"])
        if kind == "pinned":
            return d(m["due"])
        return d(m["latest_due"])

    for i, m in by_id.items():
        due = d(m["latest_due"])
        assert d(m["latest_start"]) == cal.span_start(due, m["duration"]), i
        if i in bound:
            if i == "signature":
                continue
            limits = [cal.before(holds(s)) for s in succs[i] if s in bound]
            if i in deadlines:
                limits.append(deadlines[i])
            assert due == min(limits), f"{i}: latest due {due}, expected {min(limits)}"
        else:
            waits = [cal.after(ends(p)) for p in preds[i]] or [cal.after(d(by_id["signature"]["latest_due"]))]
            assert d(m["latest_start"]) == max(waits), f"{i} follows what it waits for"


def test_planned_dates_follow_the_placement_policy(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    first = cal.on_or_after(d(data["today"]))
    placement = data["placement"]
    given = brief.get("placement")
    if isinstance(given, str):
        assert placement == {"before_signature": given, "after_signature": given}
    elif isinstance(given, dict):
        for phase, policy in given.items():
            assert placement[phase] == policy
    elif given is None:
        assert placement == {"before_signature": "late", "after_signature": "early"}
    for i, preds in _preds(data).items():
        m = by_id[i]
        if _kind(m, brief) != "open":
            continue
        floor = max([cal.after(d(by_id[p]["due"])) for p in preds] + [first])
        if i in ("signature", "go_live"):
            target = d(data[i]["target"])
            assert d(m["start"]) == max(floor, cal.span_start(target, m["duration"])), i
            assert d(data[i]["planned"]) == d(m["due"])
        elif placement[m["phase"]] == "late" and m["status"] != "in_progress":
            assert d(m["start"]) == max(floor, d(m["latest_start"])), i
        else:
            assert d(m["start"]) == floor, i


def test_slack_and_states(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    today = d(data["today"])
    for m in data["milestones"]:
        if m["status"] == "done":
            assert m["slack"] is None and m["state"] == "done"
            continue
        assert m["slack"] == cal.signed_distance(d(m["earliest_due"]), d(m["latest_due"])), m["id"]
        late = today > d(m["latest_due"]) or d(m["earliest_due"]) > d(m["latest_due"])
        if m["status"] == "blocked":
            expected = "blocked"
        elif late:
            expected = "late"
        elif m["slack"] < 3:
            expected = "at_risk"
        else:
            expected = "on_track"
        assert m["state"] == expected, m["id"]


def test_forecast_feasibility_and_the_target_kept(planned) -> None:  # type: ignore[no-untyped-def]
    data, _, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    for key in ("signature", "go_live"):
        k = data[key]
        if k is None:
            assert key == "go_live" and "go_live" not in by_id
            continue
        assert k["forecast"] == by_id[key]["earliest_due"]
        assert k["planned"] == by_id[key]["due"]
        feasible = d(k["forecast"]) <= d(k["target"]) and not (key == "go_live" and _squeezed(data))
        assert k["feasible"] == feasible, key
        if not feasible:
            assert any(r["derived"] and "cannot be met" in r["risk"] for r in data["risks"]), key
            if by_id[key]["status"] != "done":
                assert d(by_id[key]["due"]) >= d(k["forecast"]), "planned on the forecast when the target is lost"


def test_drivers_explain_the_forecast(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    preds = _preds(data)
    first = cal.on_or_after(d(data["today"]))
    critical: set[str] = set()
    for key in ("signature", "go_live"):
        if data[key] is None:
            continue
        chain = data[key]["drivers"]
        critical |= set(chain)
        assert key not in chain
        assert not any(by_id[i]["status"] == "done" for i in chain)
        if _kind(by_id[key], brief) != "open":
            assert chain == []
            continue
        path = chain + [key]
        for a, b in zip(path, path[1:]):
            assert a in preds[b]
            assert d(by_id[b]["earliest_start"]) == cal.after(d(by_id[a]["earliest_due"])), (a, b)
        head = by_id[path[0]]
        stops = (d(head["earliest_start"]) == first or _kind(head, brief) in ("pinned", "started")
                 or (key == "go_live" and path[0] == "signature")
                 or any(by_id[p]["status"] == "done" and d(head["earliest_start"]) == cal.after(d(by_id[p]["due"]))
                        for p in preds[path[0]]))
        assert stops, f"the {key} chain stops at {path[0]} for no reason"
        if key == "go_live" and "signature" in chain:
            assert chain[0] == "signature"
    assert {i for i, m in by_id.items() if m["critical"]} == critical


def test_check_in_on_a_working_day(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    if not data["next_check_in"]:
        return
    when = dt.datetime.fromisoformat(data["next_check_in"]).date()
    today = d(data["today"])
    assert cal.working(when) and when >= today
    weekday = WEEKDAYS.index(data["check_in"].split()[0].lower()[:3] and next(
        w for w in WEEKDAYS if w.startswith(data["check_in"].split()[0].lower()[:3])))
    moved = data["next_check_in_moved_from"]
    if moved is None:
        assert when.weekday() == weekday
    else:
        usual = d(moved["date"])
        assert usual.weekday() == weekday and not cal.working(usual) and cal.on_or_after(usual) == when


def test_examples_cover_a_feasible_and_an_infeasible_plan() -> None:
    from mapgen.pipeline import build_plan

    feasibility = {p.stem: build_plan(p).feasible for p in EXAMPLES}
    assert True in feasibility.values() and False in feasibility.values()


CHECKS = (test_json_shape_matches_schema_2, test_validates_against_the_published_schema, test_calendar_object_holds_what_recomputing_needs,
          test_phase_is_whether_signature_needs_the_step, test_actual_and_pinned_dates_hold,
          test_open_steps_span_their_duration_never_before_today, test_finish_to_start_on_planned_and_earliest_dates,
          test_latest_dates, test_planned_dates_follow_the_placement_policy, test_slack_and_states,
          test_forecast_feasibility_and_the_target_kept, test_drivers_explain_the_forecast,
          test_check_in_on_a_working_day)


# -- fixed stories ------------------------------------------------------------------------------------

def _build(tmp_path: Path, text: str) -> dict:
    path = tmp_path / "brief.yaml"
    path.write_text(text, encoding="utf-8")
    return _plan_json(path)


def test_a_week_into_the_deal_tells_the_story(tmp_path: Path) -> None:
    data = _build(tmp_path, GENERATED["enterprise-week-into-the-deal"])
    by_id = {m["id"]: m for m in data["milestones"]}
    assert by_id["discovery_recap"]["start"] == "2026-10-26" and by_id["discovery_recap"]["due"] == "2026-10-29"
    assert by_id["executive_approval"]["due"] == "2026-12-09" and by_id["executive_approval"]["pinned"]
    assert by_id["kickoff"]["due"] == "2027-01-06"
    assert by_id["legal_review"]["state"] == "blocked"
    assert by_id["security_questionnaire"]["start"] == "2026-11-03"
    # after signature, forward at once: implementation starts right after kickoff
    assert by_id["implementation"]["start"] == "2027-01-07"
    # Thanksgiving is not a working day of the plan
    assert "2026-11-26" in data["calendar"]["holidays"]


def test_check_in_on_thanksgiving_moves_to_the_next_working_day(tmp_path: Path) -> None:
    data = _build(tmp_path, GENERATED["enterprise-today-on-a-holiday"])
    assert data["next_check_in"] == "2026-11-27T09:00"
    assert data["next_check_in_moved_from"] == {"date": "2026-11-26", "reason": "Thanksgiving Day"}


def test_infeasible_plan_names_its_drivers_and_the_slip(tmp_path: Path) -> None:
    data = _build(tmp_path, GENERATED["enterprise-late"])
    sig = data["signature"]
    assert not sig["feasible"] and sig["drivers"]
    assert sig["slip"] > 0
    risk = next(r for r in data["risks"] if r["derived"] and "signature" in r["risk"])
    assert "cannot be met" in risk["risk"] and f"{sig['slip']} working days later" in risk["risk"]
    assert risk["owner"]
    first = dt.date.fromisoformat(data["today"])
    assert all(dt.date.fromisoformat(m["start"]) >= first for m in data["milestones"] if m["status"] != "done")


def test_pin_conflict_is_warned_naming_both_steps_and_becomes_a_risk(tmp_path: Path) -> None:
    data = _build(tmp_path, GENERATED["enterprise-pin-conflict"])
    warning = next(w for w in data["warnings"] if "executive_approval is pinned" in w)
    assert "security_review" in warning or "technical_validation" in warning or "business_case" in warning
    assert any(r["derived"] and "booked for" in r["risk"] for r in data["risks"])


def test_pinned_date_must_be_a_working_day(tmp_path: Path, mapgen_cli) -> None:
    text = GENERATED["enterprise-pin-conflict"].replace("due: 2026-11-20", "due: 2026-11-26")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    result = mapgen_cli("plan", tmp_path / "b.yaml")
    assert result.code == 1
    assert re.search(r"b\.yaml:\d+: error: executive_approval: the pinned date 2026-11-26 is not a working day "
                     r"\(Thanksgiving Day\)", result.err), result.err


def test_done_or_started_after_today_is_an_error_for_added_steps_too(tmp_path: Path, mapgen_cli) -> None:
    text = brief_text(amount=20_000, country="US", today="2026-11-23", signature="2027-01-15", go_live=None,
                      extra="add:\n  - {id: x, name: X, workstream: evaluation, duration: 2d, status: done, "
                            "done: 2026-11-30}\n  - {id: y, name: Y, workstream: evaluation, duration: 2d, "
                            "status: in_progress, started: 2026-12-01}\n")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    result = mapgen_cli("plan", tmp_path / "b.yaml")
    assert result.code == 1
    assert re.search(r"b\.yaml:\d+: error: add\[0\]\.done: 2026-11-30 is after today", result.err)
    assert re.search(r"b\.yaml:\d+: error: add\[1\]\.started: 2026-12-01 is after today", result.err)


def test_a_step_leading_to_kickoff_without_following_signature(tmp_path: Path) -> None:
    text = brief_text(amount=400_000, country="US", today="2026-11-09", signature="2027-01-29",
                      go_live="2027-04-01",
                      extra="add:\n  - {id: accounts, name: Accounts provisioned, workstream: implementation, "
                            "duration: 3d, before: [kickoff]}\n")
    data = _build(tmp_path, text)
    accounts = next(m for m in data["milestones"] if m["id"] == "accounts")
    assert accounts["phase"] == "after_signature"
    kickoff = next(m for m in data["milestones"] if m["id"] == "kickoff")
    assert accounts["latest_due"] < kickoff["latest_start"]
    assert accounts["earliest_start"] == "2026-11-09"


def test_cycle_is_named(tmp_path: Path, mapgen_cli) -> None:
    text = brief_text(amount=20_000, country="US", today="2026-11-23", signature="2027-01-15", go_live=None)
    text += "add:\n  - {id: x, name: X, workstream: evaluation, duration: 2d, after: [trial], before: [discovery_call]}\n"
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    result = mapgen_cli("generate", tmp_path / "b.yaml", "-o", tmp_path / "out")
    assert result.code == 1
    assert re.search(r"b\.yaml:\d+: error: dependency cycle: discovery_call -> trial -> x -> discovery_call", result.err)
    assert not (tmp_path / "out").exists()


# -- random templates and briefs, through the whole pipeline --------------------------------------------

def random_template(draw, st) -> tuple[str, list[str], list[str]]:  # type: ignore[no-untyped-def]
    """A template of 1-12 steps before signature and 0-6 after, random durations and dependencies."""
    n_before = draw(st.integers(1, 12))
    n_after = draw(st.integers(0, 6))
    lines = ["name: random", "workstreams:", "  - id: deal", "    name: The deal", "    milestones:"]
    before_ids = [f"b{i}" for i in range(n_before)]
    for i, ident in enumerate(before_ids):
        preds = draw(st.lists(st.sampled_from(before_ids[:i]), max_size=3, unique=True)) if i else []
        lines.append(f"      - {{id: {ident}, name: Step {ident}, duration: {draw(st.integers(0, 15))}, "
                     f"after: [{', '.join(preds)}], owner: {{buyer: champion, seller: account_executive}}}}")
    lines.append("      - {id: signature, name: Signed, duration: 0, "
                 "owner: {buyer: economic_buyer, seller: account_executive}}")
    after_ids = ["signature"]
    for j in range(n_after):
        ident = f"a{j}"
        preds = draw(st.lists(st.sampled_from(after_ids), min_size=1, max_size=2, unique=True))
        lines.append(f"      - {{id: {ident}, name: Step {ident}, duration: {draw(st.integers(0, 10))}, "
                     f"after: [{', '.join(preds)}], owner: {{buyer: champion, seller: customer_success}}}}")
        after_ids.append(ident)
    if n_after and draw(st.booleans()):
        preds = draw(st.lists(st.sampled_from(after_ids), min_size=1, max_size=2, unique=True))
        lines.append(f"      - {{id: go_live, name: Live, duration: 0, after: [{', '.join(preds)}], "
                     f"owner: {{buyer: champion, seller: customer_success}}}}")
        after_ids.append("go_live")
    return "\n".join(lines) + "\n", before_ids, after_ids[1:]


@pytest.mark.slow
def test_random_templates_and_briefs_obey_every_rule(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from ruamel.yaml import YAML

    from mapgen.catalog import Catalog

    @st.composite
    def case(draw):  # type: ignore[no-untyped-def]
        template, before_ids, after_ids = random_template(draw, st)
        today = dt.date(2026, 11, 2) + dt.timedelta(days=draw(st.integers(0, 120)))
        signature = today + dt.timedelta(days=draw(st.integers(-20, 150)))
        has_live = "go_live" in after_ids
        mode = draw(st.sampled_from(("signature", "both", "go_live") if has_live else ("signature",)))
        go_live = signature + dt.timedelta(days=draw(st.integers(0, 120)))
        country = draw(st.sampled_from(("US", "DE-BY", "GB", "none")))
        closed = draw(st.sampled_from(("", "2026-12-24..2027-01-01", "2027-02-15")))
        weekend = draw(st.sampled_from((None, ["friday", "saturday"], ["sunday"])))
        brief: dict = {
            "deal": {"name": "Generated", "amount": 50_000},
            "buyer": {"company": "Buyer Co", "country": "US" if country == "none" else country},
            "seller": {"company": "Seller Inc"},
            "dates": {"today": today.isoformat()},
        }
        if mode != "go_live":
            brief["dates"]["signature"] = signature.isoformat()
        if mode != "signature":
            brief["dates"]["go_live"] = go_live.isoformat()
        calendar: dict = {}
        if country == "none":
            calendar["country"] = None
        if closed:
            calendar["closed"] = [closed]
        if weekend:
            calendar["weekend"] = weekend
        if calendar:
            brief["calendar"] = calendar
        oracle = Oracle(brief)
        milestones: dict = {}
        for ident in before_ids + after_ids:
            kind = draw(st.sampled_from(("none", "none", "none", "done", "in_progress", "started", "blocked",
                                         "pin", "skip")))
            if kind == "done":
                done = today - dt.timedelta(days=draw(st.integers(0, 30)))
                facts = {"status": "done", "done": done.isoformat()}
                if draw(st.booleans()):
                    facts["started"] = (done - dt.timedelta(days=draw(st.integers(0, 10)))).isoformat()
                milestones[ident] = facts
            elif kind == "in_progress":
                milestones[ident] = {"status": "in_progress"}
            elif kind == "started":
                started = today - dt.timedelta(days=draw(st.integers(0, 20)))
                milestones[ident] = {"status": "in_progress", "started": started.isoformat()}
            elif kind == "blocked":
                milestones[ident] = {"status": "blocked"}
            elif kind == "pin":
                due = oracle.on_or_after(today + dt.timedelta(days=draw(st.integers(-5, 90))))
                milestones[ident] = {"due": due.isoformat()}
            elif kind == "skip" and ident not in ("signature", "go_live"):
                milestones[ident] = {"skip": True}
        if milestones:
            brief["milestones"] = milestones
        if after_ids and draw(st.booleans()):  # an added step that leads to a post-signature step
            add = {"id": "extra", "name": "Extra", "workstream": "deal", "duration": draw(st.integers(0, 8)),
                   "before": [draw(st.sampled_from(after_ids))]}
            if draw(st.booleans()):
                add["after"] = [draw(st.sampled_from(before_ids))]
            brief["add"] = [add]
        placement = draw(st.sampled_from((None, "early", "late", {"before_signature": "early"},
                                          {"after_signature": "late"})))
        if placement is not None:
            brief["placement"] = placement
        if draw(st.booleans()):
            brief["check_in"] = draw(st.sampled_from(("monday 10:00", "thursday 09:00", "friday 16:30")))
        return template, json.dumps(brief)

    root = tmp_path_factory.mktemp("random")

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case())
    def run(pair) -> None:  # type: ignore[no-untyped-def]
        template, text = pair
        (root / "random").mkdir(exist_ok=True)
        (root / "random" / "template.yaml").write_text(template, encoding="utf-8")
        path = root / "brief.yaml"
        path.write_text(text, encoding="utf-8")
        data = _plan_json(path, template="random", catalog=Catalog([root]))
        brief = YAML(typ="safe").load(text)
        planned = (data, brief, Oracle(brief))
        for check in CHECKS:
            check(planned)

    run()


def test_a_late_key_date_driven_by_a_long_chain_names_its_ends() -> None:
    """A risk names up to NAMED_DRIVERS driving steps; a longer chain by its first and last and its length."""
    from mapgen.markup import plain
    from mapgen.risks import NAMED_DRIVERS
    from mapgen.testing import make_plan

    plan = make_plan(60, late=True)
    drivers = [m for m in plan.driver_steps("signature") if m.is_open and not m.internal]
    assert len(drivers) > NAMED_DRIVERS
    risk = next(r.risk for r in plan.risks if r.risk.startswith("The target signature date"))
    assert risk.endswith(f"driven by a chain of {len(drivers)} steps from {plain(drivers[0].name)} to "
                         f"{plain(drivers[-1].name)}.")
    short = make_plan(14, late=True)
    named = [plain(m.name) for m in short.driver_steps("signature") if m.is_open and not m.internal]
    assert 0 < len(named) <= NAMED_DRIVERS
    assert next(r.risk for r in short.risks if r.risk.startswith("The target signature")).endswith(
        "driven by " + ", ".join(named) + ".")
