"""The one step record the engine works with, from the template to the scheduler.

A template step, a rule's added step and a brief's ``add:`` step are the same thing once
read: a :class:`Step`. Everything that changes a step (a child template's patch, a rule's
``set``, the brief's facts about it) goes through :func:`patch`, so the rules of what may
change live in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

Status = Literal["not_started", "in_progress", "done", "blocked"]
STATUSES: tuple[Status, ...] = ("not_started", "in_progress", "done", "blocked")
ResourceKind = Literal["people", "access", "budget"]
#: What a step can need from a side, in the order documents list them (docs/templates.md, "Resources").
RESOURCE_KINDS: tuple[ResourceKind, ...] = ("people", "access", "budget")
RESOURCE_KIND_LABELS = {"people": "People and time", "access": "Systems and data access", "budget": "Budget"}


@dataclass(frozen=True)
class Resource:
    """One thing a side puts into a step: ``IT security lead, 2 days`` (people), ``SSO test tenant``
    (access), ``Budget confirmed for year one`` (budget)."""

    kind: ResourceKind
    text: str

    @property
    def kind_label(self) -> str:
        return RESOURCE_KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Resources:
    """What a step needs from each side; empty sides are empty tuples."""

    buyer: tuple[Resource, ...] = ()
    seller: tuple[Resource, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.buyer or self.seller)

    def side(self, side: str) -> tuple[Resource, ...]:
        return self.buyer if side == "buyer" else self.seller

    def replaced(self, buyer: tuple[Resource, ...] | None = None,
                 seller: tuple[Resource, ...] | None = None) -> "Resources":
        """These resources with the sides given replaced whole; a side not given (None) is kept."""
        return Resources(self.buyer if buyer is None else buyer, self.seller if seller is None else seller)

    def side_text(self, side: str) -> str:
        """``Security team, 2 days; SSO tenant (access)``: one side's resources as text (kind shown unless people)."""
        return "; ".join(r.text + ("" if r.kind == "people" else f" ({r.kind})") for r in self.side(side))

    def __str__(self) -> str:
        return " / ".join(f"{side}: {self.side_text(side) or '-'}" for side in ("buyer", "seller"))

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        return {side: [{"kind": r.kind, "text": r.text} for r in self.side(side)] for side in ("buyer", "seller")}

    @classmethod
    def from_dict(cls, data: Any) -> "Resources":
        """The plan JSON's ``resources`` back (missing or null: none)."""
        data = data or {}

        def side(name: str) -> tuple[Resource, ...]:
            return tuple(Resource(r["kind"], r["text"]) for r in data.get(name) or ())

        return cls(side("buyer"), side("seller"))


@dataclass(frozen=True)
class Source:
    """Where something was written: for messages."""

    file: str
    line: int | None

    def problem(self, message: str):  # type: ignore[no-untyped-def]
        from mapgen.errors import Problem

        return Problem(message, self.file, self.line)


@dataclass(frozen=True)
class Step:
    """A step of the plan before it is scheduled.

    ``buyer_role``/``seller_role`` come from the template; ``buyer_owner``/``seller_owner`` are
    what a brief says instead (a person's name or a role id). ``status``, ``done``,
    ``started``, ``pin_due`` and ``pin_start`` are the deal's facts (docs/scheduling.md).
    """

    id: str
    name: str
    workstream: str
    duration: int
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    buyer_role: str = "champion"
    seller_role: str = "account_executive"
    buyer_owner: str | None = None
    seller_owner: str | None = None
    status: Status = "not_started"
    done: dt.date | None = None
    started: dt.date | None = None
    pin_due: dt.date | None = None
    pin_start: dt.date | None = None
    note: str | None = None
    gate: str | None = None
    criteria: tuple[str, ...] = ()
    description: str | None = None
    internal: bool = False
    resources: Resources = Resources()
    skip: bool = False
    source: Source | None = None

    @property
    def pinned(self) -> bool:
        return self.pin_due is not None


_FIELDS = frozenset(f.name for f in fields(Step)) - {"id", "source"}


def patch(step: Step, **changes: Any) -> Step:
    """``step`` with ``changes`` applied; ``None`` values mean "not given" and change nothing.

    ``owner_buyer``/``owner_seller`` set the owner a brief names; ``role_buyer``/``role_seller``
    the roles a template assigns.
    """
    given = {key: value for key, value in changes.items() if value is not None}
    renamed = {"owner_buyer": "buyer_owner", "owner_seller": "seller_owner",
               "role_buyer": "buyer_role", "role_seller": "seller_role"}
    out = {renamed.get(key, key): value for key, value in given.items()}
    unknown = set(out) - _FIELDS
    if unknown:
        raise TypeError(f"cannot patch {', '.join(sorted(unknown))} of a step")
    return replace(step, **out) if out else step
