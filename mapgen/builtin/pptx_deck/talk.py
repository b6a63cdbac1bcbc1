"""Speaker notes: a short talk track per slide, in the rep's voice.

A template words them under ``text: deck: notes: <slide>`` (the shipped templates do);
these defaults are used otherwise. Notes are Jinja templates rendered in the sandbox
with StrictUndefined, because templates are written by other people.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mapgen.errors import Problem, RenderError
from mapgen.markup import plain
from mapgen.plan import Plan

SLIDES = ("title", "meddpicc", "outcome", "timeline", "plan", "people", "risks", "next_steps", "sign_off")

DEFAULT_NOTES: dict[str, str] = {
    "title": (
        "Thanks for making the time. This is a working draft of how {{ buyer }} and {{ seller }} get from today "
        "to {% if go_live %}go-live on {{ go_live }}{% if go_live_late %} (the target; from today the earliest is "
        "{{ earliest_go_live }}){% endif %}{% else %}signature on {{ signature }}{% if signature_late %} (the target; "
        "from today the earliest is {{ earliest_signature }}){% endif %}{% endif %}. It is yours as much as "
        "ours: as we go through it, tell me what is wrong, who is missing and which dates do not work."),
    "meddpicc": (
        "For our own review, not for {{ buyer }}: where qualification stands from the plan. Close the gaps "
        "before the next call; each names what to find out or write into the brief."),
    "outcome": (
        "Start with why: in your words, the goal is {{ outcome }}. Everything in this plan works back from that. "
        "{% if signature_late %}I want to be straight with you: from where we are today, {{ earliest_signature }} is "
        "the earliest realistic signature date, not {{ signature }}, because of this chain of steps: {{ drivers }}. "
        "Let's decide together whether we change the date or the scope."
        "{% elif go_live_late %}Signature on {{ signature }} is realistic, but from there {{ earliest_go_live }} is "
        "the earliest realistic go-live, not {{ go_live }}: {{ go_live_drivers }}. Let's decide together whether "
        "we change the date or the scope."
        "{% else %}If we both hold the dates that follow, signature on {{ signature }} is realistic: "
        "{{ drivers }}.{% endif %}"),
    "timeline": (
        "Here is the whole path on one page. Each lane is a workstream; the dark bars linked by arrows are the "
        "steps that decide the dates, where a day lost is a day lost at signature"
        "{{ ' and go-live' if go_live else '' }}. The solid lines are the targets. "
        "{% if not feasible %}The dashed red line is where we really land: {{ drivers if signature_late else "
        "go_live_drivers }}. {% endif %}"
        "{% if late %}The red ones are already late: {{ late }}. {% endif %}"
        "The thin lines show how early each step could start. Which of these lanes worries you most?"),
    "plan": (
        "Every step has an owner on your side and on ours. I have named people where I know them; the ones marked "
        "'to be named' are where I need your help. Let's go row by row and fix anything that is not right."),
    "people": (
        "These are the people I believe need to be involved. Who else has a say in this decision, and who would "
        "be surprised to find out about it late?"),
    "risks": (
        "These are the things most likely to slow us down, and what we plan to do about each. What have I missed? "
        "What has stalled similar projects at {{ buyer }} before?"),
    "next_steps": (
        "The next few steps, with owners and dates. We suggest a short weekly check-in "
        "{{ '(' ~ check_in ~ ')' if check_in else '' }} to keep the plan honest: what moved, what slipped and what "
        "that means for the dates."),
    "sign_off": (
        "If this plan looks right, let's both agree to it. It is not a contract; it is our shared commitment to the "
        "steps and dates. I'll send the updated version after this call."),
}


class TalkTrack:
    """The speaker notes of one deck: what they may say about the plan is worked out once, and each slide's
    notes are rendered from it (a 5,000-step plan's late steps and drivers are not listed again per slide)."""

    def __init__(self, plan: Plan, source: str | None = None) -> None:
        self.plan = plan
        self.source = source
        self.variables = _variables(plan)

    def notes(self, slide: str) -> str:
        """The talk track for one slide, from the template's wording or the default."""
        text = self.plan.text(f"deck.notes.{slide}", DEFAULT_NOTES[slide])
        from mapgen.sandbox import budget

        try:
            with budget():
                return _compile(text).render(**self.variables).strip()
        except Exception as exc:  # a template's wording error names the template
            message = getattr(exc, "message", None) or str(exc)
            raise RenderError([Problem(f"format pptx: text.deck.notes.{slide}: {message}", self.source)]) from exc


def _variables(plan: Plan) -> dict[str, Any]:
    from mapgen.wording import drivers_sentence, human_date

    late = [plain(m.name) for m in plan.late_steps()]
    return {
        "buyer": plain(plan.buyer.company), "seller": plain(plan.seller.company), "deal": plain(plan.deal.name),
        "outcome": plain(plan.buyer.outcome).strip().rstrip(".") or "the outcome we agreed",
        "today": human_date(plan.today), "signature": human_date(plan.signature.target),
        "go_live": human_date(plan.go_live.target) if plan.go_live else "",
        "earliest_signature": human_date(plan.signature.earliest),
        "earliest_go_live": human_date(plan.go_live.earliest) if plan.go_live else "",
        "forecast_signature": human_date(plan.signature.forecast),
        "forecast_go_live": human_date(plan.go_live.forecast) if plan.go_live else "",
        "signature_late": not plan.signature.feasible, "go_live_late": bool(plan.go_live and not plan.go_live.feasible),
        "signature_derived": plan.signature.derived, "go_live_derived": bool(plan.go_live and plan.go_live.derived),
        "slip": plan.signature.slip, "go_live_slip": plan.go_live.slip if plan.go_live else 0,
        "drivers": plain(drivers_sentence(plan, "signature")),
        "go_live_drivers": plain(drivers_sentence(plan, "go_live")),
        "feasible": plan.feasible, "late": ", ".join(late),
        "check_in": plan.check_in.label if plan.check_in else "",
        "next_check_in": human_date(plan.next_check_in) if plan.next_check_in else "",
        "steps": len(plan.milestones),
    }


@lru_cache(maxsize=64)
def _compile(source: str):  # type: ignore[no-untyped-def]
    from mapgen.sandbox import environment

    return environment(autoescape=False).from_string(source)
