"""The plan JSON (contract §6) and every scheduling rule of contract §3, on real briefs.

The dates are checked against a calendar built here straight from the ``holidays`` package,
not against mapgen's own calendar module.
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


def brief_text(*, amount: int, country: str, today: str, signature: str | None, go_live: str | None,
               closed: str = "", milestones: str = "") -> str:
    dates = f"  today: {today}\n" + (f"  signature: {signature}\n" if signature else "") + (
        f"  go_live: {go_live}\n" if go_live else "")
    return (f"deal: {{name: Generated, amount: {amount}}}\n"
            f"buyer: {{company: Buyer Co, country: {country}, outcome: Faster onboarding}}\n"
            f"seller: {{company: Seller Inc}}\n"
            f"dates:\n{dates}" + (f"calendar:\n  closed: [{closed}]\n" if closed else "") + milestones)


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
}


@lru_cache(maxsize=None)
def calendar_for(country: str | None, closed: tuple[tuple[dt.date, dt.date], ...]):  # type: ignore[no-untyped-def]
    code, _, sub = (country or "").partition("-")
    table = holidays.country_holidays(code, subdiv=sub or None, years=range(2025, 2030)) if code else {}

    def working(day: dt.date) -> bool:
        return day.weekday() < 5 and day not in table and not any(a <= day <= b for a, b in closed)

    return working


class Oracle:
    def __init__(self, data: dict, brief: dict) -> None:
        cal = brief.get("calendar") or {}
        country = cal.get("country", brief["buyer"].get("country"))
        if country in (None, "none"):
            country = None
        ranges = []
        for item in cal.get("closed", []):
            a, _, b = str(item).partition("..")
            ranges.append((dt.date.fromisoformat(a), dt.date.fromisoformat(b or a)))
        self.working = calendar_for(country, tuple(ranges))

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

    def signed_distance(self, a: dt.date, b: dt.date) -> int:
        """Working days from a to b: positive when b is later."""
        if a == b:
            return 0
        if a < b:
            return self.count(a + ONE, b) if self.working(b) else self.count(a + ONE, b)
        return -self.signed_distance(b, a)


def cases() -> list[tuple[str, str]]:
    out = [(p.stem, p.read_text(encoding="utf-8")) for p in EXAMPLES]
    return out + sorted(GENERATED.items())


@pytest.fixture(scope="module", params=cases(), ids=[c[0] for c in cases()])
def planned(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    from mapgen.builtin.json_format import plan_json
    from mapgen.pipeline import build_plan

    name, text = request.param
    path = tmp_path_factory.mktemp("briefs") / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    data = json.loads(plan_json(build_plan(path)))
    brief = YAML(typ="safe").load(text)
    return data, brief, Oracle(data, brief)


def d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def test_json_shape_matches_contract(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, _ = planned
    assert data["schema"] == 1
    assert {"schema", "deal", "template", "buyer", "seller", "today", "signature", "go_live", "milestones",
            "people", "risks", "next_check_in", "warnings"} <= set(data)
    assert set(data["deal"]) >= {"name", "amount", "currency"}
    assert set(data["signature"]) >= {"target", "earliest", "feasible"}
    keys = {"id", "name", "workstream", "phase", "duration", "after", "start", "due", "earliest_start",
            "earliest_due", "slack", "critical", "late", "status", "done", "owners", "internal", "gate", "note"}
    for m in data["milestones"]:
        assert keys <= set(m)
        assert m["phase"] in ("before_signature", "after_signature")
        assert m["status"] in ("not_started", "in_progress", "done", "blocked")
        assert set(m["owners"]) == {"buyer", "seller"}
        for key in ("start", "due", "earliest_start", "earliest_due"):
            assert dt.date.fromisoformat(m[key]).isoformat() == m[key]
    dues = [m["due"] for m in data["milestones"]]
    assert dues == sorted(dues), "milestones are ordered by due date"
    assert data["today"] == str(brief["dates"]["today"])


def test_working_days_and_durations(planned) -> None:  # type: ignore[no-untyped-def]
    data, _, cal = planned
    for m in data["milestones"]:
        start, due = d(m["start"]), d(m["due"])
        assert cal.working(start) and cal.working(due), m["id"]
        if m["duration"] == 0:
            assert start == due, m["id"]
        else:
            assert cal.count(start, due) == m["duration"], m["id"]
        if m["status"] == "done":
            continue  # a done step's earliest dates are what happened: its done date may be any day
        e_start, e_due = d(m["earliest_start"]), d(m["earliest_due"])
        assert cal.working(e_due), m["id"]
        if m["duration"] == 0:
            assert e_start == e_due
        else:
            assert cal.count(e_start, e_due) == m["duration"], m["id"]


def test_finish_to_start(planned) -> None:  # type: ignore[no-untyped-def]
    data, _, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    for m in data["milestones"]:
        for pred in m["after"]:
            assert d(m["start"]) > d(by_id[pred]["due"]), (pred, m["id"])
            assert d(m["start"]) >= cal.after(d(by_id[pred]["due"])), (pred, m["id"])


def _successors(data: dict) -> dict[str, set[str]]:
    succ: dict[str, set[str]] = {m["id"]: set() for m in data["milestones"]}
    for m in data["milestones"]:
        for pred in m["after"]:
            succ[pred].add(m["id"])
    for m in data["milestones"]:  # a step before signature that nothing follows leads to signature
        if m["phase"] == "before_signature" and not succ[m["id"]] and m["id"] != "signature":
            succ[m["id"]].add("signature")
    return succ


def _ancestors(data: dict, target: str) -> set[str]:
    preds = {m["id"]: set(m["after"]) for m in data["milestones"]}
    for m in data["milestones"]:
        if m["phase"] == "before_signature" and m["id"] != "signature" and not any(
                m["id"] in other["after"] for other in data["milestones"]):
            preds["signature"].add(m["id"])
    seen, stack = set(), [target]
    while stack:
        for p in preds[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def test_latest_dates(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    succ = _successors(data)
    sig_target = d(str(brief["dates"].get("signature") or "")) if brief["dates"].get("signature") else None
    live_target = d(str(brief["dates"]["go_live"])) if brief["dates"].get("go_live") else None
    has_live = "go_live" in by_id
    if sig_target:
        assert d(by_id["signature"]["due"]) == cal.on_or_before(sig_target)
        assert data["signature"]["target"] == by_id["signature"]["due"]
    if live_target and has_live and not sig_target:
        assert d(by_id["go_live"]["due"]) == cal.on_or_before(live_target)
        assert data["signature"]["derived"] is True
    backward = {i for i, m in by_id.items() if m["phase"] == "before_signature"}
    squeezed = any("go-live is planned for" in w for w in data["warnings"])
    if live_target and has_live and squeezed:
        assert sig_target and d(by_id["go_live"]["due"]) > cal.on_or_before(live_target)
        assert data["go_live"]["target"] == cal.on_or_before(live_target).isoformat()
        assert data["go_live"]["feasible"] is False
    elif live_target and has_live:
        backward |= (_ancestors(data, "go_live") | {"go_live"})
    for i in backward:
        m = by_id[i]
        if i == "signature" and sig_target:
            continue
        if i == "go_live" and live_target:
            assert d(m["due"]) == cal.on_or_before(live_target)
            continue
        later = [by_id[s] for s in succ[i] if s in backward]
        assert later, i
        assert d(m["due"]) == min(cal.before(d(s["start"])) for s in later), i
    for i, m in by_id.items():  # after signature, off the path to go-live: as early as possible
        if i in backward or not m["after"]:
            continue
        assert d(m["start"]) == max(cal.after(d(by_id[p]["due"])) for p in m["after"]), i


def test_earliest_dates_slack_and_lateness(planned) -> None:  # type: ignore[no-untyped-def]
    data, brief, cal = planned
    today = d(data["today"])
    by_id = {m["id"]: m for m in data["milestones"]}
    preds = {m["id"]: list(m["after"]) for m in data["milestones"]}
    for i, succs in _successors(data).items():
        for s in succs:
            if i not in preds[s]:
                preds[s].append(i)
    for m in data["milestones"]:
        if m["status"] == "done":
            assert m["earliest_due"] == m["done"], m["id"]
            continue
        floor = cal.on_or_after(today)
        for p in preds[m["id"]]:
            floor = max(floor, cal.after(d(by_id[p]["earliest_due"])))
        assert d(m["earliest_start"]) == floor, m["id"]
    for m in data["milestones"]:
        assert m["slack"] == cal.signed_distance(d(m["earliest_start"]), d(m["start"])), m["id"]
        due_passed = d(m["due"]) < today
        start_passed = m["status"] == "not_started" and d(m["start"]) < today
        assert m["late"] == (m["status"] != "done" and (due_passed or start_passed)), m["id"]


def test_key_dates_and_feasibility(planned) -> None:  # type: ignore[no-untyped-def]
    data, _, _ = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    sig = data["signature"]
    assert sig["earliest"] == by_id["signature"]["earliest_due"]
    assert sig["feasible"] == (sig["earliest"] <= sig["target"])
    if data["go_live"] is not None:
        assert data["go_live"]["earliest"] == by_id["go_live"]["earliest_due"]
    if not sig["feasible"]:
        assert by_id["signature"]["due"] == sig["target"], "dates are never rolled silently"
        assert any(m["slack"] < 0 for m in data["milestones"])


def test_critical_chain_decides_the_earliest_date(planned) -> None:  # type: ignore[no-untyped-def]
    data, _, cal = planned
    by_id = {m["id"]: m for m in data["milestones"]}
    succ = _successors(data)
    critical = {i for i, m in by_id.items() if m["critical"]}
    if by_id["signature"]["status"] != "done":
        assert "signature" in critical
    for i in critical - {"signature", "go_live"}:
        m = by_id[i]
        driven = [s for s in succ[i] if s in critical and
                  d(by_id[s]["earliest_start"]) == cal.after(d(m["earliest_due"]))]
        assert driven, f"critical step {i} does not drive a critical successor"
    for i in critical:
        assert by_id[i]["status"] != "done"


def test_examples_cover_a_feasible_and_an_infeasible_plan() -> None:
    from mapgen.pipeline import build_plan

    feasibility = {p.stem: build_plan(p).feasible for p in EXAMPLES}
    assert True in feasibility.values() and False in feasibility.values()


def test_cycle_is_named(tmp_path: Path, mapgen_cli) -> None:
    text = brief_text(amount=20_000, country="US", today="2026-11-23", signature="2027-01-15", go_live=None)
    text += "add:\n  - {id: x, name: X, workstream: evaluation, duration: 2d, after: [trial], before: [discovery_call]}\n"
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    result = mapgen_cli("generate", tmp_path / "b.yaml", "-o", tmp_path / "out")
    assert result.code == 1
    assert re.search(r"b\.yaml:\d+: error: dependency cycle: discovery_call -> trial -> x -> discovery_call", result.err)
    assert not (tmp_path / "out").exists()


# -- random templates and dates, through the whole pipeline ------------------------------------------

CHECKS = (test_json_shape_matches_contract, test_working_days_and_durations, test_finish_to_start,
          test_latest_dates, test_earliest_dates_slack_and_lateness, test_key_dates_and_feasibility,
          test_critical_chain_decides_the_earliest_date)


def random_template(draw, st) -> str:  # type: ignore[no-untyped-def]
    """A template of 3-14 steps before signature and 0-6 after, random durations and dependencies."""
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
    return "\n".join(lines) + "\n"


def test_random_templates_and_dates_obey_every_rule(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from ruamel.yaml import YAML

    from mapgen.builtin.json_format import plan_json
    from mapgen.pipeline import build_plan
    from mapgen.template import Catalog

    @st.composite
    def case(draw):  # type: ignore[no-untyped-def]
        template = random_template(draw, st)
        today = dt.date(2026, 11, 2) + dt.timedelta(days=draw(st.integers(0, 120)))
        signature = today + dt.timedelta(days=draw(st.integers(-20, 150)))
        has_live = "id: go_live" in template
        mode = draw(st.sampled_from(("signature", "both", "go_live") if has_live else ("signature",)))
        go_live = signature + dt.timedelta(days=draw(st.integers(0, 120)))
        country = draw(st.sampled_from(("US", "DE-BY", "GB", "none")))
        closed = draw(st.sampled_from(("", '"2026-12-24..2027-01-01"', "2027-02-15")))
        text = brief_text(amount=50_000, country="US" if country == "none" else country, today=today.isoformat(),
                          signature=None if mode == "go_live" else signature.isoformat(),
                          go_live=go_live.isoformat() if mode != "signature" else None, closed=closed)
        if country == "none":
            text += "calendar:\n  country: none\n" if not closed else ""
            text = text.replace("calendar:\n  closed:", "calendar:\n  country: none\n  closed:")
        done = draw(st.booleans())
        if done:
            text += "milestones:\n  b0: {status: done, done: " + (today - dt.timedelta(days=3)).isoformat() + "}\n"
        return template, text

    root = tmp_path_factory.mktemp("random")

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case())
    def run(pair) -> None:  # type: ignore[no-untyped-def]
        template, text = pair
        (root / "random").mkdir(exist_ok=True)
        (root / "random" / "template.yaml").write_text(template, encoding="utf-8")
        path = root / "brief.yaml"
        path.write_text(text, encoding="utf-8")
        plan = build_plan(path, template="random", catalog=Catalog([root]))
        data = json.loads(plan_json(plan))
        brief = YAML(typ="safe").load(text)
        if brief.get("calendar", {}).get("country", "x") is None:
            brief["calendar"]["country"] = None
        planned = (data, brief, Oracle(data, brief))
        for check in CHECKS:
            check(planned)

    run()
