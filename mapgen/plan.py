"""The immutable Plan every renderer receives, and its JSON form (contract section 6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping

Side = Literal["buyer", "seller"]
Phase = Literal["before_signature", "after_signature"]
Status = Literal["not_started", "in_progress", "done", "blocked"]

STATUSES: tuple[Status, ...] = ("not_started", "in_progress", "done", "blocked")
STATUS_LABELS: Mapping[str, str] = MappingProxyType({
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "blocked": "Blocked",
})
SCHEMA_VERSION = 1


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


@dataclass(frozen=True)
class Milestone:
    """One scheduled step. ``start``/``due`` are the plan's (latest) dates."""

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
    slack: int
    critical: bool
    late: bool
    status: Status
    done: dt.date | None
    owners: Owners
    internal: bool = False
    gate: str | None = None
    note: str | None = None
    description: str | None = None
    criteria: tuple[str, ...] = ()

    @property
    def at_risk(self) -> bool:
        """Not late yet, but its earliest finish is after its due date."""
        return self.status != "done" and not self.late and self.earliest_due > self.due

    @property
    def status_label(self) -> str:
        """The status a reader sees, with the computed ``late`` / ``at risk``."""
        label = STATUS_LABELS[self.status]
        if self.late:
            return f"{label} (late)"
        if self.at_risk:
            return f"{label} (at risk)"
        return label

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
    """A target date, the earliest date it can really happen, and whether the target holds."""

    target: dt.date
    earliest: dt.date
    feasible: bool
    derived: bool = False  # worked out from another date rather than given in the brief


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


@dataclass(frozen=True)
class Risk:
    risk: str
    owner: str | None = None
    mitigation: str | None = None


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
    country: str | None
    subdivision: str | None
    closed: tuple[tuple[dt.date, dt.date], ...] = ()


def _frozen_mapping(value: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


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

    # -- views renderers share ------------------------------------------------------------

    @property
    def feasible(self) -> bool:
        return self.signature.feasible and (self.go_live is None or self.go_live.feasible)

    @property
    def title(self) -> str:
        """The deal in the buyer's terms."""
        return f"{self.buyer.company} × {self.seller.company}: path to launch"

    def visible(self, include_internal: bool = False) -> tuple[Milestone, ...]:
        """The steps a reader sees: customer-facing ones unless internal ones are asked for."""
        if include_internal:
            return self.milestones
        return tuple(m for m in self.milestones if not m.internal)

    def milestone(self, milestone_id: str) -> Milestone:
        for m in self.milestones:
            if m.id == milestone_id:
                return m
        raise KeyError(milestone_id)

    def by_workstream(self, include_internal: bool = False) -> tuple[tuple[Workstream, tuple[Milestone, ...]], ...]:
        """Workstreams in template order with their visible steps, by due date; empty ones dropped."""
        shown = self.visible(include_internal)
        groups = []
        for ws in self.workstreams:
            steps = tuple(m for m in shown if m.workstream == ws.id)
            if steps:
                groups.append((ws, steps))
        return tuple(groups)

    def gates(self, include_internal: bool = False) -> tuple[Milestone, ...]:
        return tuple(m for m in self.visible(include_internal) if m.gate)

    def late_steps(self, include_internal: bool = False) -> tuple[Milestone, ...]:
        return tuple(m for m in self.visible(include_internal) if m.late)

    def people(self, side: Side) -> tuple[Person, ...]:
        return (self.buyer if side == "buyer" else self.seller).people

    def unnamed(self, include_internal: bool = False) -> tuple[tuple[Side, str, tuple[Milestone, ...]], ...]:
        """Owners still to be named: (side, placeholder such as "Legal counsel (to be named)", their steps)."""
        found: dict[tuple[Side, str], list[Milestone]] = {}
        for m in self.visible(include_internal):
            for side, owner in (("buyer", m.owners.buyer), ("seller", m.owners.seller)):
                if not owner.named:
                    found.setdefault((side, owner.name), []).append(m)  # type: ignore[arg-type]
        return tuple((side, name, tuple(steps)) for (side, name), steps in found.items())

    def text(self, key: str, default: str = "") -> str:
        """Template wording by dotted key (``deck.notes.title``), or ``default``."""
        node: Any = self.texts
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node if isinstance(node, str) else default

    # -- JSON (contract section 6) ----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "deal": {"name": self.deal.name, "amount": self.deal.amount, "currency": self.deal.currency},
            "template": self.template,
            "buyer": {"company": self.buyer.company, "outcome": self.buyer.outcome, "country": self.buyer.country},
            "seller": {"company": self.seller.company},
            "today": self.today.isoformat(),
            "signature": _key_date(self.signature),
            "go_live": _key_date(self.go_live) if self.go_live else None,
            "milestones": [_milestone(m) for m in self.milestones],
            "workstreams": [{"id": w.id, "name": w.name, "milestones": list(w.milestones)} for w in self.workstreams],
            "people": {side: [_person(p) for p in self.people(side)] for side in ("buyer", "seller")},
            "risks": [{"risk": r.risk, "owner": r.owner, "mitigation": r.mitigation} for r in self.risks],
            "check_in": self.check_in.text if self.check_in else None,
            "next_check_in": self.next_check_in.strftime("%Y-%m-%dT%H:%M") if self.next_check_in else None,
            "feasible": self.feasible,
            "warnings": list(self.warnings),
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _key_date(k: KeyDate) -> dict[str, Any]:
    return {"target": k.target.isoformat(), "earliest": k.earliest.isoformat(), "feasible": k.feasible,
            "derived": k.derived}


def _person(p: Person) -> dict[str, Any]:
    return {"name": p.name, "title": p.title, "role": p.role, "email": p.email}


def _milestone(m: Milestone) -> dict[str, Any]:
    return {
        "id": m.id, "number": m.number, "name": m.name, "workstream": m.workstream,
        "workstream_name": m.workstream_name, "phase": m.phase, "duration": m.duration, "after": list(m.after),
        "start": _iso(m.start), "due": _iso(m.due),
        "earliest_start": _iso(m.earliest_start), "earliest_due": _iso(m.earliest_due),
        "slack": m.slack, "critical": m.critical, "late": m.late, "at_risk": m.at_risk,
        "status": m.status, "done": _iso(m.done),
        "owners": {"buyer": m.owners.buyer.name, "seller": m.owners.seller.name},
        "owner_roles": {"buyer": m.owners.buyer.role, "seller": m.owners.seller.role},
        "internal": m.internal, "gate": m.gate, "note": m.note,
        "description": m.description, "criteria": list(m.criteria),
    }
