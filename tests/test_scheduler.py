"""Contract section 3, rule by rule: unit cases and property-based tests on random plans."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapgen.calendar import BusinessCalendar
from mapgen.errors import ScheduleError
from mapgen.scheduler import Task, find_cycle, schedule

D = dt.date


def chain(*specs: tuple[str, int], status: dict[str, str] | None = None,
          done: dict[str, dt.date] | None = None) -> list[Task]:
    tasks, previous = [], ()
    for task_id, duration in specs:
        tasks.append(Task(task_id, duration, previous, (status or {}).get(task_id, "not_started"),
                          (done or {}).get(task_id)))
        previous = (task_id,)
    return tasks


WEEKENDS = BusinessCalendar(None)


def test_signature_on_target_and_steps_before_as_late_as_possible() -> None:
    tasks = chain(("a", 5), ("b", 3), ("signature", 0), ("go_live", 0))
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), None)
    s = result.steps
    assert s["signature"].due == s["signature"].start == D(2026, 11, 27)
    assert (s["b"].start, s["b"].due) == (D(2026, 11, 24), D(2026, 11, 26))
    assert (s["a"].start, s["a"].due) == (D(2026, 11, 17), D(2026, 11, 23))
    # no go-live date: after signature as early as possible
    assert s["go_live"].due == D(2026, 11, 30)
    assert result.go_live is not None and result.go_live.derived


def test_weekend_target_moves_to_previous_working_day_with_warning() -> None:
    result = schedule(chain(("a", 1), ("signature", 0)), WEEKENDS, D(2026, 11, 2), D(2026, 11, 28), None)
    assert result.steps["signature"].due == D(2026, 11, 27)
    assert any("not a working day" in w for w in result.warnings)


def test_holidays_are_not_working_days() -> None:
    us = BusinessCalendar("US")
    result = schedule(chain(("a", 2), ("signature", 0)), us, D(2026, 11, 2), D(2026, 11, 27), None)
    # Thanksgiving (Thu 26 Nov) is skipped: a 2-day step ends Wed 25 Nov, starts Tue 24 Nov
    assert (result.steps["a"].start, result.steps["a"].due) == (D(2026, 11, 24), D(2026, 11, 25))


def test_closed_period_is_skipped() -> None:
    cal = BusinessCalendar(None, closed=[(D(2026, 12, 24), D(2027, 1, 1))])
    result = schedule(chain(("signature", 0), ("kickoff", 1)), cal, D(2026, 11, 2), D(2026, 12, 23), None)
    assert result.steps["kickoff"].start == D(2027, 1, 4)


def test_only_go_live_derives_signature_backward() -> None:
    tasks = chain(("a", 5), ("signature", 0), ("kickoff", 1), ("implementation", 20), ("go_live", 0))
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), None, D(2027, 1, 11))
    s = result.steps
    assert s["go_live"].due == D(2027, 1, 11)
    assert result.signature.derived
    assert s["implementation"].due == D(2027, 1, 8)
    assert s["signature"].due == WEEKENDS.previous_before(s["kickoff"].start)
    assert result.signature.target == s["signature"].due


def test_the_six_week_security_story() -> None:
    """Today, a six-week security review: the target cannot be met, and mapgen says when it can."""
    tasks = chain(("questionnaire", 5), ("security_review", 30), ("signature", 0), ("go_live", 0))
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), None)
    assert not result.signature.feasible
    assert result.signature.target == D(2026, 11, 27)  # never rolled silently
    assert result.signature.earliest == D(2026, 12, 21)  # 35 working days end Fri 18 Dec; signature next
    late = {k for k, v in result.steps.items() if v.late}
    assert late == {"questionnaire", "security_review"}
    assert result.steps["security_review"].slack < 0
    assert all(result.steps[k].critical for k in ("questionnaire", "security_review", "signature"))


def test_done_step_stays_at_its_done_date() -> None:
    tasks = chain(("a", 5), ("signature", 0), status={"a": "done"}, done={"a": D(2026, 10, 30)})
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), None)
    assert result.steps["a"].earliest_due == D(2026, 10, 30)
    assert not result.steps["a"].late and not result.steps["a"].critical
    assert result.steps["signature"].earliest_due == D(2026, 11, 2)


def test_unlinked_step_before_signature_must_finish_by_signature() -> None:
    tasks = [Task("a", 3), Task("signature", 0), Task("go_live", 0, ("signature",))]
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), None)
    assert result.steps["a"].due == D(2026, 11, 26)
    assert result.steps["a"].phase == "before_signature"


def test_cycle_is_reported_with_its_path() -> None:
    tasks = [Task("security_review", 5, ("legal_review",)), Task("legal_review", 5, ("security_review",)),
             Task("signature", 0, ("legal_review",))]
    with pytest.raises(ScheduleError, match="security_review -> legal_review -> security_review|"
                                             "legal_review -> security_review -> legal_review"):
        schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), None)
    assert find_cycle({"a": ["b"], "b": ["a"], "c": []}) == ["a", "b", "a"]


def test_go_live_target_too_tight_for_signature_is_warned() -> None:
    tasks = chain(("signature", 0), ("implementation", 20), ("go_live", 0))
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 12, 1), D(2026, 12, 10))
    assert any("needs signature by 2026-11-11" in w for w in result.warnings)
    assert result.steps["signature"].due == D(2026, 12, 1)  # the signature target is kept
    # finish-to-start wins over an impossible go-live target: go-live follows signature as early as it can
    assert result.steps["implementation"].start == D(2026, 12, 2)
    assert result.steps["go_live"].due == D(2026, 12, 30)
    assert result.go_live is not None and result.go_live.target == D(2026, 12, 10)
    assert not result.go_live.feasible
    assert any("go-live is planned for 2026-12-30" in w for w in result.warnings)


# -- properties on random plans -----------------------------------------------------------------

@st.composite
def random_plans(draw):  # type: ignore[no-untyped-def]
    n_before = draw(st.integers(0, 12))
    n_after = draw(st.integers(0, 8))
    tasks: list[Task] = []
    names = [f"b{i}" for i in range(n_before)]
    today = D(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 700)))
    for i, name in enumerate(names):
        preds = tuple(sorted(set(draw(st.lists(st.sampled_from(names[:i]), max_size=3))))) if i else ()
        status = draw(st.sampled_from(["not_started", "not_started", "in_progress", "done", "blocked"]))
        done = None
        if status == "done":
            done = today - dt.timedelta(days=draw(st.integers(0, 60)))
        tasks.append(Task(name, draw(st.integers(0, 25)), preds, status, done))
    sig_preds = tuple(sorted(set(draw(st.lists(st.sampled_from(names), max_size=4))))) if names else ()
    tasks.append(Task("signature", 0, sig_preds))
    after_names = ["signature"]
    for i in range(n_after):
        name = f"a{i}"
        preds = tuple(sorted(set(draw(st.lists(st.sampled_from(after_names), min_size=1, max_size=2)))))
        tasks.append(Task(name, draw(st.integers(0, 20)), preds))
        after_names.append(name)
    has_go_live = draw(st.booleans())
    if has_go_live:
        tasks.append(Task("go_live", 0, (after_names[-1],)))
        tasks.append(Task("value_review", draw(st.integers(0, 5)), ("go_live",)))
    signature_target = today + dt.timedelta(days=draw(st.integers(-30, 200)))
    go_live_target = None
    if has_go_live and draw(st.booleans()):
        go_live_target = signature_target + dt.timedelta(days=draw(st.integers(0, 150)))
    if has_go_live and draw(st.booleans()) and go_live_target:
        signature_target = None
    country = draw(st.sampled_from([None, "US", "DE-BY", "GB"]))
    closed = ()
    if draw(st.booleans()):
        start = today + dt.timedelta(days=draw(st.integers(-20, 120)))
        closed = ((start, start + dt.timedelta(days=draw(st.integers(0, 12)))),)
    return tasks, BusinessCalendar(country, closed), today, signature_target, go_live_target


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_plans())
def test_schedule_satisfies_every_rule(case) -> None:  # type: ignore[no-untyped-def]
    tasks, cal, today, signature_target, go_live_target = case
    result = schedule(tasks, cal, today, signature_target, go_live_target)
    by_id = {t.id: t for t in tasks}
    s = result.steps
    succs: dict[str, list[str]] = {t.id: [] for t in tasks}
    for t in tasks:
        for p in t.after:
            succs[p].append(t.id)
    descendants = _descendants("signature", succs)
    # contract: a step before signature that leads nowhere must finish before signature
    preds = {t.id: list(t.after) for t in tasks}
    preds["signature"] += [t.id for t in tasks if t.id != "signature" and t.id not in descendants and not succs[t.id]]
    conflict = any("needs signature by" in w for w in result.warnings)

    for t in tasks:
        x = s[t.id]
        # occupies working days start..due: exactly d working days, an event on one working day
        for start, due in ((x.start, x.due),) + (() if t.status == "done" else ((x.earliest_start, x.earliest_due),)):
            assert cal.is_working(start) and cal.is_working(due)
            assert cal.distance(start, due) == max(0, t.duration - 1)
        # finish-to-start on the plan's dates, always
        for p in preds[t.id]:
            assert x.start > s[p].due, (p, t.id)
        # earliest: never before today unless done; after every predecessor
        if t.status != "done":
            assert x.earliest_start >= today
            assert x.earliest_start == max([cal.on_or_after(today)] +
                                           [cal.next_after(s[p].earliest_due) for p in preds[t.id]])
        else:
            assert x.earliest_due == t.done
        assert x.slack == cal.distance(x.earliest_start, x.start)
        assert x.phase == ("after_signature" if t.id in descendants else "before_signature")
        late = t.status != "done" and (x.due < today or (t.status == "not_started" and x.start < today))
        assert x.late == late
        # before signature: as late as possible (tight against a successor or signature)
        if x.phase == "before_signature" and t.id != "signature":
            limits = [cal.previous_before(s[n].start) for n in succs[t.id]] or [cal.previous_before(s["signature"].start)]
            assert x.due == min(limits)

    sig = s["signature"]
    if signature_target is not None:
        assert sig.due == cal.on_or_before(signature_target)
        assert result.signature.target == sig.due
    assert result.signature.earliest == sig.earliest_due
    assert result.signature.feasible == (sig.earliest_due <= sig.due)
    if "go_live" in s:
        assert result.go_live is not None
        if go_live_target is not None:
            target = cal.on_or_before(go_live_target)
            assert result.go_live.target == target
            assert s["go_live"].due > target if conflict else s["go_live"].due == target
        assert result.go_live.feasible == (s["go_live"].earliest_due <= result.go_live.target
                                           and s["go_live"].due <= result.go_live.target)
    # the critical chain reaches signature through driving predecessors
    if by_id["signature"].status != "done":
        assert sig.critical
    for t in tasks:
        if s[t.id].critical and t.id not in ("signature", "go_live"):
            assert any(s[n].critical and cal.next_after(s[t.id].earliest_due) == s[n].earliest_start
                       for n in succs[t.id] + (["signature"] if not succs[t.id] else []))


def _descendants(node: str, succs: dict[str, list[str]]) -> set[str]:
    seen, stack = set(), [node]
    while stack:
        for n in succs[stack.pop()]:
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


def test_find_cycle_ignores_steps_downstream_of_the_cycle() -> None:
    from mapgen.scheduler import find_cycle

    after = {"a": ["c"], "b": ["a"], "c": ["b"], "d": ["c"], "e": ["d"], "f": []}
    assert find_cycle(after) == ["a", "b", "c", "a"]
    assert find_cycle({"a": [], "b": ["a"]}) is None
