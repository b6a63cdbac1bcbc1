"""docs/scheduling.md rule by rule on the scheduler alone (tests/test_contract.py checks every rule
on whole plans, examples and random briefs, against an independent calendar)."""

from __future__ import annotations

import datetime as dt

import pytest
from mapgen.calendar import BusinessCalendar
from mapgen.errors import ScheduleError
from mapgen.scheduler import find_cycle, schedule
from mapgen.step import Step

D = dt.date


def Task(step_id: str, duration: int, after: tuple[str, ...] = (), status: str = "not_started",  # noqa: N802
         done: dt.date | None = None, **facts) -> Step:  # type: ignore[no-untyped-def]
    return Step(step_id, step_id, "w", duration, after, status=status, done=done, **facts)  # type: ignore[arg-type]


def chain(*specs: tuple[str, int], status: dict[str, str] | None = None,
          done: dict[str, dt.date] | None = None, **facts: dict) -> list[Step]:  # type: ignore[type-arg]
    tasks, previous = [], ()
    for task_id, duration in specs:
        extra = {key: value[task_id] for key, value in facts.items() if task_id in value}
        tasks.append(Task(task_id, duration, previous, (status or {}).get(task_id, "not_started"),
                          (done or {}).get(task_id), **extra))
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
    late = {k for k, v in result.steps.items() if v.state == "late"}
    assert late == {"questionnaire", "security_review", "signature", "go_live"}  # go-live follows a derived target
    assert result.signature.drivers == ("questionnaire", "security_review")
    # planned from today: never in the past
    assert result.steps["questionnaire"].start == D(2026, 11, 2)
    assert result.steps["signature"].due == D(2026, 12, 21)
    assert result.steps["security_review"].slack < 0
    assert all(result.steps[k].critical for k in ("questionnaire", "security_review", "signature"))


def test_done_step_stays_at_its_done_date() -> None:
    tasks = chain(("a", 5), ("signature", 0), status={"a": "done"}, done={"a": D(2026, 10, 30)})
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), None)
    assert result.steps["a"].earliest_due == D(2026, 10, 30)
    assert result.steps["a"].due == D(2026, 10, 30) and result.steps["a"].start == D(2026, 10, 26)
    assert result.steps["a"].state == "done" and not result.steps["a"].critical and result.steps["a"].slack is None
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
    assert any("go-live can be 2026-12-30 at the earliest" in w for w in result.warnings)


def test_after_signature_moves_forward_at_once_by_default() -> None:
    tasks = chain(("signature", 0), ("kickoff", 1), ("implementation", 10), ("go_live", 0))
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), D(2027, 1, 29))
    s = result.steps
    assert s["kickoff"].start == D(2026, 11, 30)
    assert s["go_live"].due == D(2027, 1, 29)  # on its target: the buffer sits before it
    late = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), D(2027, 1, 29),
                    placement={"before_signature": "late", "after_signature": "late"})
    assert late.steps["kickoff"].start == late.steps["kickoff"].latest_start > D(2026, 11, 30)


def test_early_placement_front_loads_from_today() -> None:
    tasks = chain(("questionnaire", 5), ("security_review", 10), ("signature", 0))
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2027, 1, 29), None,
                      placement={"before_signature": "early", "after_signature": "early"})
    assert result.steps["questionnaire"].start == D(2026, 11, 2)
    assert result.steps["signature"].due == D(2027, 1, 29)  # signature stays on its target


def test_pin_holds_and_a_conflicting_pin_names_both_steps() -> None:
    tasks = chain(("security_review", 10), ("exec_approval", 1), ("signature", 0),
                  pin_due={"exec_approval": D(2026, 11, 6)})
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 12, 18), None)
    assert result.steps["exec_approval"].due == D(2026, 11, 6) and result.steps["exec_approval"].pinned
    assert any("exec_approval" in w and "security_review" in w for w in result.warnings)
    assert [(c.pinned, c.other) for c in result.conflicts] == [("exec_approval", "security_review")]


def test_in_progress_step_keeps_its_start_and_overruns_from_today() -> None:
    tasks = chain(("security_review", 5), ("signature", 0), status={"security_review": "in_progress"},
                  started={"security_review": D(2026, 10, 1)})
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 12, 18), None)
    review = result.steps["security_review"]
    assert review.start == review.actual_start == D(2026, 10, 1)
    assert review.due == D(2026, 11, 2)  # overran: due from today


def test_a_step_before_a_post_signature_step_alone_does_not_crash() -> None:
    tasks = [Task("signature", 0), Task("accounts", 3), Task("kickoff", 1, ("signature", "accounts")),
             Task("go_live", 0, ("kickoff",))]
    result = schedule(tasks, WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), D(2027, 1, 29))
    assert result.steps["accounts"].phase == "after_signature"
    assert result.steps["accounts"].latest_due < result.steps["kickoff"].latest_start
    assert result.steps["accounts"].earliest_start == D(2026, 11, 2)
    no_go_live = schedule(tasks[:3], WEEKENDS, D(2026, 11, 2), D(2026, 11, 27), None)
    assert no_go_live.steps["accounts"].latest_start == D(2026, 11, 30)


def test_find_cycle_ignores_steps_downstream_of_the_cycle() -> None:
    from mapgen.scheduler import find_cycle

    after = {"a": ["c"], "b": ["a"], "c": ["b"], "d": ["c"], "e": ["d"], "f": []}
    assert find_cycle(after) == ["a", "b", "c", "a"]
    assert find_cycle({"a": [], "b": ["a"]}) is None
