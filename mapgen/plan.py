"""The immutable Plan every renderer receives, and its JSON form (schema 2, docs/plan-json.md)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Mapping

from mapgen.step import RESOURCE_KINDS, Resource, Resources

if TYPE_CHECKING:
    from mapgen.changes import Changes

Side = Literal["buyer", "seller"]
#: Who a rendered plan is for (docs/briefs.md, "Audience"): the buyer sees customer-facing steps only;
#: the seller's internal view adds the template's internal steps and the MEDDPICC review.
Audience = Literal["buyer", "internal"]
AUDIENCES: tuple[Audience, ...] = ("buyer", "internal")
Phase = Literal["before_signature", "after_signature"]
Status = Literal["not_started", "in_progress", "done", "blocked"]

Policy = Literal["late", "early"]
PHASES: tuple[Phase, ...] = ("before_signature", "after_signature")
#: Work backward to the target signature; once signed, move forward at once (docs/scheduling.md).
DEFAULT_PLACEMENT: Mapping[Phase, Policy] = MappingProxyType({"before_signature": "late", "after_signature": "early"})

STATUSES: tuple[Status, ...] = ("not_started", "in_progress", "done", "blocked")
STATUS_LABELS: Mapping[str, str] = MappingProxyType({
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "blocked": "Blocked",
})
SCHEMA_VERSION = 2
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def role_label(role: str) -> str:
    """``economic_buyer`` -> ``Economic buyer``."""
    text = role.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Person:
    name: str
    side: Side
    role: str | None = None
    title: str | None = None
    email: str | None = None

    @property
    def role_label(self) -> str:
        return role_label(self.role) if self.role else ""

    @property
    def role_note(self) -> str:
        """The role's label to write after the title, or "" when the title already says it: "Sarah Kim,
        Account Executive", not "Sarah Kim, Account Executive, Account executive"."""
        label = self.role_label
        return "" if self.title and label.casefold() == " ".join(self.title.split()).casefold() else label


@dataclass(frozen=True)
class Owner:
    """Who owns a step on one side: a named person, or a role still to be named."""

    name: str
    role: str | None = None
    named: bool = True

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Owners:
    buyer: Owner
    seller: Owner


State = Literal["done", "blocked", "late", "at_risk", "on_track"]
STATES: tuple[State, ...] = ("done", "blocked", "late", "at_risk", "on_track")
STATE_LABELS: Mapping[str, str] = MappingProxyType({
    "done": "Done",
    "blocked": "Blocked",
    "late": "Late",
    "at_risk": "At risk",
    "on_track": "On track",
})


@dataclass(frozen=True)
class Milestone:
    """One scheduled step (docs/scheduling.md): ``start``/``due`` are the planned dates.

    ``earliest_*`` is the forecast from today, ``latest_*`` the deadline that still meets the
    targets, ``actual_*`` what happened; ``slack`` is None for done steps.
    """

    id: str
    number: int
    name: str
    workstream: str
    workstream_name: str
    phase: Phase
    duration: int
    after: tuple[str, ...]
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
    status: Status
    owners: Owners
    internal: bool = False
    gate: str | None = None
    note: str | None = None
    description: str | None = None
    criteria: tuple[str, ...] = ()
    #: What the step needs from each side: people and time, systems or data access, budget.
    resources: Resources = Resources()

    @property
    def late(self) -> bool:
        return self.state == "late"

    @property
    def at_risk(self) -> bool:
        """Open, not late, and one more slip would make it late."""
        return self.state == "at_risk"

    @property
    def done(self) -> dt.date | None:
        """The day it was done, for done steps."""
        return self.actual_done

    @property
    def is_done(self) -> bool:
        return self.state == "done"

    @property
    def is_open(self) -> bool:
        return self.state != "done"

    @property
    def status_label(self) -> str:
        """The status a reader sees, with the computed state: ``Not started (late)``."""
        label = STATUS_LABELS[self.status]
        if self.state in ("late", "at_risk"):
            return f"{label} ({STATE_LABELS[self.state].lower()})"
        return label

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_event(self) -> bool:
        return self.duration == 0


