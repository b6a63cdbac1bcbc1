"""How long the Word document takes to render, beside docxtpl rendering the same template directly.

Run: python bench/bench_docx.py

"mapgen" is the docx format's render(plan): a fresh DocxTemplate from the template's bytes,
the variables with inline Markdown turned into RichText runs, sandboxed rendering,
document properties, zip normalisation. "direct" is what a script using docxtpl alone
would do with the same default plan.docx: open it, render it with a context of plain
strings built from the same plan (autoescape on), save. Best of 5.
"""

from __future__ import annotations

import io
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best  # noqa: E402  (also puts the repository on the path)

from mapgen.builtin.docx_document import DEFAULT_TEMPLATE  # noqa: E402
from mapgen.formats import RenderContext  # noqa: E402
from mapgen.plugins import formats  # noqa: E402
from mapgen.testing import make_plan  # noqa: E402

SIZES = (14, 40)
REPEAT = 5


def direct(plan) -> bytes:  # type: ignore[no-untyped-def]
    from docxtpl import DocxTemplate

    date = lambda d: d.strftime("%a %d %b %Y")  # noqa: E731
    step = lambda m: {"number": m.number, "mark": " ◆" if m.critical else "", "name": m.name,  # noqa: E731
                      "buyer": m.owners.buyer.name, "seller": m.owners.seller.name, "due": date(m.due),
                      "status": m.status_label, "notes": m.note or ""}
    context = {
        "title": plan.title, "deal": plan.deal.name, "today": date(plan.today), "buyer": plan.buyer.company,
        "seller": plan.seller.company, "outcome": plan.buyer.outcome,
        "key_dates": [{"label": "Signature", "target": date(plan.signature.target),
                       "earliest": date(plan.signature.earliest), "status": "On track"}],
        "feasible": plan.feasible, "late_sentence": "",
        "people": [{"company": party.company, "name": p.name, "title": p.title, "role": p.role}
                   for party in (plan.buyer, plan.seller) for p in party.people],
        "groups": [{"name": ws.name, "steps": [step(m) for m in steps]} for ws, steps in plan.by_workstream()],
        "gates": [{"heading": f"{m.gate}: {m.name}", "criteria": list(m.criteria)} for m in plan.gates()],
        "risks": [{"risk": r.risk, "owner": r.owner, "mitigation": r.mitigation} for r in plan.risks],
        "cadence": "Weekly", "signers": [{"buyer": "Dana Cho, CFO", "seller": "Sarah Kim, Account Executive"}],
    }
    template = DocxTemplate(str(DEFAULT_TEMPLATE))
    template.render(context, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def main() -> None:
    fmt = formats()["docx"].format
    context = RenderContext()
    fmt.render(make_plan(5), context)
    direct(make_plan(5))
    print(f"{'steps':>6} {'mapgen s':>9} {'direct s':>9} {'ratio':>6}")
    ratios = []
    for steps in SIZES:
        plan = make_plan(steps)
        ours = best(fmt.render, plan, context)
        theirs = best(direct, plan)
        ratios.append(ours / theirs)
        print(f"{steps:>6} {ours:>9.3f} {theirs:>9.3f} {ours / theirs:>6.2f}")
    print(f"median ratio {statistics.median(ratios):.2f} (target: within 1.3)")


if __name__ == "__main__":
    main()
