"""The variables a Word template sees (documented in docs/word-template.md).

Text fields carry inline Markdown, so they arrive as docxtpl RichText (use ``{{r x }}``):
bold, italic, strike, code and links become real Word formatting. Everything else is a
plain string (use ``{{ x }}``), which autoescape keeps exact.
"""

from __future__ import annotations

from typing import Any

from mapgen.markup import clean, plain, spans
from mapgen.plan import Milestone, Plan
from mapgen.wording import (date_range, drivers_sentence, escape_markdown, human_date, key_outlook, late_sentence,
                             signers, target_text)

LATE_COLOR = "C81E1E"
MUTED_COLOR = "6B7280"
AT_RISK_COLOR = "B45309"
BLOCKED_COLOR = "7C3AED"
STATE_COLORS = {"late": LATE_COLOR, "at_risk": AT_RISK_COLOR, "blocked": BLOCKED_COLOR, "done": MUTED_COLOR}

#: Every top-level variable, for ``mapgen check`` (a template using another name is reported).
VARIABLES = ("title", "deal", "today", "buyer", "seller", "outcome", "key_dates", "feasible", "late_sentence",
             "why", "next_steps", "people", "people_pairs", "groups", "steps", "gates", "risks", "cadence", "check_in",
             "next_check_in", "signers", "include_internal", "texts", "commitments")


def rich(template, text: str | None, *, bold: bool = False, color: str | None = None,  # type: ignore[no-untyped-def]
         italic: bool = False, into=None, size: int | None = None):
    """Inline Markdown as Word runs (appended to ``into`` when given; ``size`` in half-points)."""
    from docxtpl import RichText

    value = into if into is not None else RichText()
    for span in spans(clean(text or "")):
        url = template.build_url_id(span.href) if span.href else None
        value.add(span.text, bold=bold or span.bold or None, italic=italic or span.italic or None,
                  strike=span.strike or None, font="Courier New" if span.code else None,
                  color=color or ("1D4ED8" if url else None), underline=bool(url) or None, url_id=url, size=size)
    return value


#: ``formats.docx.layout`` in a template: ``full`` or ``compact`` (a one-page document for a short plan: no
#: "Who is involved" table, since every owner is named in the plan, and one signer a side).
LAYOUTS = ("full", "compact")


def template_variables(plan: Plan, template,  # type: ignore[no-untyped-def]
                       layout: str = "full") -> dict[str, Any]:
    variables = _variables(plan, template)
    if layout == "compact":
        variables.update(people=[], people_pairs=[], signers=variables["signers"][:1])
    return variables


def _variables(plan: Plan, template) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    visible = plan.milestones
    described = len(visible) <= DESCRIBED_STEPS
    steps = {m.id: _step(plan, m, template, described) for m in visible}  # once each
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
        "why": _why(plan, template),
        "next_steps": [_next_step(plan, m, template) for m in plan.next_steps()],
        "people": [{"company": _text(party.company), "name": _text(p.name), "title": _text(p.title),
                    "role": p.role_label} for party in (plan.buyer, plan.seller) for p in party.people],
        "people_pairs": _people_pairs(plan, template),
        "groups": [{"name": _text(ws.name), "steps": [steps[m.id] for m in group]}
                   for ws, group in plan.by_workstream()],
        "steps": list(steps.values()),
        "gates": [{"heading": rich(template, f"**{escape_markdown(m.gate or '')}** ({human_date(m.due)}): {m.name}"),
                   "line": rich(template, f"**{escape_markdown(m.gate or '')}** ({human_date(m.due)}): {m.name}"
                                + (f". *Success criteria:* {'; '.join(m.criteria)}" if m.criteria else "")),
                   "gate": _text(m.gate), "due": human_date(m.due),
                   "criteria": [rich(template, c) for c in m.criteria]}
                  for m in plan.gates() if m.is_open],
        "risks": [{"risk": rich(template, ("*Found in the plan:* " if r.derived else "") + r.risk),
                   "owner": _text(r.owner) or "To be named", "derived": r.derived,
                   "mitigation": rich(template, r.mitigation or "To be agreed")} for r in plan.risks],
        "cadence": _cadence(plan),
        "check_in": plan.check_in.label if plan.check_in else "",
        "next_check_in": human_date(plan.next_check_in) if plan.next_check_in else "",
        "signers": _signers(plan),
        "commitments": _commitments(plan, template),
        "include_internal": plan.audience == "internal",
        "texts": plan.texts,
    }


