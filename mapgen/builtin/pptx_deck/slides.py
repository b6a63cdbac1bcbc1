"""The deck's slides, in the order a rep walks the buyer through them."""

from __future__ import annotations

from typing import Sequence

from mapgen.markup import plain
from mapgen.plan import Milestone, Person, Plan
from mapgen.wording import escape_markdown, human_date, late_sentence, signers

from .canvas import DONE, LATE, MUTED, TEXT, Box, Canvas, Cell
from .measure import line_height
from .talk import notes_for
from .timeline import draw_timeline

PLAN_COLUMNS = (("#", 46.0), ("Step", 270.0), ("Workstream", 110.0), ("buyer", 116.0), ("seller", 116.0),
                ("Due", 106.0), ("Status", 118.0))


class DeckWriter:
    def __init__(self, canvas: Canvas, plan: Plan, include_internal: bool, source: str | None) -> None:
        self.canvas = canvas
        self.plan = plan
        self.internal = include_internal
        self.source = source
        self.page = 1

    def content(self, title: str):  # type: ignore[no-untyped-def]
        self.page += 1
        return self.canvas.content_slide(title, self.page)

    def notes(self, slide, key: str, extra: str = "") -> None:  # type: ignore[no-untyped-def]
        text = notes_for(self.plan, key, self.internal, self.source)
        self.canvas.notes(slide, text + (f"\n\n{extra}" if extra else ""))

    def write(self) -> None:
        plan = self.plan
        self.canvas.footer_text = (f"{plain(plan.buyer.company)} × {plain(plan.seller.company)} · "
                                   f"Mutual action plan · as of {human_date(plan.today)}")
        self.title()
        self.outcome()
        self.timeline()
        self.plan_table()
        self.people()
        self.risks()
        self.next_steps()
        self.sign_off()

    # -- 1. title --------------------------------------------------------------------------------

    def title(self) -> None:
        plan = self.plan
        subtitle = f"Mutual action plan · {human_date(plan.today)}\n{plan.deal.name}"
        slide = self.canvas.title_slide(plan.title, subtitle)
        self.notes(slide, "title")

    # -- 2. outcome and key dates -------------------------------------------------------------------

    def outcome(self) -> None:
        plan, canvas = self.plan, self.canvas
        slide, box = self.content("Why we are doing this, and by when")
        canvas.textbox(slide, Box(box.left, box.top + 4, box.width, 16), f"{plain(plan.buyer.company)}'s goal",
                       size=12, bold=True, color=MUTED, markdown=False)
        canvas.textbox(slide, Box(box.left, box.top + 24, box.width, 120), plan.buyer.outcome or "To be agreed together.",
                       size=24, color_theme="dk2", max_lines=4)
        cards = [("Today", plan.today, None, True)]
        cards.append(("Target signature", plan.signature.target, plan.signature.earliest, plan.signature.feasible))
        if plan.go_live:
            cards.append(("Target go-live", plan.go_live.target, plan.go_live.earliest, plan.go_live.feasible))
        gap = 18.0
        width = (box.width - gap * (len(cards) - 1)) / len(cards)
        top = box.top + 170
        for i, (label, day, earliest, feasible) in enumerate(cards):
            card = Box(box.left + i * (width + gap), top, width, 110)
            canvas.rect(slide, card, theme="accent1" if i else None, fill=None if i else "F3F4F6")
            colour = "FFFFFF" if i else TEXT
            canvas.textbox(slide, Box(card.left + 16, card.top + 12, card.width - 32, 16), label, size=12, bold=True,
                           color=colour, markdown=False, max_lines=1)
            canvas.textbox(slide, Box(card.left + 16, card.top + 34, card.width - 32, 34), human_date(day), size=24,
                           bold=True, color=colour, markdown=False, max_lines=1)
            if earliest is not None:
                status = "On track" if feasible else f"Cannot be met: earliest {human_date(earliest)}"
                canvas.textbox(slide, Box(card.left + 16, card.top + 74, card.width - 32, 30), status, size=12,
                               bold=not feasible, color="FFFFFF", markdown=False, max_lines=2)
        if not plan.feasible:
            text = late_sentence(plan)
            banner = Box(box.left, top + 128, box.width, 64)
            canvas.rect(slide, banner, fill="FDECEC", line=LATE)
            canvas.textbox(slide, Box(banner.left + 14, banner.top + 8, banner.width - 28, banner.height - 16), text,
                           size=14, color=LATE, anchor="middle", max_lines=3)
        self.notes(slide, "outcome")

    # -- 3. timeline -------------------------------------------------------------------------------

    def timeline(self) -> None:
        slide, box = self.content("The path to " + ("go-live" if self.plan.go_live else "signature"))
        draw_timeline(self.canvas, slide, box, self.plan, self.internal)
        self.notes(slide, "timeline")

    # -- 4. the plan table ---------------------------------------------------------------------------

    def plan_table(self) -> None:
        plan = self.plan
        steps = plan.visible(self.internal)
        widths = self._plan_widths()
        header = [Cell(self._header(name), bold=True, max_lines=3, markdown=False) for name, _ in PLAN_COLUMNS]
        rows = [self._plan_row(m) for m in steps]
        self._paginated("The plan", widths, header, rows, "plan",
                        legend="◆ on the critical path · late steps in red · owners in italics are still to be named")

    def _header(self, name: str) -> str:
        if name == "buyer":
            return f"{plain(self.plan.buyer.company)} owner"
        if name == "seller":
            return f"{plain(self.plan.seller.company)} owner"
        return name

    def _plan_widths(self) -> list[float]:
        total = self.canvas.width - 72
        widths = [w for _, w in PLAN_COLUMNS]
        widths[1] += total - sum(widths)  # the step's name takes what a wider slide offers
        return widths

    def _plan_row(self, m: Milestone) -> list[Cell]:
        colour = LATE if m.late else (MUTED if m.status == "done" else None)
        name = m.name + (" *(internal)*" if m.internal else "")
        return [
            Cell(f"{m.number}{' ◆' if m.critical else ''}", markdown=False, color=colour, max_lines=1),
            Cell(name, color=colour, max_lines=3),
            Cell(m.workstream_name, color=colour, max_lines=2),
            Cell(m.owners.buyer.name, italic=not m.owners.buyer.named, markdown=False, max_lines=2,
                 color=MUTED if not m.owners.buyer.named else colour),
            Cell(m.owners.seller.name, italic=not m.owners.seller.named, markdown=False, max_lines=2,
                 color=MUTED if not m.owners.seller.named else colour),
            Cell(human_date(m.due), markdown=False, color=colour, max_lines=1),
            Cell(m.status_label, markdown=False, bold=m.late, color=LATE if m.late else
                 (DONE if m.status == "done" else None), max_lines=2),
        ]

    def _paginated(self, title: str, widths: Sequence[float], header: Sequence[Cell], rows: Sequence[Sequence[Cell]],
                   notes_key: str, legend: str = "", empty: str = "") -> None:
        canvas = self.canvas
        legend_h = line_height(9) + 6 if legend else 0
        box_h = self._content_height() - legend_h
        pages = canvas.paginate(rows, widths, header, box_h) if rows else [[]]
        for number, indexes in enumerate(pages, 1):
            suffix = f" ({number} of {len(pages)})" if len(pages) > 1 else ""
            slide, box = self.content(title + suffix)
            if indexes:
                canvas.table(slide, Box(box.left, box.top, sum(widths), box.height - legend_h), widths, header,
                             [rows[i] for i in indexes])
            elif empty:
                canvas.textbox(slide, box, empty, size=16, color=MUTED)
            if legend:
                canvas.textbox(slide, Box(box.left, box.bottom - legend_h + 6, box.width, legend_h - 6), legend,
                               size=9, color=MUTED, markdown=False, max_lines=1)
            self.notes(slide, notes_key)

    def _content_height(self) -> float:
        """The height below a content slide's title (built-in design or the branded layout)."""
        from .canvas import FOOTER_GAP, FOOTER_H, MARGIN

        canvas = self.canvas
        if canvas.branded and canvas.content_layout is not None:
            for ph in canvas.content_layout.placeholders:
                if int(ph.placeholder_format.type) in (1, 3):
                    top = (ph.top + ph.height) / 12700 + 10
                    return canvas.height - FOOTER_H - FOOTER_GAP - top
            return canvas.height - FOOTER_H - FOOTER_GAP - MARGIN
        return canvas.height - FOOTER_H - FOOTER_GAP - 70.0

    # -- 5. people -------------------------------------------------------------------------------------

    def people(self) -> None:
        plan, canvas = self.plan, self.canvas
        half = (canvas.width - 72 - 24) / 2
        widths = [half * 0.42, half * 0.58]
        sides = [(plan.buyer.company, plan.people("buyer"), "buyer"), (plan.seller.company, plan.people("seller"), "seller")]
        tables = []
        for company, people, side in sides:
            rows = [self._person_row(p) for p in people]
            rows += [[Cell(name, italic=True, color=MUTED, markdown=False), Cell("Owns: " + ", ".join(
                f"{m.number}" for m in steps), color=MUTED, markdown=False, max_lines=2)]
                for s, name, steps in plan.unnamed(self.internal) if s == side]
            header = [Cell(plain(company), bold=True, markdown=False, max_lines=2), Cell("Role", bold=True, markdown=False)]
            tables.append((header, rows))
        height = self._content_height() - 4
        pages = [canvas.paginate(rows, widths, header, height) if rows else [[]] for header, rows in tables]
        for number in range(max(len(p) for p in pages)):
            suffix = f" ({number + 1} of {max(len(p) for p in pages)})" if max(len(p) for p in pages) > 1 else ""
            slide, box = self.content("Who is involved" + suffix)
            for side, ((header, rows), side_pages) in enumerate(zip(tables, pages)):
                left = box.left + side * (half + 24)
                indexes = side_pages[number] if number < len(side_pages) else []
                if indexes:
                    canvas.table(slide, Box(left, box.top, half, box.height), widths, header, [rows[i] for i in indexes])
                elif number == 0:
                    canvas.textbox(slide, Box(left, box.top, half, 40), f"{plain(sides[side][0])}: people to be named",
                                   size=14, color=MUTED)
            self.notes(slide, "people")

    @staticmethod
    def _person_row(person: Person) -> list[Cell]:
        title = f"\n{person.title}" if person.title else ""
        return [Cell(f"**{escape_markdown(person.name)}**{escape_markdown(title)}", max_lines=4),
                Cell(person.role_label or "", markdown=False, max_lines=2)]

    # -- 6. risks ----------------------------------------------------------------------------------------

    def risks(self) -> None:
        total = self.canvas.width - 72
        widths = [total * 0.42, total * 0.18, total * 0.40]
        header = [Cell("Risk", bold=True, markdown=False), Cell("Owner", bold=True, markdown=False),
                  Cell("What we do about it", bold=True, markdown=False)]
        rows = [[Cell(r.risk, max_lines=6), Cell(r.owner or "To be named", markdown=False, italic=not r.owner,
                                                  max_lines=2), Cell(r.mitigation or "To be agreed", max_lines=6,
                                                                     italic=not r.mitigation)]
                for r in self.plan.risks]
        self._paginated("What could slow us down", widths, header, rows, "risks",
                        empty="No risks listed yet. What could slow this plan down?")

    # -- 7. next steps and check-in -------------------------------------------------------------------------

    def next_steps(self) -> None:
        plan, canvas = self.plan, self.canvas
        slide, box = self.content("Next steps")
        upcoming = [m for m in plan.visible(self.internal) if m.status != "done"]
        cadence_h = 74.0
        total = box.width
        widths = [34.0, total * 0.44, total * 0.18, total * 0.18]
        widths.append(total - sum(widths))
        header = [Cell("#", bold=True, markdown=False), Cell("Step", bold=True, markdown=False),
                  Cell(f"{plain(plan.buyer.company)}", bold=True, markdown=False, max_lines=2),
                  Cell(f"{plain(plan.seller.company)}", bold=True, markdown=False, max_lines=2),
                  Cell("Due", bold=True, markdown=False)]
        rows = [[Cell(str(m.number), markdown=False), Cell(m.name, max_lines=2, color=LATE if m.late else None),
                 Cell(m.owners.buyer.name, markdown=False, max_lines=2, italic=not m.owners.buyer.named),
                 Cell(m.owners.seller.name, markdown=False, max_lines=2, italic=not m.owners.seller.named),
                 Cell(human_date(m.due), markdown=False, max_lines=1)] for m in upcoming[:6]]
        room = box.height - cadence_h - 12
        if rows:
            first_page = canvas.paginate(rows, widths, header, room)[0]
            canvas.table(slide, Box(box.left, box.top, sum(widths), room), widths, header, [rows[i] for i in first_page])
        else:
            canvas.textbox(slide, Box(box.left, box.top, box.width, 40), "Every step is done.", size=16, color=MUTED)
        card = Box(box.left, box.bottom - cadence_h, box.width, cadence_h)
        canvas.rect(slide, card, fill="F3F4F6")
        canvas.rect(slide, Box(card.left, card.top, 5, card.height), theme="accent2")
        if plan.check_in and plan.next_check_in:
            head = f"Weekly check-in: {plan.check_in.label}. Next: {human_date(plan.next_check_in)}"
        else:
            head = "Weekly check-in: let's agree a time that works for both teams"
        canvas.textbox(slide, Box(card.left + 18, card.top + 10, card.width - 36, 20), head, size=15, bold=True,
                       color=TEXT, markdown=False, max_lines=1)
        canvas.textbox(slide, Box(card.left + 18, card.top + 36, card.width - 36, 30),
                       "Thirty minutes: what moved, what slipped, and what that means for signature"
                       + (" and go-live." if plan.go_live else "."), size=12, color=MUTED, markdown=False, max_lines=2)
        self.notes(slide, "next_steps")

    # -- 8. sign-off --------------------------------------------------------------------------------------

    def sign_off(self) -> None:
        plan, canvas = self.plan, self.canvas
        slide, box = self.content("We agree to this plan")
        canvas.textbox(slide, Box(box.left, box.top, box.width, 40),
                       "Both teams commit to the steps, owners and dates in this plan, and to updating it together "
                       "when something changes.", size=14, color=MUTED, markdown=False, max_lines=2)
        half = (box.width - 40) / 2
        for side, (company, people) in enumerate(((plan.buyer.company, signers(plan, "buyer")),
                                                  (plan.seller.company, signers(plan, "seller")))):
            left = box.left + side * (half + 40)
            canvas.textbox(slide, Box(left, box.top + 56, half, 22), plain(company), size=16, bold=True,
                           color_theme="dk2", markdown=False, max_lines=1)
            y = box.top + 92
            for person in people or (None, None):
                label = f"{plain(person.name)}{', ' + plain(person.title) if person.title else ''}" if person else "Name"
                canvas.line(slide, left, y + 44, left + half * 0.62, y + 44, color=MUTED, width=0.75)
                canvas.line(slide, left + half * 0.70, y + 44, left + half, y + 44, color=MUTED, width=0.75)
                canvas.textbox(slide, Box(left, y + 48, half * 0.62, 27), label, size=11, color=TEXT,
                               markdown=False, max_lines=1)  # a long name and title: two lines, then smaller
                canvas.textbox(slide, Box(left + half * 0.70, y + 48, half * 0.30, 16), "Date", size=11, color=MUTED,
                               markdown=False, max_lines=1)
                y += 78
        self.notes(slide, "sign_off")
