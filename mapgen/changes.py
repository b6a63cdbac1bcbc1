"""What changed between two plans (docs/keeping-current.md): the slip report behind ``mapgen diff`` and the
"What changed since DATE" section of every format.

``compare(old, new)`` takes two Plans (a plan JSON is read back with ``plan_from_dict``) and
returns an immutable ``Changes`` record. Steps are matched by id. Movements are counted in
working days of the NEW plan's calendar. No format code here: formats and the terminal word it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from mapgen.errors import MapgenError, Problem
from mapgen.plan import (STATE_LABELS, WEEKDAY_CODES, CalendarInfo, Deal, KeyDate, Milestone, Owner,
                         Owners, Party, Person, Plan, Risk, Workstream)
from mapgen.step import Resources


# -- the record ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Moved:
    """A step whose planned dates changed; ``days`` is the due date's shift in working days
    (positive: later), ``start_days`` the start's."""

    id: str
    name: str
    old_start: dt.date
    old_due: dt.date
    new_start: dt.date
    new_due: dt.date
    days: int
    start_days: int


@dataclass(frozen=True)
class StateChanged:
    id: str
    name: str
    old_state: str
    new_state: str
    old_status: str
    new_status: str

    @property
    def old_label(self) -> str:
        return STATE_LABELS.get(self.old_state, self.old_state)

    @property
    def new_label(self) -> str:
        return STATE_LABELS.get(self.new_state, self.new_state)


@dataclass(frozen=True)
class StepRef:
    """A step added (in the new plan) or removed (from the old one), with its planned dates."""

    id: str
    name: str
    start: dt.date
    due: dt.date


@dataclass(frozen=True)
class Renamed:
    id: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class OwnerChanged:
    id: str
    name: str
    side: str  # "buyer" or "seller"
    old: str
    new: str


@dataclass(frozen=True)
class KeyDateChange:
    """Signature or go-live before and after; ``days`` is the forecast's shift in working days."""

    key: str  # "signature" or "go_live"
    old_target: dt.date | None
    new_target: dt.date | None
    old_forecast: dt.date | None
    new_forecast: dt.date | None
    old_planned: dt.date | None
    new_planned: dt.date | None
    old_feasible: bool | None
    new_feasible: bool | None
    days: int
    old_drivers: tuple[str, ...]
    new_drivers: tuple[str, ...]
    why: str  # wording.drivers_sentence of the new plan (inline Markdown), "" when none

    @property
    def changed(self) -> bool:
        return (self.old_forecast != self.new_forecast or self.old_target != self.new_target
                or self.old_feasible != self.new_feasible or self.old_planned != self.new_planned)


