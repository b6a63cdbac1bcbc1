"""The deck's slides, in the order a rep walks the buyer through them."""

from __future__ import annotations

from typing import Callable, Sequence

from mapgen.markup import plain
from mapgen.plan import KeyDate, Milestone, Person, Plan
from mapgen.wording import (drivers_sentence, escape_markdown, human_date, key_outlook, late_sentence, signers,
                             step_label)

from .canvas import AT_RISK_TEXT, BLOCKED, DONE, LATE, MUTED, TEXT, Box, Canvas, Cell, runs_of
from .measure import line_height, wrap
from .talk import TalkTrack
from .timeline import draw_timeline, key_dates

PLAN_COLUMNS = (("#", 46.0), ("Step", 248.0), ("Workstream", 92.0), ("buyer", 102.0), ("seller", 102.0),
                ("After", 54.0), ("Due", 122.0), ("Status", 112.0))
PLAN_LEGEND = ("◆ drives signature or go-live · After: the steps it waits for · done steps at their actual dates · "
               "late in red, at risk in amber, blocked in violet · owners in italics are still to be named")


def fitted(text: str, width: float, height: float, sizes: Sequence[float], bold: bool = False,
           markdown: bool = True) -> tuple[float, int]:
    """The largest of ``sizes`` at which ``text`` wraps into ``height`` (else the smallest), and its lines:
    text is shrunk to fit, never cut."""
    runs = runs_of(text, markdown)
    visible = "".join(r.text for r in runs)
    bold = bold or any(r.bold for r in runs)
    lines = 1
    for size in sizes:
        lines = len(wrap(visible, width, size, bold).lines)
        if lines * line_height(size) <= height:
            return size, lines
    return sizes[-1], lines


def due_text(m: Milestone) -> str:
    """A step's date as the tables show it: ``Done Thu 29 Oct 2026`` for done steps (the actual date),
    the planned due date otherwise, ``booked`` when pinned."""
    if m.is_done and m.actual_done is not None:
        return f"Done {human_date(m.actual_done)}"
    return human_date(m.due) + (" (booked)" if m.pinned else "")


#: The colour of a state's text: late red, at risk amber, blocked violet, done grey (on track: the text's own).
STATE_COLOURS = {"late": LATE, "at_risk": AT_RISK_TEXT, "blocked": BLOCKED, "done": DONE}


def state_colour(m: Milestone) -> str | None:
    """The colour of a step's status text."""
    return STATE_COLOURS.get(m.state)


#: The most slides the plan table and the risks take: a longer plan shows the steps that need attention (see
#: ``DeckWriter._digest``) and says so on each slide, so even a 5,000-step deck stays under 40 slides.
PLAN_PAGES = 12
RISK_PAGES = 3
DIGEST_WEEKS = 4


#: The step numbers an owner still to be named is listed with; more are counted.
OWNS_LISTED = 30
#: Past OWNS_LISTED, the first this many numbers are listed, then how many more.
OWNS_FIRST = 10


def owns(steps: Sequence[Milestone]) -> str:
    """``Owns: 3, 7, 12`` on the people slide; past OWNS_LISTED steps the first ones and how many more."""
    numbers = [str(m.number) for m in steps]
    if len(numbers) <= OWNS_LISTED:
        return "Owns: " + ", ".join(numbers)
    rest = len(numbers) - OWNS_FIRST
    return f"Owns {len(numbers):,} steps: " + ", ".join(numbers[:OWNS_FIRST]) + f" and {rest:,} more (see the workbook)"


def digest_note(shown: int, total: int) -> str:
    return (f"{shown:,} of {total:,} steps, as many as {PLAN_PAGES} slides hold: signature and go-live, the open steps "
            f"of the next {DIGEST_WEEKS} weeks, then the late, blocked and at-risk steps, soonest due first. "
            "The workbook and the document list every step.")


#: ``formats.pptx.layout`` in a template: ``full`` (every slide) or ``compact`` (at most five: title with the
#: key dates, the timeline and the steps on one slide, risks when there are any, next steps, sign-off).
LAYOUTS = ("full", "compact")
COMPACT_COLUMNS = (("#", 40.0), ("Step", 300.0), ("buyer", 120.0), ("seller", 120.0), ("Due", 130.0),
                   ("Status", 110.0))