@dataclass(frozen=True)
class Workstream:
    id: str
    name: str
    milestones: tuple[str, ...]


@dataclass(frozen=True)
class KeyDate:
    """Signature or go-live: the target, what the plan shows, the forecast, and why.

    ``target`` is a working day; ``requested`` is the brief's own date when it was not one.
    ``derived`` targets were worked out from the other key date, never given by the buyer.
    ``drivers`` is the chain of step ids, first to last, that decides the forecast;
    ``slip`` the working days from the target to the forecast (0 when feasible).
    """

    target: dt.date
    planned: dt.date
    forecast: dt.date
    feasible: bool
    derived: bool = False
    requested: dt.date | None = None
    drivers: tuple[str, ...] = ()
    slip: int = 0

    @property
    def earliest(self) -> dt.date:
        """The forecast: the earliest date this can really happen."""
        return self.forecast


@dataclass(frozen=True)
class Deal:
    name: str
    amount: float | int | None = None
    currency: str = "USD"


@dataclass(frozen=True)
class Party:
    company: str
    people: tuple[Person, ...] = ()
    outcome: str | None = None
    country: str | None = None


def parse_placement(value: str | Mapping[str, str] | None) -> dict[Phase, Policy] | None:
    """``early``, ``late`` or ``{before_signature: ..., after_signature: ...}`` as a full mapping."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in ("early", "late"):
            raise ValueError(f"'{value}' is not a placement: use early or late")
        return {phase: value for phase in PHASES}  # type: ignore[misc]
    out: dict[Phase, Policy] = dict(DEFAULT_PLACEMENT)
    for key, policy in value.items():
        if key not in PHASES:
            raise ValueError(f"'{key}' is not a phase: use before_signature or after_signature")
        if policy not in ("early", "late"):
            raise ValueError(f"'{policy}' is not a placement: use early or late")
        out[key] = policy  # type: ignore[index]
    return out


def _frozen_mapping(value: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Qualification:
    """The seller's own qualification notes from the brief's ``qualification`` block (docs/briefs.md).
    Only the internal view carries them: ``Plan.for_reader("buyer")`` drops them, and the plan JSON
    never holds them."""

    metrics: tuple[str, ...] = ()
    decision_criteria: tuple[str, ...] = ()
    competition: tuple[str, ...] = ()
    compelling_event: str | None = None


@dataclass(frozen=True)
class Risk:
    """A risk with an owner for its mitigation; ``derived`` ones were found by mapgen, not written."""

    risk: str
    owner: str | None = None
    mitigation: str | None = None
    derived: bool = False


@dataclass(frozen=True)
class CheckIn:
    """The weekly cadence: ``weekday`` 0 is Monday."""

    weekday: int
    time: dt.time
    text: str

    @property
    def label(self) -> str:
        day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[self.weekday]
        return f"Every {day} at {self.time.strftime('%H:%M')}"


@dataclass(frozen=True)
class CalendarInfo:
    """Everything needed to recompute the schedule: the working week, closed periods and the
    public holidays within the plan's span, with the ``holidays`` data version."""

    country: str | None
    subdivision: str | None
    closed: tuple[tuple[dt.date, dt.date], ...] = ()
    weekend: tuple[int, ...] = (5, 6)
    holidays: Mapping[dt.date, str] = field(default_factory=_frozen_mapping)
    holidays_version: str | None = None

    def is_working(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (within the plan's span, where the holidays are known)."""
        if day.weekday() in self.weekend or day in self.holidays:
            return False
        return not any(first <= day <= last for first, last in self.closed)

    def closed_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day: a holiday's name, "closed", "weekend", or None."""
        if day in self.holidays:
            return self.holidays[day]
        if any(first <= day <= last for first, last in self.closed):
            return "closed"
        if day.weekday() in self.weekend:
            return "weekend"
        return None


@dataclass(frozen=True)
class Commitment:
    """One thing a side commits to the plan (``Plan.commitments``): the resource and the steps it is for."""

    side: Side
    resource: Resource
    steps: tuple[Milestone, ...]

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def kind_label(self) -> str:
        return self.resource.kind_label

    @property
    def text(self) -> str:
        return self.resource.text

    @property
    def numbers(self) -> str:
        """``3, 5``: the numbers of the steps it is for."""
        return ", ".join(str(m.number) for m in sorted(self.steps, key=lambda m: m.number))

    @property
    def for_steps(self) -> str:
        """``step 3`` or ``steps 3, 5``."""
        return ("steps " if len(self.steps) > 1 else "step ") + self.numbers


@dataclass(frozen=True)
class Plan:
    """Everything a renderer needs. Milestones are ordered by due date."""

    deal: Deal
    template: str
    buyer: Party
    seller: Party
    today: dt.date
    signature: KeyDate
    go_live: KeyDate | None
    milestones: tuple[Milestone, ...]
    workstreams: tuple[Workstream, ...]
    risks: tuple[Risk, ...] = ()
    check_in: CheckIn | None = None
    next_check_in: dt.datetime | None = None
    warnings: tuple[str, ...] = ()
    calendar: CalendarInfo = CalendarInfo(None, None)
    source: str | None = None  # the brief's file name, for messages
    texts: Mapping[str, Any] = field(default_factory=_frozen_mapping)  # template wording
    placement: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(
        {"before_signature": "late", "after_signature": "early"}))
    #: When the next check-in's usual day is not a working day: (that day, why).
    check_in_moved: tuple[dt.date, str] | None = None
    #: What changed since a baseline plan (``mapgen generate --baseline``), or None: formats show a
    #: "What changed since DATE" section and mark moved steps. Not part of the plan JSON.
    changes: "Changes | None" = None
    #: Who this plan is for. The pipeline's plan holds every step ("internal"); each format
    #: receives ``for_reader(audience)``, so a buyer's plan has no internal step left to leak.
    audience: Audience = "internal"
    #: The brief's MEDDPICC notes; None in a buyer's plan (mapgen/meddpicc.py reads them).
    qualification: Qualification | None = None

    def for_reader(self, audience: Audience) -> Plan:
        """This plan as ``audience`` may see it. For the buyer: internal steps removed, and what
        pointed at them (a step's ``after``, the driver chains, workstreams) rewired to the
        customer-facing steps reached through them, so every view stays consistent."""
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r} (choose from {', '.join(AUDIENCES)})")
        if audience == self.audience:
            return self
        if self.audience == "buyer":
            raise ValueError("a buyer's plan has no internal steps left to show: filter the full plan")
        every = self.by_id
        shown = tuple(replace(m, after=_visible_after(m, every)) for m in self.milestones if not m.internal)
        keep = {m.id for m in shown}

        def drivers(date: KeyDate | None) -> KeyDate | None:
            return None if date is None else replace(date, drivers=tuple(i for i in date.drivers if i in keep))

        return replace(
            self, audience="buyer", milestones=shown, qualification=None,
            signature=drivers(self.signature),  # type: ignore[arg-type]
            go_live=drivers(self.go_live),
            workstreams=tuple(replace(w, milestones=tuple(i for i in w.milestones if i in keep))
                              for w in self.workstreams))

    # -- views renderers share ------------------------------------------------------------

    @property
    def feasible(self) -> bool:
        return self.signature.feasible and (self.go_live is None or self.go_live.feasible)

    @property
    def title(self) -> str:
        """The deal in the buyer's terms."""
        return f"{self.buyer.company} × {self.seller.company}: path to launch"

    @functools.cached_property
    def by_id(self) -> Mapping[str, Milestone]:
        """Every step by id (built once per plan: formats look steps up often)."""
        return MappingProxyType({m.id: m for m in self.milestones})

    def milestone(self, milestone_id: str) -> Milestone:
        return self.by_id[milestone_id]

    def by_workstream(self) -> tuple[tuple[Workstream, tuple[Milestone, ...]], ...]:
        """Workstreams in template order with their steps, by due date; empty ones dropped."""
        found: dict[str, list[Milestone]] = {}
        for m in self.milestones:
            found.setdefault(m.workstream, []).append(m)
        return tuple((ws, tuple(found[ws.id])) for ws in self.workstreams if ws.id in found)

    def waits_for(self, milestone: Milestone) -> tuple[int, ...]:
        """The numbers of the steps ``milestone`` waits for."""
        every = self.by_id
        return tuple(sorted({every[i].number for i in milestone.after if i in every}))

    def next_steps(self, days: int = 14) -> tuple[Milestone, ...]:
        """Open steps planned to start or fall due within ``days`` of today, by planned date."""
        horizon = self.today + dt.timedelta(days=days)
        found = [m for m in self.milestones if m.is_open and m.start <= horizon]
        return tuple(sorted(found, key=lambda m: (m.start, m.due, m.number)))

    def key_date(self, key: str) -> KeyDate | None:
        return self.signature if key == "signature" else self.go_live if key == "go_live" else None

    def driver_steps(self, key: str) -> tuple[Milestone, ...]:
        """The steps, first to last, that decide the forecast of ``signature`` or ``go_live``."""
        date = self.key_date(key)
        if date is None:
            return ()
        return tuple(self.by_id[i] for i in date.drivers if i in self.by_id)

    def gates(self) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones if m.gate)

    def late_steps(self) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones if m.late)

    def people(self, side: Side) -> tuple[Person, ...]:
        return (self.buyer if side == "buyer" else self.seller).people

    def unnamed(self) -> tuple[tuple[Side, str, tuple[Milestone, ...]], ...]:
        """Owners still to be named: (side, placeholder such as "Legal counsel (to be named)", their steps)."""
        found: dict[tuple[Side, str], list[Milestone]] = {}
        for m in self.milestones:
            for side, owner in (("buyer", m.owners.buyer), ("seller", m.owners.seller)):
                if not owner.named:
                    found.setdefault((side, owner.name), []).append(m)  # type: ignore[arg-type]
        return tuple((side, name, tuple(steps)) for (side, name), steps in found.items())

    def commitments(self) -> tuple[Commitment, ...]:
        """What each side commits, over the plan's steps: one entry per side, kind and resource (the same
        words on several steps are one entry naming every step), buyer first, then by kind (people and
        time, access, budget) and the order the steps fall due. Empty when no step names a resource."""
        found: dict[tuple[str, str, str], list[Milestone]] = {}
        for m in self.milestones:
            for side in ("buyer", "seller"):
                for r in m.resources.side(side):
                    steps = found.setdefault((side, r.kind, r.text), [])
                    if m not in steps:
                        steps.append(m)
        rank = {kind: n for n, kind in enumerate(RESOURCE_KINDS)}
        ordered = sorted(found.items(), key=lambda item: (item[0][0] != "buyer", rank.get(item[0][1], len(rank))))
        return tuple(Commitment(side, Resource(kind, words), tuple(steps))  # type: ignore[arg-type]
                     for (side, kind, words), steps in ordered)

    def commitments_by_side(self) -> tuple[tuple[Side, tuple[tuple[str, tuple[Commitment, ...]], ...]], ...]:
        """``commitments`` grouped: (side, ((kind label, its commitments), ...)) for each side that commits
        something, buyer first; kinds in order (people and time, access, budget)."""
        out: list[tuple[Side, tuple[tuple[str, tuple[Commitment, ...]], ...]]] = []
        every = self.commitments()
        for side in ("buyer", "seller"):
            kinds: dict[str, list[Commitment]] = {}
            for c in every:
                if c.side == side:
                    kinds.setdefault(c.kind_label, []).append(c)
            if kinds:
                out.append((side, tuple((label, tuple(items)) for label, items in kinds.items())))  # type: ignore[arg-type]
        return tuple(out)

    def text(self, key: str, default: str = "") -> str:
        """Template wording by dotted key (``deck.notes.title``), or ``default``."""
        node: Any = self.texts
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node if isinstance(node, str) else default

    # -- JSON (docs/plan-json.md) ----------------------------------------------------------

    def to_json(self) -> str:
        """Stable, strict JSON: keys in the documented order, UTF-8 text unescaped, one trailing newline."""
        import json

        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """The plan JSON, schema 2 (docs/plan-json.md); ``mapgen schema plan`` prints its JSON Schema."""
        cal = self.calendar
        return {
            "schema": SCHEMA_VERSION,
            "deal": {"name": self.deal.name, "amount": self.deal.amount, "currency": self.deal.currency},
            "template": self.template,
            "placement": dict(self.placement),
            "buyer": {"company": self.buyer.company, "outcome": self.buyer.outcome, "country": self.buyer.country},
            "seller": {"company": self.seller.company},
            "today": self.today.isoformat(),
            "calendar": {
                "country": cal.country, "subdivision": cal.subdivision,
                "weekend": [WEEKDAY_CODES[d] for d in sorted(cal.weekend)],
                "closed": [[a.isoformat(), b.isoformat()] for a, b in cal.closed],
                "holidays": {d.isoformat(): name for d, name in sorted(cal.holidays.items())},
                "holidays_version": cal.holidays_version,
            },
            "signature": _key_date(self.signature),
            "go_live": _key_date(self.go_live) if self.go_live else None,
            "feasible": self.feasible,
            "milestones": [_milestone(m) for m in self.milestones],
            "workstreams": [{"id": w.id, "name": w.name, "milestones": list(w.milestones)} for w in self.workstreams],
            "people": {side: [_person(p) for p in self.people(side)] for side in ("buyer", "seller")},
            "risks": [{"risk": r.risk, "owner": r.owner, "mitigation": r.mitigation, "derived": r.derived}
                      for r in self.risks],
            "check_in": self.check_in.text if self.check_in else None,
            "next_check_in": self.next_check_in.strftime("%Y-%m-%dT%H:%M") if self.next_check_in else None,
            "next_check_in_moved_from": ({"date": self.check_in_moved[0].isoformat(), "reason": self.check_in_moved[1]}
                                         if self.check_in_moved else None),
            "warnings": list(self.warnings),
        }


