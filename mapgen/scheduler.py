"""Dates for every step on a business calendar (docs/scheduling.md, plan schema 2).

Four date sets per step, each pass linear in steps plus dependencies:

* **actual**: what the brief says happened (done, started) and what it fixed (pins);
* **earliest** (forward from today): the forecast; open steps never start before today;
* **latest** (backward from the targets): the deadlines that still meet signature and go-live;
* **planned**: what every format shows, placed by policy between the two (``late`` at the
  latest dates but never before the earliest, ``early`` as soon as the planned
  predecessors and today allow).

Slack, states, the driver chains behind the forecast, and feasibility follow from comparing them.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from typing import Iterable, Literal, Mapping, Sequence

from mapgen.calendar import BusinessCalendar
from mapgen.errors import ScheduleError
from mapgen.plan import DEFAULT_PLACEMENT, KeyDate, Phase, Policy, State
from mapgen.step import Step

SIGNATURE = "signature"
GO_LIVE = "go_live"

DEFAULT_AT_RISK_SLACK = 3


@dataclass(frozen=True)
class StepDates:
    """Every date the scheduler knows of one step; ``start``/``due`` are the planned ones."""

    start: dt.date
    due: dt.date
    earliest_start: dt.date
    earliest_due: dt.date
    latest_start: dt.date
    latest_due: dt.date
    actual_start: dt.date | None
    actual_done: dt.date | None
    pinned: bool
    slack: int | None
    critical: bool
    state: State
    phase: Phase


@dataclass(frozen=True)
class Conflict:
    """A pin that cannot hold together with a dependency: ``pinned`` and the ``other`` step."""

    pinned: str
    other: str
    message: str
    kind: Literal["predecessor", "deadline"] = "predecessor"


@dataclass(frozen=True)
class Schedule:
    steps: Mapping[str, StepDates]
    signature: KeyDate
    go_live: KeyDate | None
    warnings: tuple[str, ...]
    conflicts: tuple[Conflict, ...] = ()

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day the plan touches."""
        days = [d for s in self.steps.values() for d in (s.start, s.due, s.latest_start, s.latest_due)]
        return min(days), max(days)


# -- graph helpers ----------------------------------------------------------------------------

