"""The variables a Word template sees (documented in docs/word-template.md).

Text fields carry inline Markdown, so they arrive as docxtpl RichText (use ``{{r x }}``):
bold, italic, strike, code and links become real Word formatting. Everything else is a
plain string (use ``{{ x }}``), which autoescape keeps exact.
"""

from __future__ import annotations

from typing import Any

from mapgen.markup import clean, plain, spans
from mapgen.plan import Milestone, Plan
from mapgen.wording import escape_markdown, human_date, late_sentence, signers

LATE_COLOR = "C81E1E"
MUTED_COLOR = "6B7280"

#: Every top-level variable, for ``mapgen check`` (a template using another name is reported).
VARIABLES = ("title", "deal", "today", "buyer", "seller", "outcome", "key_dates", "feasible", "late_sentence",
             "people", "groups", "steps", "gates", "risks", "cadence", "check_in", "next_check_in", "signers",
             "include_internal", "texts")


def rich(template, text: str | None, *, bold: bool = False, color: str | None = None,  # type: ignore[no-untyped-def]
         italic: bool = False):
    """Inline Markdown as Word runs."""
    from docxtpl import RichText

    value = RichText()
    for span in spans(clean(text or "")):
        url = template.build_url_id(span.href) if span.href else None
        value.add(span.text, bold=bold or span.bold or None, italic=italic or span.italic or None,
                  strike=span.strike or None, font="Courier New" if span.code else None,
                  color=color or ("1D4ED8" if url else None), underline=bool(url) or None, url_id=url)
    return value


def template_variables(plan: Plan, template, include_internal: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    visible = plan.visible(include_internal)
    return {
        "title": _text(plan.title),
        "deal": _text(plan.deal.name),
        "today": human_date(plan.today),
        "buyer": _text(plan.buyer.company),
        "seller": _text(plan.seller.company),
        "outcome": rich(template, plan.buyer.outcome or "To be agreed together."),
        "key_dates": _key_dates(plan, template),
        "feasible": plan.feasible,
        "late_sentence": rich(template, late_sentence(plan), color=LATE_COLOR),
        "people": [{"company": _text(party.company), "name": _text(p.name), "title": _text(p.title),
                    "role": p.role_label} for party in (plan.buyer, plan.seller) for p in party.people],
        "groups": [{"name": _text(ws.name), "steps": [_step(m, template) for m in steps]}
                   for ws, steps in plan.by_workstream(include_internal)],
        "steps": [_step(m, template) for m in visible],
        "gates": [{"heading": rich(template, f"**{escape_markdown(m.gate or '')}** ({human_date(m.due)}): {m.name}"),
                   "gate": _text(m.gate), "due": human_date(m.due),
                   "criteria": [rich(template, c) for c in m.criteria]} for m in plan.gates(include_internal)],
        "risks": [{"risk": rich(template, r.risk), "owner": _text(r.owner) or "To be named",
                   "mitigation": rich(template, r.mitigation or "To be agreed")} for r in plan.risks],
        "cadence": _cadence(plan),
        "check_in": plan.check_in.label if plan.check_in else "",
        "next_check_in": human_date(plan.next_check_in) if plan.next_check_in else "",
        "signers": _signers(plan),
        "include_internal": include_internal,
        "texts": plan.texts,
    }


def _text(value: str | None) -> str:
    return clean(plain(value)) if value else ""


def _key_dates(plan: Plan, template) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    rows = [{"label": "Today", "target": human_date(plan.today), "earliest": "", "status": rich(template, "")}]
    pairs = [("Signature", plan.signature)] + ([("Go-live", plan.go_live)] if plan.go_live else [])
    for label, key in pairs:
        status = ("On track" if key.feasible else "**Cannot be met**")
        rows.append({"label": label, "target": human_date(key.target) + (" (worked out)" if key.derived else ""),
                     "earliest": human_date(key.earliest),
                     "status": rich(template, status, color=None if key.feasible else LATE_COLOR)})
    return rows


def _step(m: Milestone, template) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    colour = LATE_COLOR if m.late else (MUTED_COLOR if m.status == "done" else None)
    name = m.name + (" *(internal)*" if m.internal else "")
    return {
        "id": m.id, "number": m.number, "mark": " ◆" if m.critical else "",
        "name": rich(template, name, color=colour),
        "workstream": _text(m.workstream_name),
        "buyer": rich(template, escape_markdown(m.owners.buyer.name), italic=not m.owners.buyer.named,
                      color=MUTED_COLOR if not m.owners.buyer.named else None),
        "seller": rich(template, escape_markdown(m.owners.seller.name), italic=not m.owners.seller.named,
                       color=MUTED_COLOR if not m.owners.seller.named else None),
        "start": human_date(m.start), "due": human_date(m.due),
        "status": rich(template, escape_markdown(m.status_label), bold=m.late, color=colour),
        "status_id": m.status, "late": m.late, "critical": m.critical,
        "notes": rich(template, m.note or ""), "gate": _text(m.gate),
        "criteria": [rich(template, c) for c in m.criteria],
    }


def _cadence(plan: Plan) -> str:
    if plan.check_in and plan.next_check_in:
        label = plan.check_in.label
        return (f"A 30-minute check-in {label[:1].lower() + label[1:]}, starting {human_date(plan.next_check_in)}: "
                "what moved, what slipped, and what that means for signature"
                + (" and go-live." if plan.go_live else "."))
    return "A short weekly check-in at a time that works for both teams: what moved, what slipped, what it means."


def _signers(plan: Plan) -> list[dict[str, str]]:
    def names(side: str) -> list[str]:
        return [f"{_text(p.name)}{', ' + _text(p.title) if p.title else ''}" for p in signers(plan, side)]

    buyer, seller = names("buyer"), names("seller")
    count = max(len(buyer), len(seller), 1)
    buyer += ["Name"] * (count - len(buyer))
    seller += ["Name"] * (count - len(seller))
    return [{"buyer": b, "seller": s} for b, s in zip(buyer, seller)]