def _text(value: str | None) -> str:
    return clean(plain(value)) if value else ""


def _key_dates(plan: Plan, template) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Each key date: the target (or how it was worked out) beside the planned date and the forecast."""
    rows = []
    pairs = [("Signature", "signature", plan.signature)]
    if plan.go_live:
        pairs.append(("Go-live", "go_live", plan.go_live))
    for label, key, date in pairs:
        outlook = key_outlook(plan, key)
        status = f"**{outlook.text}**" if outlook.state == "late" else outlook.text  # the colour says the rest
        rows.append({"label": label, "target": target_text(plan, key), "planned": human_date(date.planned),
                     "forecast": human_date(date.forecast), "earliest": human_date(date.forecast),
                     "status": rich(template, status, color=STATE_COLORS.get(outlook.state))})
    return rows


def _why(plan: Plan, template) -> list[Any]:  # type: ignore[no-untyped-def]
    """One sentence per key date: the steps that decide its forecast, and the slip when it is late."""
    out = []
    for label, key, date in (("Signature", "signature", plan.signature), ("Go-live", "go_live", plan.go_live)):
        if date is None or not date.drivers or date.feasible:
            continue
        lead = "why it cannot be met" if not date.feasible else "what decides it"
        out.append(rich(template, f"**{label}, {lead}:** {drivers_sentence(plan, key)}."))
    return out


def _people_pairs(plan: Plan, template) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Both sides side by side: ``Name``, title and role on one line each, the shorter side padded."""
    def line(p) -> Any:  # type: ignore[no-untyped-def]
        extra = ", ".join(x for x in (_text(p.title), p.role_note) if x)
        return rich(template, f"**{escape_markdown(_text(p.name))}**" + (f", {escape_markdown(extra)}" if extra else ""))

    buyer, seller = [line(p) for p in plan.buyer.people], [line(p) for p in plan.seller.people]
    count = max(len(buyer), len(seller))
    buyer += [rich(template, "")] * (count - len(buyer))
    seller += [rich(template, "")] * (count - len(seller))
    return [{"buyer": b, "seller": s} for b, s in zip(buyer, seller)]


def _next_step(plan: Plan, m: Milestone, template) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    when = date_range(m.start, m.due)
    state = f" *({m.state_label.lower()})*" if m.state in ("late", "at_risk", "blocked") else ""
    return {"name": rich(template, f"{m.name}{state}"), "when": when,
            "buyer": rich(template, escape_markdown(m.owners.buyer.name), italic=not m.owners.buyer.named),
            "seller": rich(template, escape_markdown(m.owners.seller.name), italic=not m.owners.seller.named)}


def _step(plan: Plan, m: Milestone, template, described: bool) -> dict[str, Any]:
    colour = STATE_COLORS.get(m.state)
    name = m.name + (" *(internal)*" if m.internal else "")
    due = human_date(m.due) + (" (booked)" if m.pinned else "")
    if plan.changes is not None:  # --baseline: "moved +3 d" beside a step that moved
        from mapgen.slip import moved_mark

        mark = moved_mark(plan.changes.moved_by_id().get(m.id))
        due += f" · {mark}" if mark else ""
    return {
        "id": m.id, "number": m.number, "mark": " ◆" if m.critical else "",
        "name": rich(template, name, color=MUTED_COLOR if m.is_done else None),
        "step": _step_cell(template, name, m, described),
        "workstream": _text(m.workstream_name),
        "buyer": rich(template, escape_markdown(m.owners.buyer.name), italic=not m.owners.buyer.named,
                      color=MUTED_COLOR if not m.owners.buyer.named else None),
        "seller": rich(template, escape_markdown(m.owners.seller.name), italic=not m.owners.seller.named,
                       color=MUTED_COLOR if not m.owners.seller.named else None),
        "start": human_date(m.start), "due": due,
        "after": ", ".join(str(n) for n in plan.waits_for(m)),
        "status": rich(template, escape_markdown(m.status_label), bold=m.state == "late", color=colour),
        "status_id": m.status, "state": m.state, "late": m.late, "critical": m.critical,
        "notes": rich(template, m.note or ""), "gate": _text(m.gate),
        "description": rich(template, m.description or ""),
        "criteria": [rich(template, c) for c in m.criteria],
    }


