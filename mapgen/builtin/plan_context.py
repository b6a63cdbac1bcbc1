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
    from mapgen.wording import date_range, drivers_sentence, key_outlook, signers, target_text

    key_dates = [("Signature", "signature", plan.signature)]
    if plan.go_live:
        key_dates.append(("Go-live", "go_live", plan.go_live))
    return {
        "plan": replace(plan, source=Path(plan.source).name if plan.source else None),  # no folder of the user's
        "key_dates": key_dates,
        "why": {key: drivers_sentence(plan, key) for _, key, _ in key_dates},
        "target_text": lambda key: target_text(plan, key),
        "outlook": lambda key: key_outlook(plan, key),
        "after": lambda m: ", ".join(str(n) for n in plan.waits_for(m)),
        "next_steps": plan.next_steps(),
        "date_range": date_range,
        "steps": plan.milestones,
        "groups": plan.by_workstream(),
        "gates": plan.gates(),
        "late": plan.late_steps(),
        "unnamed": plan.unnamed(),
        "audience": context.audience,
        "include_internal": plan.audience == "internal",  # kept for templates written before --audience
        "commitments": plan.commitments_by_side(),
        "options": context.options,
        "moved": lambda m: moved(plan, m),
        "meddpicc": _meddpicc(plan, context),
        # who signs for a side, as the deck and the document list them (wording.signers)
        "signers": lambda side: signers(plan, side),
    }


def _meddpicc(plan: Plan, context: RenderContext) -> Any:
    """The MEDDPICC review, in the internal view only (None for the buyer)."""
    if context.audience != "internal" or plan.audience != "internal":
        return None
    from mapgen.meddpicc import review

    return review(plan)


def moved(plan: Plan, m: Milestone) -> str:
    """``moved +3 d`` beside a step that moved since the baseline (``generate --baseline``), or ""."""
    if plan.changes is None:
        return ""
    from mapgen.slip import moved_mark

    return moved_mark(plan.changes.moved_by_id().get(m.id))