@dataclass(frozen=True)
class Changes:
    """Everything that changed from ``old_today``'s plan to ``new_today``'s, steps in the new plan's order."""

    old_today: dt.date
    new_today: dt.date
    moved: tuple[Moved, ...] = ()
    states: tuple[StateChanged, ...] = ()
    added: tuple[StepRef, ...] = ()
    removed: tuple[StepRef, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    owners: tuple[OwnerChanged, ...] = ()
    signature: KeyDateChange | None = None
    go_live: KeyDateChange | None = None

    @property
    def empty(self) -> bool:
        keys = [k for k in (self.signature, self.go_live) if k is not None]
        return not (self.moved or self.states or self.added or self.removed or self.renamed or self.owners
                    or any(k.changed for k in keys))

    @property
    def key_dates(self) -> tuple[KeyDateChange, ...]:
        return tuple(k for k in (self.signature, self.go_live) if k is not None)

    def moved_by_id(self) -> Mapping[str, Moved]:
        return MappingProxyType({m.id: m for m in self.moved})

    def to_dict(self) -> dict[str, Any]:
        """The ``mapgen diff --json`` shape (docs/keeping-current.md)."""
        def key(k: KeyDateChange | None) -> dict[str, Any] | None:
            if k is None:
                return None
            return {"old": {"target": _iso(k.old_target), "planned": _iso(k.old_planned),
                            "forecast": _iso(k.old_forecast), "feasible": k.old_feasible,
                            "drivers": list(k.old_drivers)},
                    "new": {"target": _iso(k.new_target), "planned": _iso(k.new_planned),
                            "forecast": _iso(k.new_forecast), "feasible": k.new_feasible,
                            "drivers": list(k.new_drivers)},
                    "forecast_days": k.days, "changed": k.changed, "why": k.why}

        return {
            "schema": 1,
            "old_today": self.old_today.isoformat(),
            "new_today": self.new_today.isoformat(),
            "empty": self.empty,
            "signature": key(self.signature),
            "go_live": key(self.go_live),
            "moved": [{"id": m.id, "name": m.name, "days": m.days, "start_days": m.start_days,
                       "old": {"start": m.old_start.isoformat(), "due": m.old_due.isoformat()},
                       "new": {"start": m.new_start.isoformat(), "due": m.new_due.isoformat()}} for m in self.moved],
            "states": [{"id": s.id, "name": s.name, "old": s.old_state, "new": s.new_state,
                        "old_status": s.old_status, "new_status": s.new_status} for s in self.states],
            "added": [{"id": s.id, "name": s.name, "start": s.start.isoformat(), "due": s.due.isoformat()}
                      for s in self.added],
            "removed": [{"id": s.id, "name": s.name, "start": s.start.isoformat(), "due": s.due.isoformat()}
                        for s in self.removed],
            "renamed": [{"id": r.id, "old": r.old_name, "new": r.new_name} for r in self.renamed],
            "owners": [{"id": o.id, "name": o.name, "side": o.side, "old": o.old, "new": o.new} for o in self.owners],
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


# -- comparing -----------------------------------------------------------------------------------

def working_days_counter(calendar: CalendarInfo) -> Callable[[dt.date, dt.date], int]:
    """``count(a, b)``: working days from ``a`` to ``b`` (positive when b is later), by the calendar's
    country (the ``holidays`` package), weekend and closed periods, plus the holidays it carries."""
    is_working = calendar.is_working
    if calendar.country:
        from mapgen.calendar import BusinessCalendar

        code = calendar.country + (f"-{calendar.subdivision}" if calendar.subdivision else "")
        try:
            business = BusinessCalendar(code, calendar.closed, calendar.weekend)
        except Exception:  # noqa: BLE001 - an unknown country in an old JSON: its own holidays only
            business = None
        if business is not None:
            def is_working(day: dt.date) -> bool:  # noqa: F811
                return business.is_working(day) and day not in calendar.holidays

    def count(a: dt.date, b: dt.date) -> int:
        if a == b:
            return 0
        sign = 1 if b > a else -1
        lo, hi = (a, b) if b > a else (b, a)
        days = 0
        day = lo + dt.timedelta(days=1)
        while day <= hi:
            days += is_working(day)
            day += dt.timedelta(days=1)
        return sign * days

    return count


def compare(old: Plan, new: Plan) -> Changes:
    """What changed from ``old`` to ``new``, steps matched by id. Compare two plans for the same reader
    (``Plan.for_reader``): a buyer's plans have no internal step to report."""
    from mapgen.wording import drivers_sentence

    count = working_days_counter(new.calendar)
    before = {m.id: m for m in old.milestones}
    after = {m.id: m for m in new.milestones}
    moved, states, renamed, owners, added = [], [], [], [], []
    for m in new.milestones:
        o = before.get(m.id)
        if o is None:
            added.append(StepRef(m.id, m.name, m.start, m.due))
            continue
        if (o.start, o.due) != (m.start, m.due):
            moved.append(Moved(m.id, m.name, o.start, o.due, m.start, m.due, count(o.due, m.due),
                               count(o.start, m.start)))
        if o.state != m.state or o.status != m.status:
            states.append(StateChanged(m.id, m.name, o.state, m.state, o.status, m.status))
        if o.name != m.name:
            renamed.append(Renamed(m.id, o.name, m.name))
        for side in ("buyer", "seller"):
            was, now = getattr(o.owners, side).name, getattr(m.owners, side).name
            if was != now:
                owners.append(OwnerChanged(m.id, m.name, side, was, now))
    removed = [StepRef(o.id, o.name, o.start, o.due) for o in old.milestones if o.id not in after]

    def key(name: str) -> KeyDateChange | None:
        a, b = old.key_date(name), new.key_date(name)
        if a is None and b is None:
            return None
        days = count(a.forecast, b.forecast) if a and b else 0
        return KeyDateChange(
            name, a.target if a else None, b.target if b else None, a.forecast if a else None,
            b.forecast if b else None, a.planned if a else None, b.planned if b else None,
            a.feasible if a else None, b.feasible if b else None, days,
            a.drivers if a else (), b.drivers if b else (),
            drivers_sentence(new, name) if b else "")

    return Changes(old.today, new.today, tuple(moved), tuple(states), tuple(added), tuple(removed),
                   tuple(renamed), tuple(owners), key("signature"), key("go_live"))


# -- reading a side: a plan JSON or a brief -------------------------------------------------------

def load_side(path: Path | str, *, today: dt.date | None = None, template: str | None = None,
              catalog: Any = None, display: str | None = None) -> Plan:
    """A plan JSON (schema 2) read back, or a brief planned on the fly (``--today``/``--template``)."""
    path = Path(path)
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MapgenError(f"cannot read: {exc.strerror or exc}", shown) from None
    suffix = path.suffix.lower()
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and data.lstrip()[:1] == b"{"):
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise MapgenError(f"not a plan JSON: {exc}", shown) from None
        return plan_from_dict(parsed, source=shown)
    from mapgen.pipeline import build_plan

    return build_plan(path, today=today, template=template, catalog=catalog, display=shown)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def plan_from_dict(data: Any, source: str | None = None) -> Plan:
    """Read a plan JSON (schema 2, ``Plan.to_dict``) back into a Plan; an error names the file."""
    if not isinstance(data, dict) or data.get("schema") != 2:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise MapgenError([Problem(f"not a plan JSON of schema 2 (schema: {found!r}); "
                                   "write one with `mapgen generate -f json` or `mapgen plan --json`", source)])
    try:
        return _plan(data, source)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MapgenError([Problem(f"plan JSON: missing or bad field: {exc}", source)]) from None


def _key(d: Any) -> KeyDate | None:
    if not d:
        return None
    return KeyDate(target=_date(d["target"]), planned=_date(d["planned"]), forecast=_date(d["forecast"]),  # type: ignore[arg-type]
                   feasible=bool(d["feasible"]), derived=bool(d.get("derived")), requested=_date(d.get("requested")),
                   drivers=tuple(d.get("drivers") or ()), slip=int(d.get("slip") or 0))


def _plan(data: dict[str, Any], source: str | None) -> Plan:
    roles = {}
    milestones = []
    for m in data["milestones"]:
        owners = m.get("owners") or {}
        roles = m.get("owner_roles") or {}
        milestones.append(Milestone(
            id=m["id"], number=int(m["number"]), name=m["name"], workstream=m["workstream"],
            workstream_name=m.get("workstream_name") or m["workstream"], phase=m["phase"],
            duration=int(m["duration"]), after=tuple(m.get("after") or ()),
            start=_date(m["start"]), due=_date(m["due"]),  # type: ignore[arg-type]
            earliest_start=_date(m["earliest_start"]), earliest_due=_date(m["earliest_due"]),  # type: ignore[arg-type]
            latest_start=_date(m["latest_start"]), latest_due=_date(m["latest_due"]),  # type: ignore[arg-type]
            actual_start=_date(m.get("actual_start")), actual_done=_date(m.get("actual_done")),
            pinned=bool(m.get("pinned")), slack=m.get("slack"), critical=bool(m.get("critical")),
            state=m["state"], status=m["status"],
            owners=Owners(Owner(owners.get("buyer") or "", roles.get("buyer")),
                          Owner(owners.get("seller") or "", roles.get("seller"))),
            internal=bool(m.get("internal")), gate=m.get("gate"), note=m.get("note"),
            description=m.get("description"), criteria=tuple(m.get("criteria") or ()),
            resources=Resources.from_dict(m.get("resources"))))
    cal = data.get("calendar") or {}
    weekend = tuple(WEEKDAY_CODES.index(w) for w in cal.get("weekend") or ("sat", "sun"))
    calendar = CalendarInfo(cal.get("country"), cal.get("subdivision"),
                            tuple((_date(a), _date(b)) for a, b in cal.get("closed") or ()),  # type: ignore[misc]
                            weekend, MappingProxyType({_date(k): v for k, v in (cal.get("holidays") or {}).items()}),
                            cal.get("holidays_version"))
    people = data.get("people") or {}

    def persons(side: str) -> tuple[Person, ...]:
        return tuple(Person(p["name"], side, p.get("role"), p.get("title"), p.get("email"))  # type: ignore[arg-type]
                     for p in people.get(side) or ())

    deal = data["deal"]
    buyer = data.get("buyer") or {}
    return Plan(
        deal=Deal(deal["name"], deal.get("amount"), deal.get("currency") or "USD"),
        template=data.get("template") or "",
        buyer=Party(buyer.get("company") or "", persons("buyer"), buyer.get("outcome"), buyer.get("country")),
        seller=Party((data.get("seller") or {}).get("company") or "", persons("seller")),
        today=_date(data["today"]),  # type: ignore[arg-type]
        signature=_key(data["signature"]),  # type: ignore[arg-type]
        go_live=_key(data.get("go_live")),
        milestones=tuple(milestones),
        workstreams=tuple(Workstream(w["id"], w["name"], tuple(w.get("milestones") or ()))
                          for w in data.get("workstreams") or ()),
        risks=tuple(Risk(r["risk"], r.get("owner"), r.get("mitigation"), bool(r.get("derived")))
                    for r in data.get("risks") or ()),
        check_in=None, next_check_in=None, warnings=tuple(data.get("warnings") or ()),
        calendar=calendar, source=source,
        placement=MappingProxyType(dict(data.get("placement") or {"before_signature": "late",
                                                                   "after_signature": "early"})))



