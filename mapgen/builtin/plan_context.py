"""What a text template (``plan.md.j2``, ``plan.html.j2``) sees of a plan: one set of names, so
template authors learn them once (docs/templates.md)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mapgen.formats import RenderContext
    from mapgen.plan import Milestone, Plan


def plan_context(plan: Plan, context: RenderContext) -> dict[str, Any]:
    from mapgen.wording import date_range, drivers_sentence, target_text

    internal = context.include_internal
    key_dates = [("Signature", "signature", plan.signature)]
    if plan.go_live:
        key_dates.append(("Go-live", "go_live", plan.go_live))
    return {
        "plan": replace(plan, source=Path(plan.source).name if plan.source else None),  # no folder of the user's
        "key_dates": key_dates,
        "why": {key: drivers_sentence(plan, key, internal) for _, key, _ in key_dates},
        "target_text": lambda key: target_text(plan, key),
        "after": lambda m: ", ".join(str(n) for n in plan.waits_for(m, internal)),
        "next_steps": plan.next_steps(include_internal=internal),
        "date_range": date_range,
        "steps": plan.visible(internal),
        "groups": plan.by_workstream(internal),
        "gates": plan.gates(internal),
        "late": plan.late_steps(internal),
        "unnamed": plan.unnamed(internal),
        "commitments": plan.commitments_by_side(internal),
        "include_internal": internal,
        "options": context.options,
        "moved": lambda m: moved(plan, m),
    }


def moved(plan: Plan, m: Milestone) -> str:
    """``moved +3 d`` beside a step that moved since the baseline (``generate --baseline``), or ""."""
    if plan.changes is None:
        return ""
    from mapgen.slip import moved_mark

    return moved_mark(plan.changes.moved_by_id().get(m.id))
