"""Backward scheduling on a business calendar (contract section 3).

Two passes over the dependency graph, each linear in steps plus dependencies:

* latest dates (the plan's): signature on its target, everything before it as late as
  possible; after signature, steps leading to go-live as late as possible toward the
  go-live target, the rest as early as possible after their predecessors;
* earliest dates: forward from today, done steps fixed at their done date.

Slack, the critical chain and feasibility follow from comparing the two.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from mapgen.calendar import BusinessCalendar
from mapgen.errors import ScheduleError
from mapgen.plan import KeyDate

SIGNATURE = "signature"
GO_LIVE = "go_live"


@dataclass(frozen=True)
class Task:
    id: str
    duration: int
    after: tuple[str, ...] = ()
    status: str = "not_started"
    done: dt.date | None = None


@dataclass(frozen=True)
class Scheduled:
    start: dt.date
    due: dt.date
    earliest_start: dt.date
    earliest_due: dt.date
    slack: int
    critical: bool
    late: bool
    phase: str


@dataclass(frozen=True)
class Schedule:
    steps: Mapping[str, Scheduled]
    signature: KeyDate
    go_live: KeyDate | None
    warnings: tuple[str, ...]


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
    seen = 0
    while queue:
        node = queue.popleft()
        seen += 1
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


def schedule(tasks: Iterable[Task], calendar: BusinessCalendar, today: dt.date,
             signature_target: dt.date | None, go_live_target: dt.date | None) -> Schedule:
    """Schedule ``tasks`` (one of them ``signature``) from the targets; see the module docstring."""
    task_list = list(tasks)
    by_id = {t.id: t for t in task_list}
    if SIGNATURE not in by_id:
        raise ScheduleError("the plan has no signature step")
    has_go_live = GO_LIVE in by_id
    if signature_target is None and not (go_live_target and has_go_live):
        raise ScheduleError("a target signature date is needed (or a go-live date and a go_live step)")
    warnings: list[str] = []
    ids = [t.id for t in task_list]
    preds: dict[str, list[str]] = {t.id: list(dict.fromkeys(t.after)) for t in task_list}
    succs: dict[str, list[str]] = {i: [] for i in ids}
    for node, before in preds.items():
        for pred in before:
            if pred not in succs:
                raise ScheduleError(f"{node}: depends on unknown step '{pred}'")
            succs[pred].append(node)

    after_signature = _reachable(SIGNATURE, succs)
    if has_go_live and GO_LIVE not in after_signature:
        raise ScheduleError("go_live must come after signature (through its 'after' dependencies)")
    # -- which steps are scheduled backward (as late as possible) --------------------------------
    backward = {node for node in ids if node not in after_signature}  # includes signature
    if has_go_live and go_live_target is not None:
        backward |= (_reachable(GO_LIVE, preds) & after_signature) | {GO_LIVE}
    # A step before signature that leads to no step with a deadline must still be finished by signature.
    for node in ids:
        if node != SIGNATURE and node not in after_signature and not any(s in backward for s in succs[node]):
            succs[node].append(SIGNATURE)
            preds[SIGNATURE].append(node)
    order = _topological(ids, preds, succs)

    deadline: dict[str, dt.date] = {}
    if signature_target is not None:
        deadline[SIGNATURE] = _working_target(calendar, signature_target, "signature", warnings)
    if has_go_live and go_live_target is not None:
        deadline[GO_LIVE] = _working_target(calendar, go_live_target, "go-live", warnings)

    start: dict[str, dt.date] = {}
    due: dict[str, dt.date] = {}
    needed_signature: dt.date | None = None
    for node in reversed(order):
        if node not in backward:
            continue
        limits = [calendar.previous_before(start[s]) for s in succs[node] if s in backward]
        if node == SIGNATURE and SIGNATURE in deadline:
            latest = deadline[SIGNATURE]
            if limits and min(limits) < latest:
                needed_signature = min(limits)
        else:
            if node in deadline:
                limits.append(deadline[node])
            latest = min(limits)
        due[node] = latest
        start[node] = _start_from_due(calendar, latest, by_id[node].duration)
    squeezed = [node for node in backward if node in after_signature
                and any(start[node] <= due[p] for p in preds[node] if p in due)]
    if squeezed:  # the go-live target leaves too little time after the signature target
        backward -= after_signature
    for node in order:
        if node in backward:
            continue
        first = max(calendar.next_after(due[p]) for p in preds[node])
        start[node] = first
        due[node] = _due_from_start(calendar, first, by_id[node].duration)

    # -- earliest dates: forward from today ----------------------------------------------------------
    first_day = calendar.on_or_after(today)
    earliest_start: dict[str, dt.date] = {}
    earliest_due: dict[str, dt.date] = {}
    driven_by_today: set[str] = set()
    for node in order:
        task = by_id[node]
        if task.status == "done" and task.done is not None:
            finish = calendar.on_or_before(task.done)
            earliest_due[node] = task.done
            earliest_start[node] = _start_from_due(calendar, finish, task.duration)
            continue
        candidates = [calendar.next_after(earliest_due[p]) for p in preds[node]]
        begin = max(candidates + [first_day])
        if begin == first_day:
            driven_by_today.add(node)
        earliest_start[node] = begin
        earliest_due[node] = _due_from_start(calendar, begin, task.duration)

    critical = _critical_chain(by_id, preds, calendar, earliest_start, earliest_due,
                               [SIGNATURE] + ([GO_LIVE] if has_go_live else []))
    steps: dict[str, Scheduled] = {}
    for node in ids:
        task = by_id[node]
        slack = calendar.distance(earliest_start[node], start[node])
        done = task.status == "done"
        late = not done and (due[node] < today or (task.status == "not_started" and start[node] < today))
        steps[node] = Scheduled(start[node], due[node], earliest_start[node], earliest_due[node], slack,
                                node in critical, late,
                                "after_signature" if node in after_signature else "before_signature")

    signature = KeyDate(due[SIGNATURE], earliest_due[SIGNATURE], earliest_due[SIGNATURE] <= due[SIGNATURE],
                        derived=signature_target is None)
    go_live = None
    if has_go_live:
        target = deadline.get(GO_LIVE, due[GO_LIVE])
        if squeezed and needed_signature is not None:
            warnings.append(f"the go-live target {target.isoformat()} needs signature by "
                            f"{needed_signature.isoformat()}, before the target signature date "
                            f"{due[SIGNATURE].isoformat()}: go-live is planned for {due[GO_LIVE].isoformat()}, "
                            f"the earliest it can follow signature")
        go_live = KeyDate(target, earliest_due[GO_LIVE], earliest_due[GO_LIVE] <= target and due[GO_LIVE] <= target,
                          derived=go_live_target is None)
    return Schedule(steps, signature, go_live, tuple(warnings))


def _working_target(calendar: BusinessCalendar, target: dt.date, label: str, warnings: list[str]) -> dt.date:
    working = calendar.on_or_before(target)
    if working != target:
        reason = calendar.holiday_name(target) or ("a weekend" if target.weekday() in calendar.weekend else
                                                   "a closed day")
        warnings.append(f"the target {label} date {target.isoformat()} is not a working day ({reason}); "
                        f"using {working.isoformat()}")
    return working


def _start_from_due(calendar: BusinessCalendar, due: dt.date, duration: int) -> dt.date:
    return calendar.shift(due, -(duration - 1)) if duration > 1 else due


def _due_from_start(calendar: BusinessCalendar, start: dt.date, duration: int) -> dt.date:
    return calendar.shift(start, duration - 1) if duration > 1 else start


def _critical_chain(by_id: Mapping[str, Task], preds: Mapping[str, Sequence[str]], calendar: BusinessCalendar,
                    earliest_start: Mapping[str, dt.date], earliest_due: Mapping[str, dt.date],
                    ends: Sequence[str]) -> set[str]:
    """The steps whose earliest finish decides the earliest date of each of ``ends``."""
    critical: set[str] = set()
    queue = deque(ends)
    while queue:
        node = queue.popleft()
        if node in critical or by_id[node].status == "done":
            continue
        critical.add(node)
        for pred in preds[node]:
            if by_id[pred].status != "done" and calendar.next_after(earliest_due[pred]) == earliest_start[node]:
                queue.append(pred)
    return critical