class DeckWriter:
    def __init__(self, canvas: Canvas, plan: Plan, audience: str, source: str | None,
                 layout: str = "full") -> None:
        self.canvas = canvas
        self.plan = plan
        self.audience = audience  # "internal" adds the MEDDPICC review
        self.talk = TalkTrack(plan, source)
        self.layout = layout
        self.page = 1

    def content(self, title: str):  # type: ignore[no-untyped-def]
        self.page += 1
        return self.canvas.content_slide(title, self.page)

    def notes(self, slide, key: str, extra: str = "") -> None:  # type: ignore[no-untyped-def]
        text = self.talk.notes(key)
        self.canvas.notes(slide, text + (f"\n\n{extra}" if extra else ""))

    def write(self) -> None:
        plan = self.plan
        self.canvas.footer_text = (f"{plain(plan.buyer.company)} × {plain(plan.seller.company)} · "
                                   f"Mutual action plan · as of {human_date(plan.today)}" + self._internal_mark())
        if self.layout == "compact":
            self.title(compact=True)
            self.meddpicc()
            if plan.changes is not None:  # --baseline
                self.changes()
            self.timeline_and_steps()
            self.risks()
            self.next_steps()
            self.sign_off()
            return
        self.title()
        self.meddpicc()
        self.outcome()
        if plan.changes is not None:  # --baseline
            self.changes()
        self.timeline()
        self.plan_table()
        self.people()
        self.risks()
        self.next_steps()
        self.sign_off()

    def _internal_mark(self) -> str:
        """On every slide of the seller's internal view (its title and footer), so it is never mistaken for
        the buyer's deck."""
        return " · Internal view: not for the buyer" if self.audience == "internal" else ""

    # -- 1. title --------------------------------------------------------------------------------

    def title(self, compact: bool = False) -> None:
        plan = self.plan
        subtitle = f"Mutual action plan · {human_date(plan.today)}{self._internal_mark()}\n{plan.deal.name}"
        if compact:  # the key dates on the title slide: there is no outcome slide
            for key, date in key_dates(plan):
                label, day, status, _ = self._key_card(key, date)
                subtitle += f"\n{label}: {day}" + (f" · {status.splitlines()[-1]}" if status else "")
        slide = self.canvas.title_slide(plan.title, subtitle)
        extra = ""
        if compact:
            extra = "\n\n" + self.talk.notes("outcome")
        self.canvas.notes(slide, self.talk.notes("title") + extra)

    # -- 2. outcome and key dates -------------------------------------------------------------------

    def outcome(self) -> None:
        plan, canvas = self.plan, self.canvas
        slide, box = self.content("Why we are doing this, and by when")
        canvas.textbox(slide, Box(box.left, box.top + 4, box.width, 16), f"{plain(plan.buyer.company)}'s goal",
                       size=12, bold=True, color=MUTED, markdown=False)
        outcome = plan.buyer.outcome or "To be agreed together."
        size, lines = fitted(outcome, box.width, line_height(24) * 4, (24, 20, 18, 16, 14))
        canvas.textbox(slide, Box(box.left, box.top + 24, box.width, lines * line_height(size) + 2), outcome,
                       size=size, color_theme="dk2", max_lines=lines)
        top = box.top + 24 + lines * line_height(size) + 22
        cards: list[tuple[str, str, str, str | None]] = [("Today", human_date(plan.today), "", None)]
        if plan.next_check_in:
            cards[0] = ("Today", human_date(plan.today), f"Next check-in {human_date(plan.next_check_in.date())}",
                        None)
        for key, date in key_dates(plan):
            cards.append(self._key_card(key, date))
        gap = 18.0
        width = (box.width - gap * (len(cards) - 1)) / len(cards)
        card_h = 122.0
        for i, (label, day, status, fill) in enumerate(cards):
            card = Box(box.left + i * (width + gap), top, width, card_h)
            canvas.rect(slide, card, theme="accent1" if fill == "accent1" else None,
                        fill=None if fill == "accent1" else (fill or "F3F4F6"))
            colour = TEXT if fill is None else "FFFFFF"
            inner = card.width - 28
            label_size, label_lines = fitted(label, inner, 32, (12, 11, 10), bold=True, markdown=False)
            canvas.textbox(slide, Box(card.left + 14, card.top + 10, inner, label_lines * line_height(label_size)),
                           label, size=label_size, bold=True, color=colour, markdown=False, max_lines=label_lines)
            y = card.top + 12 + max(2, label_lines) * line_height(label_size)
            day_size, _ = fitted(day, inner, line_height(24), (24, 22, 20, 18), bold=True, markdown=False)
            canvas.textbox(slide, Box(card.left + 14, y, inner, line_height(day_size)), day, size=day_size,
                           bold=True, color=colour, markdown=False, max_lines=1)
            y += line_height(24) + 4
            if status:
                room = card.bottom - 8 - y
                warn = fill in (LATE, AT_RISK_TEXT, BLOCKED)
                status_size, status_lines = fitted(status, inner, room, (12, 11, 10, 9), bold=warn, markdown=False)
                canvas.textbox(slide, Box(card.left + 14, y, inner, room), status, size=status_size,
                               bold=warn, color=colour, markdown=False, max_lines=max(status_lines, 1))
        self._why(slide, Box(box.left, top + card_h + 16, box.width, box.bottom - (top + card_h + 16)))
        self.notes(slide, "outcome")

    def _key_card(self, key: str, date: KeyDate) -> tuple[str, str, str, str | None]:
        """(label, date, the line under it, fill) for signature or go-live: the target beside the forecast."""
        plan = self.plan
        name = "Signature" if key == "signature" else "Go-live"
        step = next((m for m in plan.milestones if m.id == key), None)
        if step is not None and step.is_done:
            return name, human_date(step.actual_done), "Done", DONE
        if date.derived:
            other = "go-live" if key == "signature" else "signature"
            label = f"{name}, worked out from {other}"
        else:
            label = f"Target {name.lower()}"
        lines = []
        if date.requested:
            lines.append(f"Asked for {human_date(date.requested)}, not a working day")
        if date.feasible:
            outlook = key_outlook(plan, key)
            if outlook.state in ("at_risk", "blocked"):  # the key step's own state, as the plan table shows it
                lines.append(f"Forecast {human_date(date.forecast)}, {outlook.text[:1].lower()}{outlook.text[1:]}")
                return label, human_date(date.target), "\n".join(lines), STATE_COLOURS[outlook.state]
            lines.append(f"Forecast {human_date(date.forecast)}: on track")
            return label, human_date(date.target), "\n".join(lines), "accent1"
        days = f"{date.slip} working day{'s' if date.slip != 1 else ''} late" if date.slip else "late"
        lines.append(f"Cannot be met. Forecast {human_date(date.forecast)}, {days}")
        return label, human_date(date.target), "\n".join(lines), LATE

    def _short_drivers(self, key: str) -> str:
        """The drivers sentence for a chain too long for the slide: its first and last steps and how many
        (the plan table marks every one with ◆, the speaker notes name them all)."""
        plan = self.plan
        steps = list(plan.driver_steps(key))
        full = drivers_sentence(plan, key)
        chain = " → ".join(step_label(plan, m.id) for m in steps)
        tail = full[len(chain) + 2:] if chain and full.startswith(chain + ": ") else full
        if len(steps) < 3:
            return full
        return (f"a chain of {len(steps)} steps (◆ in the plan table), from {step_label(plan, steps[0].id)} "
                f"to {step_label(plan, steps[-1].id)}: {tail}")

    def _why(self, slide, box: Box) -> None:  # type: ignore[no-untyped-def]
        """Under the key dates: when a target cannot be met, what and why in red; otherwise why the forecast
        is what it is, where it fits."""
        plan, canvas = self.plan, self.canvas
        keys = key_dates(plan)
        if not plan.feasible:
            late = [key for key, date in keys if not date.feasible]
            text = "\n".join([late_sentence(plan)] + [f"Why: {drivers_sentence(plan, key)}."
                                                      for key in late])
            size, lines = fitted(text, box.width - 28, box.height - 16, (14, 13, 12, 11, 10, 9))
            if lines * line_height(size) > box.height - 16:  # a very long chain: its ends, and how many steps
                text = "\n".join([late_sentence(plan)] + [f"Why: {self._short_drivers(key)}." for key in late])
                size, lines = fitted(text, box.width - 28, box.height - 16, (14, 13, 12, 11, 10, 9))
            height = min(box.height, lines * line_height(size) + 18)
            banner = Box(box.left, box.top, box.width, height)
            canvas.rect(slide, banner, fill="FDECEC", line=LATE)
            canvas.textbox(slide, Box(banner.left + 14, banner.top + 8, banner.width - 28, banner.height - 14), text,
                           size=size, color=LATE, anchor="middle", max_lines=lines)
            return
        text = "\n".join(f"What decides the earliest {'signature' if key == 'signature' else 'go-live'}: "
                         f"{drivers_sentence(plan, key)}." for key, date in keys if date.drivers)
        if not text:
            return
        size, lines = fitted(text, box.width, box.height, (12, 11, 10))
        if lines * line_height(size) <= box.height:  # only where it fits: the key dates come first
            canvas.textbox(slide, Box(box.left, box.top, box.width, lines * line_height(size) + 2), text, size=size,
                           color=MUTED, max_lines=lines)

    # -- 2b. what changed since the baseline (--baseline) ---------------------------------------------

    def changes(self) -> None:
        from mapgen import slip

        canvas, changes = self.canvas, self.plan.changes
        assert changes is not None
        slide, box = self.content(slip.title(changes))
        y = box.top + 2
        for k in changes.key_dates:
            sentence = slip.key_sentence(k)
            colour = LATE if k.days > 0 or k.new_feasible is False else ("067647" if k.days < 0 else TEXT)
            size, lines = fitted(sentence, box.width, line_height(14) * 2, (14, 13, 12, 11), bold=True, markdown=False)
            canvas.textbox(slide, Box(box.left, y, box.width, lines * line_height(size) + 2), sentence, size=size,
                           bold=True, color=colour, markdown=False, max_lines=lines)
            y += lines * line_height(size) + 2
            if k.why and k.new_forecast is not None:
                why = f"Why: {k.why}."
                size, lines = fitted(why, box.width, line_height(11) * 2, (11, 10, 9))
                canvas.textbox(slide, Box(box.left, y, box.width, lines * line_height(size) + 2), why, size=size,
                               color=MUTED, max_lines=lines)
                y += lines * line_height(size) + 2
            y += 6
        if changes.empty:
            canvas.textbox(slide, Box(box.left, y + 10, box.width, 40),
                           "Nothing moved: the same steps, dates, states and owners.", size=16, color=MUTED,
                           markdown=False)
            self.canvas.notes(slide, "\n".join(text for _, text in slip.plain_lines(changes)))
            return
        y += 6
        gap = 18.0
        left_w = (box.width - gap) * 0.58 if self._other_rows() else box.width
        right_w = box.width - gap - left_w
        height = box.bottom - y
        moved = sorted(changes.moved, key=lambda m: (-abs(m.days), m.new_due))
        if moved:
            widths = [left_w - 2 * 104.0 - 84.0, 104.0, 104.0, 84.0]
            header = [Cell(t, bold=True, markdown=False) for t in ("Step moved", "Was due", "Now due", "Working days")]
            rows = [[Cell(m.name, max_lines=3),
                     Cell(human_date(m.old_due), markdown=False, max_lines=2),
                     Cell(human_date(m.new_due), markdown=False, max_lines=2),
                     Cell(slip.days_text(m.days) if m.days or not m.start_days
                          else f"start {slip.days_text(m.start_days)}", markdown=False, bold=m.days > 0,
                          color=LATE if m.days > 0 else ("067647" if m.days < 0 else None), max_lines=2)]
                    for m in moved]
            self._fitted_table(slide, Box(box.left, y, left_w, height), widths, header, rows)
        other = self._other_rows()
        if other:
            left = box.left + (left_w + gap if moved else 0)
            width = right_w if moved else box.width
            widths = [width * 0.56, width * 0.44]
            header = [Cell("Step", bold=True, markdown=False), Cell("Change", bold=True, markdown=False)]
            self._fitted_table(slide, Box(left, y, width, height), widths, header, other)
        self.canvas.notes(slide, "What changed since the last plan:\n" +
                          "\n".join(text for _, text in slip.plain_lines(changes)))

    def _other_rows(self) -> list[list[Cell]]:
        """State changes, then steps added, removed, renamed and owners changed: (step, change) rows."""
        from mapgen import slip

        changes = self.plan.changes
        if changes is None:
            return []
        rows = [[Cell(s.name, max_lines=4), Cell(slip.state_text(s), markdown=False, max_lines=2,
                                                 color=STATE_COLOURS.get(s.new_state))] for s in changes.states]
        rows += [[Cell(a.name, max_lines=4), Cell(f"Added, due {human_date(a.due)}", markdown=False, max_lines=2)]
                 for a in changes.added]
        rows += [[Cell(r.name, max_lines=4), Cell("Removed", markdown=False, color=LATE)] for r in changes.removed]
        rows += [[Cell(n.new_name, max_lines=4), Cell(f"Renamed from {plain(n.old_name)}", markdown=False, max_lines=4)]
                 for n in changes.renamed]
        rows += [[Cell(o.name, max_lines=4), Cell(f"{o.side.capitalize()} owner: {plain(o.old)} → {plain(o.new)}",
                                                  markdown=False, max_lines=3)] for o in changes.owners]
        return rows

    def _fitted_table(self, slide, box: Box, widths: Sequence[float], header: Sequence[Cell],  # type: ignore[no-untyped-def]
                      rows: Sequence[Sequence[Cell]]) -> int:
        """As many rows as fit in ``box``; the rest summed up in a last row ("and 4 more: see the notes").
        Returns how many rows are shown in full."""
        canvas = self.canvas
        pages = canvas.paginate(rows, widths, header, box.height)
        shown = [rows[i] for i in pages[0]]
        if len(pages) > 1:  # the count in the widest column (the first, where it is widest)
            more = len(rows) - len(shown) + 1
            wide = max(range(len(widths)), key=lambda i: (widths[i], -i))
            row = [Cell("", markdown=False)] * len(widths)
            row[wide] = Cell(f"and {more:,} more: see the speaker notes", italic=True, color=MUTED, markdown=False,
                             max_lines=1)
            shown = shown[:-1] + [row]
        canvas.table(slide, box, widths, header, shown)
        return len(shown) - (1 if len(pages) > 1 else 0)

    # -- 3. timeline -------------------------------------------------------------------------------

    def timeline(self) -> None:
        slide, box = self.content("The path to " + ("go-live" if self.plan.go_live else "signature"))
        drawn = draw_timeline(self.canvas, slide, box, self.plan)
        self.notes(slide, "timeline", drawn.notes(len(self.plan.milestones)))

    def timeline_and_steps(self) -> None:
        """The compact deck's one plan slide: the timeline above, the steps with owners and dates below."""
        plan, canvas = self.plan, self.canvas
        steps = plan.milestones
        slide, box = self.content("The plan, step by step")
        total = box.width
        widths = [w for _, w in COMPACT_COLUMNS]
        widths[1] += total - sum(widths)
        header = [Cell(self._header(name), bold=True, max_lines=2, markdown=False) for name, _ in COMPACT_COLUMNS]
        rows = [[Cell(f"{m.number}{' ◆' if m.critical else ''}", markdown=False, max_lines=1,
                      color=LATE if m.late else (MUTED if m.is_done else None)),
                 Cell(m.name + (" *(internal)*" if m.internal else ""), max_lines=2,
                      color=LATE if m.late else (MUTED if m.is_done else None)),
                 Cell(m.owners.buyer.name, italic=not m.owners.buyer.named, markdown=False, max_lines=2,
                      color=MUTED if not m.owners.buyer.named else None),
                 Cell(m.owners.seller.name, italic=not m.owners.seller.named, markdown=False, max_lines=2,
                      color=MUTED if not m.owners.seller.named else None),
                 Cell(due_text(m) + self._moved(m), markdown=False, max_lines=2),
                 Cell(m.status_label, markdown=False, bold=m.late, color=state_colour(m), max_lines=2)]
                for m in steps]
        table_h = min(box.height * 0.5, sum(canvas.row_height(r, widths) for r in [header] + rows) + 4)
        timeline = Box(box.left, box.top, box.width, box.height - table_h - 8)
        drawn = draw_timeline(canvas, slide, timeline, plan)
        shaded = drawn.shaded
        table = Box(box.left, box.bottom - table_h, sum(widths), table_h)
        shown = self._fitted_table(slide, table, widths, header, rows) if rows else 0
        notes = [self.talk.notes("timeline")]
        if drawn.summary:
            notes.append(drawn.notes(len(steps), shaded=False))
        if shown < len(steps):
            notes.append("Not on the slide: " + "; ".join(f"{m.number}. {plain(m.name)}, due {due_text(m)}, "
                                                          f"{m.owners.buyer.name} and {m.owners.seller.name}"
                                                          for m in steps[shown:]) + ".")
        if shaded:
            notes.append("Shaded on the timeline (no work planned): " + "; ".join(shaded) + ".")
        notes.append(self.talk.notes("plan"))
        why = self._why_steps(steps)
        if why:
            notes.append(why)
        canvas.notes(slide, "\n\n".join(n for n in notes if n))

    # -- 4. the plan table ---------------------------------------------------------------------------

    def plan_table(self) -> None:
        plan = self.plan
        steps = plan.milestones
        widths = self._plan_widths()
        header = [Cell(self._header(name), bold=True, max_lines=3, markdown=False) for name, _ in PLAN_COLUMNS]
        room = self._content_height() - line_height(9) - 6
        pages = None
        if len(steps) * self.canvas.row_height([], widths) <= PLAN_PAGES * room:  # could fit: measure
            rows = [self._plan_row(m) for m in steps]
            pages = self.canvas.paginate(rows, widths, header, room) if rows else [[]]
        if pages is not None and len(pages) <= PLAN_PAGES:
            self._paginated("The plan", widths, header, rows, "plan", legend=PLAN_LEGEND, pages=pages,
                            extra=lambda indexes: self._why_steps([steps[i] for i in indexes]))
            return
        shown = self._digest(steps, widths, header)
        note = digest_note(len(shown), len(steps))
        rows = [self._plan_row(m) for m in shown]
        self._paginated("The plan: the steps that need attention", widths, header, rows, "plan",
                        legend=PLAN_LEGEND, note=note,
                        extra=lambda indexes: "\n\n".join(
                            [note, self._why_steps([shown[i] for i in indexes])]).strip())

    def _digest(self, steps: Sequence[Milestone], widths: Sequence[float], header: Sequence[Cell]
                ) -> list[Milestone]:
        """The steps a plan too long for the deck shows, in plan order: signature and go-live, the open steps
        of the next four weeks, then the late, blocked and at-risk ones, soonest due first, as many as
        PLAN_PAGES slides hold."""
        import datetime as dt

        horizon = self.plan.today + dt.timedelta(weeks=DIGEST_WEEKS)

        def rank(m: Milestone) -> int | None:
            if m.id in ("signature", "go_live"):
                return 0
            if m.is_open and m.start <= horizon:
                return 1
            if m.state in ("late", "blocked", "at_risk"):
                return 2
            return None

        ranked = sorted(((r, m.due, m.number, m) for m in steps if (r := rank(m)) is not None),
                        key=lambda t: t[:3])
        canvas = self.canvas
        legend_h = line_height(9) + 6
        room = self._content_height() - legend_h - self._note_h() - canvas.row_height(header, widths)
        budget = PLAN_PAGES * room * 0.9  # pages end before they are full: a margin for the last rows
        chosen: list[Milestone] = []
        used = 0.0
        for _, _, _, m in ranked:
            used += canvas.row_height(self._plan_row(m), widths)
            if used > budget:
                break
            chosen.append(m)
        while True:
            shown = sorted(chosen, key=lambda m: m.number)
            pages = canvas.paginate([self._plan_row(m) for m in shown], widths, header, room
                                    + canvas.row_height(header, widths))
            if len(pages) <= PLAN_PAGES or not chosen:
                return shown
            chosen = chosen[:-max(1, len(chosen) // 20)]

    def _note_h(self) -> float:
        return 2 * line_height(9) + 4

    @staticmethod
    def _why_steps(steps: Sequence[Milestone]) -> str:
        """The speaker notes' "why each step matters": the template's description of each step shown."""
        lines = [f"{m.number}. {plain(m.name)}: {plain(m.description)}" for m in steps if m.description]
        return "Why each step matters:\n" + "\n".join(lines) if lines else ""

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
        colour = LATE if m.late else (MUTED if m.is_done else None)
        name = m.name + (" *(internal)*" if m.internal else "")
        after = ", ".join(str(n) for n in self.plan.waits_for(m))
        return [
            Cell(f"{m.number}{' ◆' if m.critical else ''}", markdown=False, color=colour, max_lines=1),
            Cell(name, color=colour, max_lines=3),
            Cell(m.workstream_name, color=colour, max_lines=2),
            Cell(m.owners.buyer.name, italic=not m.owners.buyer.named, markdown=False, max_lines=3,
                 color=MUTED if not m.owners.buyer.named else colour),
            Cell(m.owners.seller.name, italic=not m.owners.seller.named, markdown=False, max_lines=3,
                 color=MUTED if not m.owners.seller.named else colour),
            Cell(after, markdown=False, color=colour, max_lines=8),
            Cell(due_text(m) + self._moved(m), markdown=False, color=colour, max_lines=3),
            Cell(m.status_label, markdown=False, bold=m.late, color=state_colour(m), max_lines=2),
        ]

    def _moved(self, m: Milestone) -> str:
        """`` · moved +3 d`` after a moved step's date (``--baseline``), or ""."""
        if self.plan.changes is None:
            return ""
        from mapgen.slip import moved_mark

        mark = moved_mark(self.plan.changes.moved_by_id().get(m.id))
        return f" · {mark}" if mark else ""

    def _paginated(self, title: str, widths: Sequence[float], header: Sequence[Cell], rows: Sequence[Sequence[Cell]],
                   notes_key: str, legend: str = "", empty: str = "",
                   extra: Callable[[Sequence[int]], str] | None = None, pages: list[list[int]] | None = None,
                   note: str = "", most: int | None = None, more: str = "") -> None:
        """A table over as many slides as it needs; ``note`` (bold, two lines) above the legend on each; past
        ``most`` slides the last row says how many rows are left out (``more``, with {count})."""
        canvas = self.canvas
        legend_h = line_height(9) + 6 if legend else 0
        note_h = self._note_h() if note else 0
        box_h = self._content_height() - legend_h - note_h
        if pages is None:
            pages = canvas.paginate(rows, widths, header, box_h) if rows else [[]]
        rows = list(rows)
        if most is not None and len(pages) > most:
            pages = pages[:most]
            left = len(rows) - pages[-1][-1]
            rows[pages[-1][-1]] = [Cell(more.format(count=f"{left:,}"), italic=True, color=MUTED, markdown=False,
                                        max_lines=2)] + [Cell("", markdown=False)] * (len(widths) - 1)
        for number, indexes in enumerate(pages, 1):
            suffix = f" ({number} of {len(pages)})" if len(pages) > 1 else ""
            slide, box = self.content(title + suffix)
            if indexes:
                canvas.table(slide, Box(box.left, box.top, sum(widths), box.height - legend_h - note_h), widths,
                             header, [rows[i] for i in indexes])
            elif empty:
                canvas.textbox(slide, box, empty, size=16, color=MUTED)
            if note:
                canvas.textbox(slide, Box(box.left, box.bottom - legend_h - note_h + 4, box.width, note_h - 4), note,
                               size=9, bold=True, color=TEXT, markdown=False, max_lines=2)
            if legend:
                canvas.textbox(slide, Box(box.left, box.bottom - legend_h + 6, box.width, legend_h - 6), legend,
                               size=9, color=MUTED, markdown=False, max_lines=1)
            self.notes(slide, notes_key, extra(indexes) if extra else "")

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

    # -- the seller's MEDDPICC review (internal view only) ----------------------------------------------

    def meddpicc(self) -> None:
        """Right after the title in the internal view: where qualification stands, gaps in red."""
        if self.audience != "internal" or self.plan.audience != "internal":
            return
        from mapgen.meddpicc import review

        result = review(self.plan)
        total = self.canvas.width - 72
        widths = [total * 0.05, total * 0.15, total * 0.44, total * 0.36]
        header = [Cell("", bold=True, markdown=False), Cell("Element", bold=True, markdown=False),
                  Cell("What the plan shows", bold=True, markdown=False),
                  Cell("Gaps to close", bold=True, markdown=False)]
        late = [key for key in ("signature", "go_live") if (d := self.plan.key_date(key)) and not d.feasible]
        rows = [[Cell("", markdown=False), Cell("**Forecast**"), Cell("\n".join(result.forecast), max_lines=8),
                 Cell("Late: " + " and ".join("signature" if k == "signature" else "go-live" for k in late)
                      if late else "", color=LATE, max_lines=2, markdown=False)]]
        for e in result.elements:
            colour = {"Gap": LATE, "Partial": AT_RISK_TEXT}.get(e.status)
            rows.append([Cell(f"**{e.letter}**", color=colour), Cell(f"**{e.name}**\n{e.status}", max_lines=3),
                         Cell("\n".join(e.shows) or "Nothing yet", italic=not e.shows, max_lines=8),
                         Cell("\n".join(e.gaps), color=LATE, max_lines=8)])
        self._paginated("MEDDPICC review (internal: not for the buyer)", widths, header, rows, "meddpicc",
                        legend="Internal view: the template's internal steps and this review are never in what "
                               "the buyer receives")

    # -- 5. people -------------------------------------------------------------------------------------

    def people(self) -> None:
        plan, canvas = self.plan, self.canvas
        half = (canvas.width - 72 - 24) / 2
        widths = [half * 0.42, half * 0.58]
        sides = [(plan.buyer.company, plan.people("buyer"), "buyer"), (plan.seller.company, plan.people("seller"), "seller")]
        tables = []
        for company, people, side in sides:
            rows = [self._person_row(p) for p in people]
            rows += [[Cell(name, italic=True, color=MUTED, markdown=False), Cell(owns(steps), color=MUTED,
                                                                                markdown=False, max_lines=2)]
                for s, name, steps in plan.unnamed() if s == side]
            header = [Cell(plain(company), bold=True, markdown=False, max_lines=2), Cell("Role", bold=True, markdown=False)]
            tables.append((header, rows))
        if not any(rows for _, rows in tables):  # no one named and no one to name: no slide
            return
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
            self.notes(slide, "people")

    @staticmethod
    def _person_row(person: Person) -> list[Cell]:
        title = f"\n{person.title}" if person.title else ""
        return [Cell(f"**{escape_markdown(person.name)}**{escape_markdown(title)}", max_lines=4),
                Cell(person.role_label or "", markdown=False, max_lines=2)]

    # -- 6. risks ----------------------------------------------------------------------------------------

    def risks(self) -> None:
        """The risks; no slide when there are none (a slide with nothing to say is left out)."""
        if not self.plan.risks:
            return
        total = self.canvas.width - 72
        widths = [total * 0.42, total * 0.18, total * 0.40]
        header = [Cell("Risk", bold=True, markdown=False), Cell("Owner", bold=True, markdown=False),
                  Cell("What we do about it", bold=True, markdown=False)]
        rows = [[Cell(("*Found in the plan:* " if r.derived else "") + r.risk, max_lines=12),
                 Cell(r.owner or "To be named", markdown=False, italic=not r.owner, max_lines=3),
                 Cell(r.mitigation or "To be agreed", max_lines=12, italic=not r.mitigation)]
                for r in self.plan.risks]
        self._paginated("What could slow us down", widths, header, rows, "risks", most=RISK_PAGES,
                        more="and {count} more risks found in the plan: the workbook and the document list every one")

    # -- 7. next steps and check-in -------------------------------------------------------------------------

    def next_steps(self) -> None:
        plan, canvas = self.plan, self.canvas
        slide, box = self.content("Next steps")
        upcoming = plan.next_steps()
        cadence_h = 74.0
        total = box.width
        widths = [34.0, total * 0.36, total * 0.15, total * 0.15, total * 0.13]
        widths.insert(4, total - sum(widths))
        header = [Cell("#", bold=True, markdown=False), Cell("Step", bold=True, markdown=False),
                  Cell(f"{plain(plan.buyer.company)}", bold=True, markdown=False, max_lines=2),
                  Cell(f"{plain(plan.seller.company)}", bold=True, markdown=False, max_lines=2),
                  Cell("When", bold=True, markdown=False), Cell("Status", bold=True, markdown=False)]
        rows = [[Cell(str(m.number), markdown=False, color=LATE if m.late else None),
                 Cell(m.name, max_lines=3, color=LATE if m.late else None),
                 Cell(m.owners.buyer.name, markdown=False, max_lines=3, italic=not m.owners.buyer.named),
                 Cell(m.owners.seller.name, markdown=False, max_lines=3, italic=not m.owners.seller.named),
                 Cell(self._when(m), markdown=False, max_lines=2),
                 Cell(m.status_label, markdown=False, bold=m.late, color=state_colour(m), max_lines=2)]
                for m in upcoming]
        room = box.height - cadence_h - 12
        if rows:
            shown = canvas.paginate(rows, widths, header, room - line_height(11) - 6)[0]
            if len(shown) == len(rows):
                shown = canvas.paginate(rows, widths, header, room)[0]
            table = canvas.table(slide, Box(box.left, box.top, sum(widths), room), widths, header,
                                 [rows[i] for i in shown])
            if len(shown) < len(rows):
                more = len(rows) - len(shown)
                below = box.top + table.height / 12700 + 6
                canvas.textbox(slide, Box(box.left, below, box.width, line_height(11)),
                               f"{more} more step{'s' if more > 1 else ''} planned in the next two weeks: see the "
                               "plan table.", size=11, color=MUTED, markdown=False, max_lines=1)
        else:
            canvas.textbox(slide, Box(box.left, box.top, box.width, room), self._nothing_soon(), size=16,
                           color=MUTED, max_lines=int(room // line_height(16)))
        card = Box(box.left, box.bottom - cadence_h, box.width, cadence_h)
        canvas.rect(slide, card, fill="F3F4F6")
        canvas.rect(slide, Box(card.left, card.top, 5, card.height), theme="accent2")
        if plan.check_in and plan.next_check_in:
            head = f"Weekly check-in: {plan.check_in.label}. Next: {human_date(plan.next_check_in)}"
        else:
            head = "Weekly check-in: let's agree a time that works for both teams"
        canvas.textbox(slide, Box(card.left + 18, card.top + 10, card.width - 36, 20), head, size=15, bold=True,
                       color=TEXT, markdown=False, max_lines=1)
        moved = ""
        if plan.check_in_moved and plan.next_check_in:
            moved = (f"Moved from {human_date(plan.check_in_moved[0])} ({plan.check_in_moved[1]}). ")
        body = (moved + "Thirty minutes: what moved, what slipped, and what that means for signature"
                + (" and go-live." if plan.go_live else "."))
        size, lines = fitted(body, card.width - 36, 30, (12, 11, 10), markdown=False)
        canvas.textbox(slide, Box(card.left + 18, card.top + 36, card.width - 36, 30), body, size=size, color=MUTED,
                       markdown=False, max_lines=max(lines, 2))
        self.notes(slide, "next_steps")

    def _when(self, m: Milestone) -> str:
        if m.is_event:
            return human_date(m.due) + (" (booked)" if m.pinned else "")
        first = "Started" if m.actual_start is not None and m.actual_start < self.plan.today else "Start"
        return f"{first} {human_date(m.start)}\nDue {human_date(m.due)}" + (" (booked)" if m.pinned else "")

    def _nothing_soon(self) -> str:
        """What the slide says when no open step is planned in the next two weeks."""
        plan = self.plan
        waiting = sorted((m for m in plan.milestones if m.is_open), key=lambda m: (m.start, m.number))
        if not waiting:
            return "Every step is done."
        first = waiting[0]
        text = (f"Nothing is planned in the next two weeks. The next step is {first.number}, "
                f"{first.name}, planned to start {human_date(first.start)}")
        if first.earliest_start < first.start:
            text += f"; it could start as early as {human_date(first.earliest_start)}"
        return text + "."

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
