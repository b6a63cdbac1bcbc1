"""The seller's MEDDPICC review of a plan (docs/meddpicc.md): where each letter stands, read from the plan.

The plan is where qualification becomes operational: the buyer's metrics are the success criteria, the
decision process is the plan's gates, the paper process the legal and procurement steps, the economic
buyer owns the executive-approval gate, the champion owns most buyer-side steps, the compelling event
is the target date. ``review(plan)`` reads all of that, with the brief's ``qualification`` notes, and
flags what is missing. Only the internal view (``--audience internal``) shows it: a buyer's plan
(``Plan.for_reader("buyer")``) is refused, so no format can print it by mistake.

Every text here is inline Markdown, like the rest of a plan's wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapgen.plan import Milestone, Person, Plan
from mapgen.wording import drivers_sentence, human_date, target_text

#: Buyer roles whose steps are the paper process (contracts, procurement), and workstreams named so.
PAPER_ROLES = ("legal", "procurement")
PAPER_WORKSTREAMS = ("legal", "procurement", "paper_process", "commercial")


@dataclass(frozen=True)
class Element:
    """One letter of MEDDPICC: what the plan shows for it, and the gaps a seller should close."""

    key: str
    letter: str
    name: str
    shows: tuple[str, ...]
    gaps: tuple[str, ...]

    @property
    def status(self) -> str:
        """``Gap`` (nothing known), ``Partial`` (known, with gaps) or ``Covered``."""
        if not self.gaps:
            return "Covered"
        return "Partial" if self.shows else "Gap"


@dataclass(frozen=True)
class Review:
    elements: tuple[Element, ...]
    #: Signature (and go-live) target beside forecast, with the slip and the steps that decide it.
    forecast: tuple[str, ...]

    @property
    def gaps(self) -> tuple[str, ...]:
        return tuple(f"{e.name}: {gap}" for e in self.elements for gap in e.gaps)


def review(plan: Plan) -> Review:
    """The MEDDPICC review of the internal view of ``plan``."""
    if plan.audience != "internal":
        raise ValueError("the MEDDPICC review is for the seller's internal view only")
    return Review(
        (_metrics(plan), _economic_buyer(plan), _decision_criteria(plan), _decision_process(plan),
         _paper_process(plan), _pain(plan), _champion(plan), _competition(plan)),
        _forecast(plan))


# -- the letters ----------------------------------------------------------------------------------

def _metrics(plan: Plan) -> Element:
    notes = plan.qualification.metrics if plan.qualification else ()
    criteria = [f"{c} *({m.name})*" for m in plan.milestones for c in m.criteria]
    shows = tuple(notes) + tuple(criteria)
    gaps = []
    if not shows:
        gaps.append("no measurable success criteria: add `qualification.metrics` to the brief, or criteria "
                    "to the proof-of-concept step")
    agreeing = [m for m in plan.milestones if m.id == "success_criteria"]
    if agreeing and agreeing[0].is_open:
        gaps.append(f"the success criteria are not agreed yet ({_when(agreeing[0])})")
    return Element("metrics", "M", "Metrics", shows, tuple(gaps))


def _economic_buyer(plan: Plan) -> Element:
    people = _with_role(plan, "economic_buyer")
    approvals = [m for m in plan.milestones if m.owners.buyer.role == "economic_buyer"
                 and m.phase == "before_signature" and m.id != "signature"]
    shows: list[str] = [_person(p) for p in people]
    gaps: list[str] = []
    if not people:
        gaps.append("no economic buyer named: who signs off the budget?")
    for m in approvals:
        owner = m.owners.buyer.name
        shows.append(f"{m.gate or m.name}: {owner}, {_when(m)}")
        if m.late:
            gaps.append(f"{m.name} is late ({_when(m)})")
    if people and not approvals:
        gaps.append("the economic buyer owns no step before signature: put them on the executive-approval gate")
    return Element("economic_buyer", "E", "Economic buyer", tuple(shows), tuple(gaps))


def _decision_criteria(plan: Plan) -> Element:
    return _from_notes(plan, "decision_criteria", "D", "Decision criteria",
                       "not written down: add `qualification.decision_criteria` to the brief "
                       "(technical, business and commercial)")


def _from_notes(plan: Plan, key: str, letter: str, name: str, gap: str) -> Element:
    """A letter only the seller's notes can tell (the brief's ``qualification.KEY``): a gap when absent."""
    notes = tuple(getattr(plan.qualification, key)) if plan.qualification else ()
    return Element(key, letter, name, notes, () if notes else (gap,))


def _decision_process(plan: Plan) -> Element:
    gates = [m for m in plan.milestones if m.gate and m.phase == "before_signature"]
    shows = tuple(f"{m.gate}: {m.owners.buyer.name}, {_when(m)}" for m in gates)
    gaps: list[str] = []
    if not gates:
        gaps.append("the plan has no decision gates before signature")
    for m in gates:
        if m.late:
            gaps.append(f"{m.gate} is late ({_when(m)})")
        if not m.owners.buyer.named:
            gaps.append(f"{m.gate}: no buyer owner named")
    return Element("decision_process", "D", "Decision process", shows, tuple(gaps))


def _paper_process(plan: Plan) -> Element:
    steps = [m for m in plan.milestones if m.phase == "before_signature" and m.id != "signature"
             and (m.owners.buyer.role in PAPER_ROLES or m.workstream in PAPER_WORKSTREAMS)]
    shows = tuple(f"{m.name}: {_owner(m)}, {_when(m)}" for m in steps)
    gaps: list[str] = []
    if not steps:
        gaps.append("no paper process dates: the plan has no legal or procurement step before signature")
    for m in steps:
        if not m.owners.buyer.named:
            gaps.append(f"{m.name}: no buyer owner named")
        if m.late:
            gaps.append(f"{m.name} is late ({_when(m)})")
    return Element("paper_process", "P", "Paper process", shows, tuple(gaps))


def _pain(plan: Plan) -> Element:
    outcome = plan.buyer.outcome
    compelling = plan.qualification.compelling_event if plan.qualification else None
    shows = [outcome] if outcome else []
    target = plan.go_live or plan.signature
    event = "go-live" if plan.go_live else "signature"
    shows.append(f"Compelling event: {compelling + ', ' if compelling else ''}target {event} "
                 f"{target_text(plan, 'go_live' if plan.go_live else 'signature')}")
    gaps = () if outcome else ("no outcome in the brief: what pain does the buyer pay to remove?",)
    if target.derived and not compelling:
        gaps += (f"the target {event} was worked out, not given by the buyer: is there a compelling event?",)
    return Element("pain", "I", "Identify pain", tuple(shows), gaps)


def _champion(plan: Plan) -> Element:
    people = _with_role(plan, "champion")
    buyer_steps = [m for m in plan.milestones if not m.internal]
    shows = [_person(p) for p in people]
    gaps: list[str] = []
    if not people:
        gaps.append("no champion named: who sells this inside the buyer when we are not in the room?")
    else:
        names = {p.name for p in people}
        owned = [m for m in buyer_steps if m.owners.buyer.name in names]
        shows.append(f"owns {len(owned)} of the {len(buyer_steps)} customer-facing steps")
        if any(m.late for m in owned):
            gaps.append("a step the champion owns is late: " + ", ".join(m.name for m in owned if m.late))
    return Element("champion", "C", "Champion", tuple(shows), tuple(gaps))


def _competition(plan: Plan) -> Element:
    return _from_notes(plan, "competition", "C", "Competition",
                       "the brief names no competition (`qualification.competition`): not even the status quo?")


def _forecast(plan: Plan) -> tuple[str, ...]:
    lines = []
    for label, key in (("Signature", "signature"), ("Go-live", "go_live")):
        date = plan.key_date(key)
        if date is None:
            continue
        state = "on target" if date.feasible else (
            f"**{date.slip} working day{'s' if date.slip != 1 else ''} late**" if date.slip else "**late**")
        lines.append(f"{label}: target {target_text(plan, key)}, forecast {human_date(date.forecast)}, {state}. "
                     f"Why: {drivers_sentence(plan, key)}.")
    return tuple(lines)


# -- helpers --------------------------------------------------------------------------------------

def _with_role(plan: Plan, role: str) -> list[Person]:
    return [p for p in plan.buyer.people if p.role == role]


def _person(p: Person) -> str:
    return p.name + (f", {p.title}" if p.title else "")


def _owner(m: Milestone) -> str:
    """Who drives a step: the buyer's owner, or ours for an internal step (the deal desk...)."""
    return f"{m.owners.seller.name} *(internal)*" if m.internal else m.owners.buyer.name


def _when(m: Milestone) -> str:
    """``due Thu 17 Dec 2026, at risk`` or ``done Fri 23 Oct 2026``."""
    if m.is_done and m.actual_done:
        return f"done {human_date(m.actual_done)}"
    return f"due {human_date(m.due)}, {m.state_label.lower()}"