def find_cycle(after: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle as ``[a, b, ..., a]`` (each finishes before the next starts), or None."""
    successors: dict[str, list[str]] = {node: [] for node in after}
    for node, preds in after.items():
        for pred in preds:
            successors.setdefault(pred, []).append(node)
    remaining = _kahn_leftover(successors)
    if not remaining:
        return None
    # Every leftover node has a predecessor that is left over too (nodes downstream of a cycle
    # are left over as well, but may have no successor in it): walk backward until a node repeats.
    preds: dict[str, list[str]] = {node: [] for node in successors}
    for node, targets in successors.items():
        for target in targets:
            preds[target].append(node)
    path: list[str] = []
    position: dict[str, int] = {}
    node = min(remaining)
    while node not in position:
        position[node] = len(path)
        path.append(node)
        node = min(p for p in preds[node] if p in remaining)
    cycle = path[position[node]:]
    cycle.reverse()
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    return cycle + [cycle[0]]


def _kahn_leftover(successors: Mapping[str, Sequence[str]]) -> set[str]:
    indegree = {node: 0 for node in successors}
    for targets in successors.values():
        for target in targets:
            indegree[target] += 1
    queue = deque(node for node, degree in indegree.items() if degree == 0)
    while queue:
        node = queue.popleft()
        for target in successors[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    return {node for node, degree in indegree.items() if degree > 0}


def _topological(order_hint: Sequence[str], preds: Mapping[str, Sequence[str]],
                 succs: Mapping[str, Sequence[str]]) -> list[str]:
    indegree = {node: len(preds[node]) for node in order_hint}
    queue = deque(node for node in order_hint if indegree[node] == 0)
    order = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for target in succs[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    if len(order) != len(order_hint):
        cycle = find_cycle(preds)
        raise ScheduleError(f"dependency cycle: {' -> '.join(cycle or [])}", steps=tuple(cycle or ()))
    return order


def _reachable(start: str, edges: Mapping[str, Sequence[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    seen.discard(start)
    return seen


# -- the scheduler ----------------------------------------------------------------------------

class _Pass:
    """The state shared by the passes of one schedule."""

    def __init__(self, steps: Sequence[Step], calendar: BusinessCalendar, today: dt.date) -> None:
        self.cal = calendar
        self.today = today
        self.first = calendar.on_or_after(today)
        self.by_id = {s.id: s for s in steps}
        self.index = {s.id: n for n, s in enumerate(steps)}
        self.preds: dict[str, list[str]] = {s.id: list(dict.fromkeys(s.after)) for s in steps}
        self.succs: dict[str, list[str]] = {s.id: [] for s in steps}
        for node, before in self.preds.items():
            for pred in before:
                if pred not in self.succs:
                    raise ScheduleError(f"{node}: depends on unknown step '{pred}'", steps=(node,))
                self.succs[pred].append(node)

    def start_from_due(self, due: dt.date, duration: int) -> dt.date:
        return self.cal.shift(due, -(duration - 1)) if duration > 1 else due

    def due_from_start(self, start: dt.date, duration: int) -> dt.date:
        return self.cal.shift(start, duration - 1) if duration > 1 else start

    def fixed_start(self, step: Step) -> bool:
        """Done, pinned, or in progress since a known date: its start does not follow its predecessors."""
        return step.status == "done" or step.pinned or (step.status == "in_progress" and step.started is not None)


def schedule(steps: Iterable[Step], calendar: BusinessCalendar, today: dt.date,
             signature_target: dt.date | None, go_live_target: dt.date | None, *,
             placement: Mapping[Phase, Policy] | None = None,
             at_risk_slack: int = DEFAULT_AT_RISK_SLACK) -> Schedule:
    """Schedule ``steps`` (dependencies in ``after`` only, one of them ``signature``)."""
    step_list = list(steps)
    policy = dict(placement or DEFAULT_PLACEMENT)
    if not any(s.id == SIGNATURE for s in step_list):
        raise ScheduleError("the plan has no signature step")
    p = _Pass(step_list, calendar, today)
    has_go_live = GO_LIVE in p.by_id
    if signature_target is None and not (go_live_target and has_go_live):
        raise ScheduleError("a target signature date is needed (or a go-live date and a go_live step)")
    warnings: list[str] = []
    ids = [s.id for s in step_list]

    follows_signature = _reachable(SIGNATURE, p.succs)
    if has_go_live and GO_LIVE not in follows_signature:
        raise ScheduleError("go_live must come after signature (through its 'after' dependencies)",
                            steps=(GO_LIVE,))
    # A step that neither follows signature nor leads anywhere must still be finished by signature.
    for node in ids:
        if node != SIGNATURE and node not in follows_signature and not p.succs[node]:
            p.succs[node].append(SIGNATURE)
            p.preds[SIGNATURE].append(node)
    order = _topological(ids, p.preds, p.succs)
    needed_by_signature = _reachable(SIGNATURE, p.preds) | {SIGNATURE}
    phase: dict[str, Phase] = {n: "before_signature" if n in needed_by_signature else "after_signature" for n in ids}
    _check_pins(p)

    # -- targets ---------------------------------------------------------------------------------
    sig_target = sig_requested = go_target = go_requested = None
    if signature_target is not None:
        sig_target = _working_target(calendar, signature_target, "signature", warnings)
        sig_requested = signature_target if sig_target != signature_target else None
    if has_go_live and go_live_target is not None:
        go_target = _working_target(calendar, go_live_target, "go-live", warnings)
        go_requested = go_live_target if go_target != go_live_target else None

    # -- earliest dates: forward from today ------------------------------------------------------
    e_start, e_due, conflicts = _earliest(p, order, warnings)

    # -- latest dates: backward from the targets -------------------------------------------------
    squeezed = False
    if sig_target is None:  # only go-live: signature's target is what go-live needs
        assert go_target is not None
        l_start, l_due, _ = _latest(p, order, {GO_LIVE: go_target}, e_due)
        sig_target = l_due[SIGNATURE]
        deadlines = {SIGNATURE: sig_target, GO_LIVE: go_target}
    elif has_go_live and go_target is None:  # only signature: go-live follows it as early as possible
        _, forward_due, _ = _latest(p, order, {SIGNATURE: sig_target}, e_due)
        go_target = forward_due[GO_LIVE]
        deadlines = {SIGNATURE: sig_target, GO_LIVE: go_target}
    else:
        deadlines = {SIGNATURE: sig_target} | ({GO_LIVE: go_target} if go_target is not None else {})
    l_start, l_due, needed = _latest(p, order, deadlines, e_due)
    if needed is not None and needed < sig_target and go_target is not None and go_live_target is not None \
            and signature_target is not None:
        # The go-live target leaves less room after signature than the steps between need.
        squeezed = True
        l_start, l_due, _ = _latest(p, order, {SIGNATURE: sig_target}, e_due)
        warnings.append(f"the go-live target {go_target.isoformat()} needs signature by {needed.isoformat()}, "
                        f"before the target signature date {sig_target.isoformat()}: go-live can be "
                        f"{l_due[GO_LIVE].isoformat()} at the earliest after a signature on its target")
    conflicts += _deadline_conflicts(p, order, l_due, e_due)

    # -- planned dates: by placement policy ------------------------------------------------------
    key_targets = {SIGNATURE: sig_target} | ({GO_LIVE: go_target} if go_target is not None else {})
    start, due = _planned(p, order, policy, phase, l_start, e_start, e_due, key_targets)

    # -- drivers, slack, states ------------------------------------------------------------------
    sig_drivers = _drivers(p, SIGNATURE, e_start, e_due, stop_at=None)
    go_drivers = _drivers(p, GO_LIVE, e_start, e_due, stop_at=SIGNATURE) if has_go_live else ()
    critical = set(sig_drivers) | set(go_drivers)
    result: dict[str, StepDates] = {}
    for node in ids:
        step = p.by_id[node]
        done = step.status == "done"
        slack = None if done else calendar.distance(e_due[node], l_due[node])
        if done:
            state: State = "done"
        elif step.status == "blocked":
            state = "blocked"
        elif today > l_due[node] or e_due[node] > l_due[node]:
            state = "late"
        elif slack is not None and slack < at_risk_slack:
            state = "at_risk"
        else:
            state = "on_track"
        result[node] = StepDates(
            start=start[node], due=due[node], earliest_start=e_start[node], earliest_due=e_due[node],
            latest_start=l_start[node], latest_due=l_due[node],
            actual_start=e_start[node] if done or (step.status == "in_progress" and step.started) else None,
            actual_done=step.done if done else None, pinned=step.pinned and not done, slack=slack,
            critical=node in critical, state=state, phase=phase[node])

    signature = _key_date(calendar, sig_target, sig_requested, signature_target is None, due[SIGNATURE],
                          e_due[SIGNATURE], sig_drivers)
    go_live = None
    if has_go_live:
        assert go_target is not None
        go_live = _key_date(calendar, go_target, go_requested, go_live_target is None, due[GO_LIVE],
                            e_due[GO_LIVE], go_drivers, infeasible=squeezed)
    return Schedule(result, signature, go_live, tuple(warnings), tuple(conflicts))


def _check_pins(p: _Pass) -> None:
    for step in p.by_id.values():
        if step.pin_due is not None:
            if not p.cal.is_working(step.pin_due):
                raise ScheduleError(f"{step.id}: the pinned date {step.pin_due} is not a working day "
                                    f"({_why_not_working(p.cal, step.pin_due)})", steps=(step.id,))
            if step.pin_start is not None:
                if not p.cal.is_working(step.pin_start):
                    raise ScheduleError(f"{step.id}: the pinned start {step.pin_start} is not a working day "
                                        f"({_why_not_working(p.cal, step.pin_start)})", steps=(step.id,))
                if step.pin_start > step.pin_due:
                    raise ScheduleError(f"{step.id}: the pinned start {step.pin_start} is after its due "
                                        f"{step.pin_due}", steps=(step.id,))


def _earliest(p: _Pass, order: Sequence[str],
              warnings: list[str]) -> tuple[dict[str, dt.date], dict[str, dt.date], list[Conflict]]:
    """Forward from today: done and pinned steps hold their dates, open ones start today at the earliest."""
    start: dict[str, dt.date] = {}
    due: dict[str, dt.date] = {}
    conflicts: list[Conflict] = []
    for node in order:
        step = p.by_id[node]
        if step.status == "done" and step.done is not None:
            due[node] = step.done
            start[node] = step.started or p.start_from_due(p.cal.on_or_before(step.done), step.duration)
            start[node] = min(start[node], step.done)
            continue
        if step.status == "in_progress" and step.started is not None:
            start[node] = step.started
            natural = p.due_from_start(p.cal.on_or_after(step.started), step.duration)
            due[node] = step.pin_due or max(natural, p.first)
            continue
        if step.pin_due is not None:
            due[node] = step.pin_due
            start[node] = step.pin_start or p.start_from_due(step.pin_due, step.duration)
            if p.preds[node]:
                blocker = max(p.preds[node], key=lambda q: (due[q], p.index[q]))
                if p.cal.next_after(due[blocker]) > start[node]:
                    message = (f"{node} is pinned to start {start[node].isoformat()}, but {blocker} cannot "
                               f"finish before {due[blocker].isoformat()}")
                    conflicts.append(Conflict(node, blocker, message))
                    warnings.append(message)
            if step.pin_due < p.today:
                warnings.append(f"{node} is pinned to {step.pin_due.isoformat()}, which has passed: mark it done "
                                f"or move the pin")
            continue
        begin = max([p.cal.next_after(due[q]) for q in p.preds[node]] + [p.first])
        start[node] = begin
        due[node] = p.due_from_start(begin, step.duration)
    return start, due, conflicts


def _latest(p: _Pass, order: Sequence[str], deadlines: Mapping[str, dt.date],
            e_due: Mapping[str, dt.date]) -> tuple[dict[str, dt.date], dict[str, dt.date], dt.date | None]:
    """Latest dates: backward from ``deadlines`` for every step leading to one, forward otherwise.

    Pins hold: what precedes a pinned step must finish before the pin. Steps with no deadline
    downstream follow what they wait for as early as possible (done ones at their real dates).
    Returns the latest starts and dues, and the latest signature that the steps after it allow.
    """
    bound: dict[str, bool] = {}
    for node in reversed(order):
        bound[node] = node in deadlines or any(bound[s] for s in p.succs[node])
    start: dict[str, dt.date] = {}
    due: dict[str, dt.date] = {}
    holds: dict[str, dt.date] = {}  # the start predecessors must finish before
    needed: dt.date | None = None
    for node in reversed(order):
        if not bound[node]:
            continue
        step = p.by_id[node]
        limits = [p.cal.previous_before(holds[s]) for s in p.succs[node] if bound[s]]
        if node == SIGNATURE and node in deadlines:
            latest = deadlines[node]
            needed = min(limits) if limits else None
        else:
            if node in deadlines:
                limits.append(deadlines[node])
            latest = min(limits)
        due[node] = latest
        start[node] = p.start_from_due(latest, step.duration)
        holds[node] = (step.pin_start or p.start_from_due(step.pin_due, step.duration)) \
            if step.pin_due is not None and step.status != "done" else start[node]
    ends: dict[str, dt.date] = {}  # what successors of an unbound step wait for
    for node in order:
        step = p.by_id[node]
        if bound[node]:
            ends[node] = e_due[node] if step.status == "done" else due[node]
            if step.pin_due is not None and step.status != "done":
                ends[node] = step.pin_due
            continue
        waits = [p.cal.next_after(ends[q]) for q in p.preds[node]]
        if not waits:  # after signature, waiting for nothing: right after signature at the latest
            waits = [p.cal.next_after(due[SIGNATURE])]
        begin = p.cal.on_or_after(max(waits))
        start[node] = begin
        due[node] = p.due_from_start(begin, step.duration)
        ends[node] = due[node]
        if step.status == "done":
            ends[node] = e_due[node]
        elif step.pin_due is not None:
            ends[node] = step.pin_due
    return start, due, needed


def _deadline_conflicts(p: _Pass, order: Sequence[str], l_due: Mapping[str, dt.date],
                        e_due: Mapping[str, dt.date]) -> list[Conflict]:
    """Pins that miss the deadline of what follows them."""
    out = []
    for node in order:
        step = p.by_id[node]
        if step.pin_due is None or step.status == "done" or step.pin_due <= l_due[node]:
            continue
        successor = next((s for s in sorted(p.succs[node], key=lambda s: p.index[s])), None)
        other = successor or SIGNATURE
        out.append(Conflict(node, other, f"{node} is pinned to {step.pin_due.isoformat()}, after "
                                         f"{l_due[node].isoformat()}, the latest date that still lets {other} "
                                         f"meet its target", "deadline"))
    return out


def _planned(p: _Pass, order: Sequence[str], policy: Mapping[Phase, Policy], phase: Mapping[str, Phase],
             l_start: Mapping[str, dt.date], e_start: Mapping[str, dt.date], e_due: Mapping[str, dt.date],
             key_targets: Mapping[str, dt.date]) -> tuple[dict[str, dt.date], dict[str, dt.date]]:
    """What every format shows: actual and pinned dates as they are, open steps by policy, never before today."""
    start: dict[str, dt.date] = {}
    due: dict[str, dt.date] = {}
    for node in order:
        step = p.by_id[node]
        if p.fixed_start(step):
            start[node], due[node] = e_start[node], e_due[node]
            continue
        floor = max([p.cal.next_after(due[q]) for q in p.preds[node]] + [p.first])
        if node in key_targets:  # on its target, or later when that cannot be met
            begin = max(floor, p.start_from_due(key_targets[node], step.duration))
        elif policy[phase[node]] == "late" and step.status != "in_progress":
            begin = max(floor, l_start[node])
        else:
            begin = floor
        start[node] = begin
        due[node] = p.due_from_start(begin, step.duration)
    return start, due


def _drivers(p: _Pass, key: str, e_start: Mapping[str, dt.date], e_due: Mapping[str, dt.date],
             stop_at: str | None) -> tuple[str, ...]:
    """The chain of steps whose earliest dates decide ``key``'s, first to last."""
    chain: list[str] = []
    node = key
    while not p.fixed_start(p.by_id[node]) and node != stop_at:
        setters = [q for q in p.preds[node] if p.cal.next_after(e_due[q]) == e_start[node]]
        if not setters:
            break  # it starts today
        pred = max(setters, key=lambda q: (p.by_id[q].duration, -p.index[q]))
        if p.by_id[pred].status == "done":
            break
        chain.append(pred)
        node = pred
    chain.reverse()
    return tuple(chain)


def _key_date(calendar: BusinessCalendar, target: dt.date, requested: dt.date | None, derived: bool,
              planned: dt.date, forecast: dt.date, drivers: tuple[str, ...], infeasible: bool = False) -> KeyDate:
    feasible = forecast <= target and not infeasible
    slip = max(0, calendar.distance(target, calendar.on_or_before(forecast))) if forecast > target else 0
    return KeyDate(target=target, planned=planned, forecast=forecast, feasible=feasible, derived=derived,
                   requested=requested, drivers=drivers, slip=slip)


def _why_not_working(calendar: BusinessCalendar, day: dt.date) -> str:
    return calendar.holiday_name(day) or ("a weekend" if day.weekday() in calendar.weekend else "a closed day")


def _working_target(calendar: BusinessCalendar, target: dt.date, label: str, warnings: list[str]) -> dt.date:
    working = calendar.on_or_before(target)
    if working != target:
        warnings.append(f"the target {label} date {target.isoformat()} is not a working day "
                        f"({_why_not_working(calendar, target)}); using {working.isoformat()}")
    return working