#: A plan of at most this many steps shows each step's description (why it matters) after its name; a longer
#: one keeps to two pages and leaves them to the Markdown plan and the deck's speaker notes.
DESCRIBED_STEPS = 12


def _step_cell(template, name: str, m: Milestone, described: bool = True) -> Any:  # type: ignore[no-untyped-def]
    """The step's name, then in small grey italics why it matters (the template's description, on the name's
    line when there is room) and, under it, its note: no Notes column to squeeze the table."""
    value = rich(template, name, color=MUTED_COLOR if m.is_done else None)
    if m.description and described:
        value.add(" · ", color=MUTED_COLOR, size=14)
        rich(template, m.description, italic=True, color=MUTED_COLOR, into=value, size=14)
    if m.note:
        value.add("\n")
        rich(template, m.note, italic=True, color=MUTED_COLOR, into=value, size=15)
    return value


#: A plan of at most this many steps lists what each side commits above the signatures; a longer one keeps to two
#: pages and leaves it to the Markdown plan and the workbook (the steps' resources are in the plan JSON too).
COMMITTED_STEPS = 19
SHORT_KIND_LABELS = {"Systems and data access": "access"}


def _commitments(plan: Plan, template) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What each side commits, for the row above the signatures: ``buyer`` and ``seller`` (**rich**: "**Acme Corp
    commits** *people and time:* Security team, 2 days (8); ... · *access:* ..."), and ``entries`` one by one
    (``side``, ``company``, ``kind``, ``text`` (**rich**), ``steps``). Empty (false) when no visible step names a
    resource, or the plan has more than COMMITTED_STEPS steps, so the row is left out."""
    grouped = plan.commitments_by_side()
    if not grouped or len(plan.milestones) > COMMITTED_STEPS:
        return {}
    out: dict[str, Any] = {"buyer": rich(template, ""), "seller": rich(template, ""), "entries": []}
    for side, kinds in grouped:
        value = out[side]
        company = (plan.buyer if side == "buyer" else plan.seller).company
        value.add(f"{_text(company)} commits ", bold=True)
        for n, (label, items) in enumerate(kinds):
            value.add((" · " if n else "") + SHORT_KIND_LABELS.get(label, label.lower()) + ": ", italic=True)
            for i, c in enumerate(items):
                rich(template, c.text, into=value)
                value.add(f" ({c.numbers})" + ("; " if i < len(items) - 1 else ""), color=MUTED_COLOR)
                out["entries"].append({"side": side, "company": _text(company), "kind": label,
                                     "text": rich(template, c.text), "steps": c.numbers})
    return out


def _cadence(plan: Plan) -> str:
    if plan.check_in and plan.next_check_in:
        label = plan.check_in.label
        moved = ""
        if plan.check_in_moved:
            moved = f" (moved from {human_date(plan.check_in_moved[0])}, {plan.check_in_moved[1]})"
        return (f"A 30-minute check-in {label[:1].lower() + label[1:]} on working days, starting "
                f"{human_date(plan.next_check_in)}{moved}: what moved, what slipped, and what that means for "
                "signature" + (" and go-live." if plan.go_live else "."))
    return "A short weekly check-in at a time that works for both teams: what moved, what slipped, what it means."


def _signers(plan: Plan) -> list[dict[str, str]]:
    def names(side: str) -> list[str]:
        return [f"{_text(p.name)}{', ' + _text(p.title) if p.title else ''}" for p in signers(plan, side)]

    buyer, seller = names("buyer"), names("seller")
    count = max(len(buyer), len(seller), 1)
    buyer += ["Name"] * (count - len(buyer))
    seller += ["Name"] * (count - len(seller))
    return [{"buyer": b, "seller": s} for b, s in zip(buyer, seller)]
