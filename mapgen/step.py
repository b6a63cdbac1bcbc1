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
