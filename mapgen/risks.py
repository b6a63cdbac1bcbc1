"""Risks mapgen finds in a scheduled plan (docs/scheduling.md, "Derived risks").

They are added after the brief's own risks and marked ``derived``: a target that cannot be
met, a critical step nobody owns yet, a pin that conflicts with its dependencies.
"""

from __future__ import annotations

from typing import Iterable

from mapgen.markup import plain
from mapgen.plan import Milestone, Plan, Risk
from mapgen.scheduler import Conflict
from mapgen.wording import human_date, key_label


#: A risk names the steps that drive a late key date up to this many; a longer chain by its ends and length.
NAMED_DRIVERS = 12


def _owner(m: Milestone) -> str:
    """Who answers for a step: its buyer owner when named, else its seller owner, else the role."""
    for owner in (m.owners.buyer, m.owners.seller):
        if owner.named:
            return owner.name
    return m.owners.buyer.name


def derived_risks(plan: Plan, conflicts: Iterable[Conflict] = ()) -> tuple[Risk, ...]:
    out: list[Risk] = []
    by_id = {m.id: m for m in plan.milestones}
    for key in ("signature", "go_live"):
        date = plan.key_date(key)
        if date is None or date.feasible:
            continue
        open_drivers = [m for m in plan.driver_steps(key) if m.is_open and not m.internal]
        longest = max(open_drivers, key=lambda m: m.duration, default=None)
        names = ", ".join(plain(m.name) for m in open_drivers)
        if len(open_drivers) > NAMED_DRIVERS:  # a long chain: its ends and its length, not every name
            names = (f"a chain of {len(open_drivers):,} steps from {plain(open_drivers[0].name)} to "
                     f"{plain(open_drivers[-1].name)}")
        slip = f", {date.slip} working day{'s' if date.slip != 1 else ''} later" if date.slip else ""
        text = (f"The target {key_label(key)} date of {human_date(date.target)} cannot be met: the earliest is "
                f"{human_date(date.forecast)}{slip}" + (f", driven by {names}." if names else "."))
        mitigation = ("Shorten or overlap the steps that decide the date, or agree a new date together"
                      if names else "Agree a new date together")
        out.append(Risk(text, _owner(longest) if longest else None, mitigation, derived=True))
    for m in plan.milestones:
        if not (m.critical and m.is_open and not m.internal):
            continue
        for side, owner, other in (("buyer", m.owners.buyer, m.owners.seller),
                                   ("seller", m.owners.seller, m.owners.buyer)):
            if owner.named:
                continue
            role = owner.name.removesuffix(" (to be named)")
            out.append(Risk(f"Nobody on the {side} side is named as {role} for {m.name}, which decides the "
                            f"earliest {'signature' if m.phase == 'before_signature' else 'go-live'}.",
                            other.name if other.named else None,
                            f"Name the {side}'s {role} at the next check-in", derived=True))
    for conflict in conflicts:
        pinned, other = by_id.get(conflict.pinned), by_id.get(conflict.other)
        if pinned is None or other is None:
            continue
        if conflict.kind == "deadline":
            text = (f"{pinned.name} is booked for {human_date(pinned.due)}, after {human_date(pinned.latest_due)}, "
                    f"the latest date that lets {other.name} meet its target.")
        else:
            text = (f"{pinned.name} is booked for {human_date(pinned.due)}, but {other.name} cannot finish "
                    f"before {human_date(other.earliest_due)}.")
        out.append(Risk(text, _owner(pinned), "Move the booking, or start the work it depends on sooner",
                        derived=True))
    return tuple(out)