def _visible_after(milestone: Milestone, every: Mapping[str, Milestone]) -> tuple[str, ...]:
    """The customer-facing steps ``milestone`` waits for, directly or through internal ones."""
    found: list[str] = []
    seen: set[str] = set()
    stack = list(milestone.after)
    while stack:
        step_id = stack.pop(0)
        if step_id in seen or step_id not in every:
            continue
        seen.add(step_id)
        step = every[step_id]
        if step.internal:
            stack.extend(step.after)
        else:
            found.append(step_id)
    return tuple(found)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _key_date(k: KeyDate) -> dict[str, Any]:
    return {"target": k.target.isoformat(), "requested": _iso(k.requested), "derived": k.derived,
            "planned": k.planned.isoformat(), "forecast": k.forecast.isoformat(), "feasible": k.feasible,
            "slip": k.slip, "drivers": list(k.drivers)}


def _person(p: Person) -> dict[str, Any]:
    return {"name": p.name, "title": p.title, "role": p.role, "email": p.email}


def _milestone(m: Milestone) -> dict[str, Any]:
    return {
        "id": m.id, "number": m.number, "name": m.name, "workstream": m.workstream,
        "workstream_name": m.workstream_name, "phase": m.phase, "duration": m.duration, "after": list(m.after),
        "start": _iso(m.start), "due": _iso(m.due),
        "earliest_start": _iso(m.earliest_start), "earliest_due": _iso(m.earliest_due),
        "latest_start": _iso(m.latest_start), "latest_due": _iso(m.latest_due),
        "actual_start": _iso(m.actual_start), "actual_done": _iso(m.actual_done), "pinned": m.pinned,
        "slack": m.slack, "critical": m.critical, "state": m.state, "status": m.status,
        "owners": {"buyer": m.owners.buyer.name, "seller": m.owners.seller.name},
        "owner_roles": {"buyer": m.owners.buyer.role, "seller": m.owners.seller.role},
        "internal": m.internal, "gate": m.gate, "note": m.note,
        "description": m.description, "criteria": list(m.criteria), "resources": m.resources.to_dict(),
    }
