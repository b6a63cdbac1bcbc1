"""The drawing surface: slides from the template's layouts (or a clean built-in design),
text with real formatting runs, and tables paginated by measured row heights.

Geometry is in points (floats) until it reaches python-pptx, which takes EMU.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from mapgen.markup import Span, clean, spans

from .measure import MIN_CELL_SIZE, Fitted, fit, line_height

EMU_PER_PT = 12700
SLIDE_W, SLIDE_H = 960.0, 540.0  # 13.333 x 7.5 in: 16:9
MARGIN = 36.0
FOOTER_H = 24.0
#: Content ends this far above the footer text: 10 pt clear of its rule, room for a renderer whose lines run taller.
FOOTER_GAP = 14.0
CELL_PAD_X, CELL_PAD_Y = 7.2, 3.6  # PowerPoint's default cell margins (0.1 in, 0.05 in)

# Semantic colours: the same in every brand, because they mean something.
LATE = "C81E1E"
DONE = "9CA3AF"
AT_RISK = "EAB308"  # amber bars; text in AT_RISK_TEXT, readable on white
AT_RISK_TEXT = "A16207"
BLOCKED = "7C3AED"
CLOSED = "DCE3EC"  # holidays and closed periods on the timeline
TEXT = "1F2937"
MUTED = "6B7280"
GRID = "E5E7EB"
LANE = "F3F4F6"
# The built-in theme (a branded deck.pptx brings its own): primary, key dates, fonts.
BUILTIN_THEME = {"dk2": "1E293B", "accent1": "1D4ED8", "accent2": "D97706", "accent3": "0F766E"}
BUILTIN_FONT = "Arial"


def emu(points: float) -> int:
    return int(round(points * EMU_PER_PT))


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class Cell:
    """One table cell: text with inline Markdown, how it is set, how many lines it may take."""

    text: str
    bold: bool = False
    italic: bool = False
    color: str | None = None
    size: float = 10.5
    max_lines: int = 4  # at most this many lines: longer text is set smaller, down to MIN_CELL_SIZE, then wraps on
    markdown: bool = True


class Canvas:
    """A presentation being built, from a branded ``deck.pptx`` or the built-in design."""

    def __init__(self, template: Path | None) -> None:
        from pptx import Presentation

        self.branded = template is not None
        if template is not None:
            self.prs = Presentation(io.BytesIO(template.read_bytes()))
            _remove_slides(self.prs)
        else:
            self.prs = Presentation()
            self.prs.slide_width, self.prs.slide_height = emu(SLIDE_W), emu(SLIDE_H)
            _builtin_theme(self.prs)
        self.width = self.prs.slide_width / EMU_PER_PT
        self.height = self.prs.slide_height / EMU_PER_PT
        self.title_layout = _layout(self.prs, ("Title Slide",), fallback=0)
        self.content_layout = _layout(self.prs, ("Title Only",), fallback=None)
        self.blank_layout = _layout(self.prs, ("Blank",), fallback=None)
        self.footer_text = ""
        #: The tallest a table row may grow (text shrinks below MIN_CELL_SIZE past it): half a slide.
        self.max_row_height = self.height / 2

    # -- slides ----------------------------------------------------------------------------------

    def title_slide(self, title: str, subtitle: str):  # type: ignore[no-untyped-def]
        if self.branded:
            slide = self.prs.slides.add_slide(self.title_layout)
            title_ph, sub_ph = _title_placeholders(slide)
            if title_ph is not None:
                self.set_text(title_ph.text_frame, runs_of(title), size=None, bold=None)
            if sub_ph is not None:
                self.set_text(sub_ph.text_frame, runs_of(subtitle), size=None, bold=None)
            _drop_empty_placeholders(slide)
            return slide
        slide = self.prs.slides.add_slide(self.blank_layout or self.prs.slide_layouts[6])
        band = Box(0, 0, self.width * 0.035, self.height)
        self.rect(slide, band, theme="accent1")
        self.textbox(slide, Box(MARGIN * 2, self.height * 0.30, self.width - MARGIN * 4, 130), title, size=40,
                     bold=True, color_theme="dk2", anchor="bottom")
        self.rect(slide, Box(MARGIN * 2, self.height * 0.30 + 142, 96, 4), theme="accent2")
        self.textbox(slide, Box(MARGIN * 2, self.height * 0.30 + 160, self.width - MARGIN * 4, 90), subtitle,
                     size=18, color=MUTED)
        return slide

    def content_slide(self, title: str, page: int):  # type: ignore[no-untyped-def]
        """A slide with a title; returns (slide, the box below the title for the content)."""
        if self.branded and self.content_layout is not None:
            slide = self.prs.slides.add_slide(self.content_layout)
            title_ph, _ = _title_placeholders(slide)
            top = MARGIN
            if title_ph is not None:
                self.set_text(title_ph.text_frame, runs_of(title), size=None, bold=None)
                top = (title_ph.top + title_ph.height) / EMU_PER_PT + 10
            _drop_empty_placeholders(slide)
        else:
            slide = self.prs.slides.add_slide(self.blank_layout or self.prs.slide_layouts[-1])
            self.rect(slide, Box(0, 0, self.width, 5), theme="accent1")
            self.textbox(slide, Box(MARGIN, 18, self.width - 2 * MARGIN, 40), title, size=26, bold=True,
                         color_theme="dk2", anchor="middle", max_lines=1)
            top = 70.0
        self._footer(slide, page)
        return slide, Box(MARGIN, top, self.width - 2 * MARGIN, self.height - FOOTER_H - FOOTER_GAP - top)

    def _footer(self, slide, page: int) -> None:  # type: ignore[no-untyped-def]
        y = self.height - FOOTER_H
        self.rect(slide, Box(MARGIN, y - 4, self.width - 2 * MARGIN, 0.75), fill=GRID)
        self.textbox(slide, Box(MARGIN, y, self.width - 2 * MARGIN - 40, 16), self.footer_text, size=9,
                     color=MUTED, markdown=False, max_lines=1)
        self.textbox(slide, Box(self.width - MARGIN - 40, y, 40, 16), str(page), size=9, color=MUTED,
                     align="right", markdown=False)

    def notes(self, slide, text: str) -> None:  # type: ignore[no-untyped-def]
        slide.notes_slide.notes_text_frame.text = clean(text)

    # -- shapes ----------------------------------------------------------------------------------

    def rect(self, slide, box: Box, fill: str | None = None, theme: str | None = None, line: str | None = None,  # type: ignore[no-untyped-def]
             shape: str = "RECTANGLE", brightness: float = 0.0, line_width: float = 0.75, dash: bool = False):
        from pptx.enum.dml import MSO_LINE_DASH_STYLE
        from pptx.enum.shapes import MSO_SHAPE

        item = _shapes(slide).add_shape(getattr(MSO_SHAPE, shape), emu(box.left), emu(box.top),
                                      max(1, emu(box.width)), max(1, emu(box.height)))
        if fill or theme:
            item.fill.solid()
            _set_color(item.fill.fore_color, fill, theme, brightness)
        else:
            item.fill.background()
        if line:
            item.line.width = emu(line_width)
            _set_color(item.line.color, line if len(line) == 6 and line.isalnum() and not line.startswith("accent")
                       else None, line if line.startswith(("accent", "dk", "lt")) else None, 0.0)
            if dash:
                item.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        else:
            item.line.fill.background()
        _drop_style(item)
        return item

    def line(self, slide, x1: float, y1: float, x2: float, y2: float, color: str | None = None,  # type: ignore[no-untyped-def]
             theme: str | None = None, width: float = 1.0, dash: bool = False, arrow: bool = False):
        """A straight line; ``arrow`` puts a small arrowhead at (x2, y2)."""
        from pptx.enum.dml import MSO_LINE_DASH_STYLE
        from pptx.enum.shapes import MSO_CONNECTOR
        from pptx.oxml.ns import qn

        item = _shapes(slide).add_connector(MSO_CONNECTOR.STRAIGHT, emu(x1), emu(y1), emu(x2), emu(y2))
        item.line.width = emu(width)
        _set_color(item.line.color, color, theme, 0.0)
        if dash:
            item.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        if arrow:
            ln = item.line._get_or_add_ln()
            tail = ln.makeelement(qn("a:tailEnd"), {"type": "triangle", "w": "sm", "len": "sm"})
            ln.append(tail)
        _drop_style(item)
        return item

    def textbox(self, slide, box: Box, text: str, size: float = 12, bold: bool = False, italic: bool = False,  # type: ignore[no-untyped-def]
                color: str | None = TEXT, color_theme: str | None = None, align: str = "left",
                anchor: str = "top", markdown: bool = True, max_lines: int | None = None):
        """A text box that holds the whole of its text: wrapped as measured, and set smaller when it
        needs more than ``max_lines`` lines (or, smaller, more lines than the box is tall)."""
        from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE

        item = _shapes(slide).add_textbox(emu(box.left), emu(box.top), emu(box.width), emu(box.height))
        frame = item.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE  # the box keeps its measured size in every application
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(frame, side, 0)
        frame.vertical_anchor = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}[anchor]
        if max_lines is None:
            max_lines = max(1, int(box.height // line_height(size)))
        runs = runs_of(text, markdown)
        fitted = fit("".join(r.text for r in runs), box.width, size, bold or any(r.bold for r in runs), max_lines,
                     height=box.height)
        self.set_text(frame, runs, fitted.size, bold, italic, color, color_theme, align)
        return item

    def set_text(self, frame, runs: tuple[Span, ...], size: float | None = 12, bold: bool | None = False,  # type: ignore[no-untyped-def]
                 italic: bool = False, color: str | None = None, color_theme: str | None = None,
                 align: str = "left") -> None:
        from pptx.enum.text import PP_ALIGN

        frame.clear()
        paragraph = frame.paragraphs[0]
        paragraph.alignment = {"left": PP_ALIGN.LEFT, "right": PP_ALIGN.RIGHT, "center": PP_ALIGN.CENTER}[align]
        for span in runs:
            add_run(paragraph, span, size, bold, italic, color, color_theme)

    # -- tables ------------------------------------------------------------------------------------

    def fit_cell(self, cell: Cell, width: float) -> Fitted:
        """The size a cell's text is set at and its lines: within ``max_lines`` down to MIN_CELL_SIZE, then
        more lines, and smaller again only past ``max_row_height``."""
        text, bold, inner = _plain(cell), cell.bold or _has_bold(cell), width - 2 * CELL_PAD_X
        fitted = fit(text, inner, cell.size, bold, cell.max_lines, smallest=min(cell.size, MIN_CELL_SIZE))
        if fitted.height > self.max_row_height:
            fitted = fit(text, inner, fitted.size, bold, 1, height=self.max_row_height)
        return fitted

    def row_height(self, row: Sequence[Cell], widths: Sequence[float]) -> float:
        height = line_height(10.5)
        for cell, width in zip(row, widths):
            height = max(height, self.fit_cell(cell, width).height)
        return height + 2 * CELL_PAD_Y + 2

    def paginate(self, rows: Sequence[Sequence[Cell]], widths: Sequence[float], header: Sequence[Cell],
                 height: float) -> list[list[int]]:
        """Split rows into pages whose measured heights fit ``height`` below the header row."""
        room = height - self.row_height(header, widths)
        pages: list[list[int]] = [[]]
        used = 0.0
        for index, row in enumerate(rows):
            h = self.row_height(row, widths)
            if pages[-1] and used + h > room:
                pages.append([])
                used = 0.0
            pages[-1].append(index)
            used += h
        return pages

    def table(self, slide, box: Box, widths: Sequence[float], header: Sequence[Cell],  # type: ignore[no-untyped-def]
              rows: Sequence[Sequence[Cell]]):
        """A table whose row heights are the measured ones (it never grows past ``box``)."""
        all_rows = [header, *rows]
        heights = [self.row_height(r, widths) for r in all_rows]
        shape = _shapes(slide).add_table(len(all_rows), len(widths), emu(box.left), emu(box.top), emu(sum(widths)),
                                       emu(sum(heights)))
        table = shape.table
        table.first_row = True
        table.horz_banding = True
        for column, width in zip(table.columns, widths):
            column.width = emu(width)
        for r, (row, height) in enumerate(zip(all_rows, heights)):
            table.rows[r].height = emu(height)
            for c, (content, width) in enumerate(zip(row, widths)):
                cell = table.cell(r, c)  # default margins, top anchor and wrapping: what row_height assumes
                self.set_text(cell.text_frame, runs_of(content.text, content.markdown),
                              self.fit_cell(content, width).size, content.bold, content.italic,
                              None if r == 0 else content.color)
        return shape

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def add_run(paragraph, span: Span, size: float | None, bold: bool | None, italic: bool,  # type: ignore[no-untyped-def]
            color: str | None, color_theme: str | None) -> None:
    parts = span.text.split("\n")
    for i, part in enumerate(parts):
        if i:
            paragraph.add_line_break()
        if not part:
            continue
        run = paragraph.add_run()
        run.text = part
        font = run.font
        if size is not None:
            font.size = emu(size)
        if bold or span.bold:
            font.bold = True
        if italic or span.italic:
            font.italic = True
        if span.code:
            font.name = "Courier New"
        if span.strike:
            run._r.get_or_add_rPr().set("strike", "sngStrike")
        if span.href:
            run.hyperlink.address = span.href
        elif color or color_theme:
            _set_color(font.color, color, color_theme, 0.0)


def _drop_style(shape) -> None:  # type: ignore[no-untyped-def]
    """Remove the theme's shape style (its shadow and outline): fill and line are set explicitly."""
    from pptx.oxml.ns import qn

    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)


def _set_color(target, rgb: str | None, theme: str | None, brightness: float) -> None:  # type: ignore[no-untyped-def]
    from pptx.dml.color import RGBColor
    from pptx.enum.dml import MSO_THEME_COLOR

    if theme:
        target.theme_color = {"accent1": MSO_THEME_COLOR.ACCENT_1, "accent2": MSO_THEME_COLOR.ACCENT_2,
                              "accent3": MSO_THEME_COLOR.ACCENT_3, "dk2": MSO_THEME_COLOR.TEXT_2,
                              "lt2": MSO_THEME_COLOR.BACKGROUND_2}[theme]
        if brightness:
            target.brightness = brightness
    elif rgb:
        target.rgb = RGBColor.from_string(rgb)


def _plain(cell: Cell) -> str:
    return "".join(s.text for s in runs_of(cell.text, cell.markdown))


def _has_bold(cell: Cell) -> bool:
    return cell.markdown and any(s.bold for s in spans(clean(cell.text)))


def runs_of(text: str, markdown: bool = True) -> tuple[Span, ...]:
    """Formatting runs for a text field (inline Markdown), or one plain run."""
    text = clean(text or "")
    return spans(text) if markdown else ((Span(text),) if text else ())


def _remove_slides(prs) -> None:  # type: ignore[no-untyped-def]
    """A branded deck.pptx may hold example slides: keep its masters and layouts only."""
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def _layout(prs, names: tuple[str, ...], fallback: int | None):  # type: ignore[no-untyped-def]
    for layout in prs.slide_layouts:
        if layout.name in names:
            return layout
    if fallback is not None:
        return prs.slide_layouts[fallback]
    titled = [l for l in prs.slide_layouts if any(p.placeholder_format.type in (1, 3) for p in l.placeholders)]
    return min(titled, key=lambda l: len(l.placeholders)) if titled else None


def _title_placeholders(slide):  # type: ignore[no-untyped-def]
    title = sub = None
    for ph in slide.placeholders:
        kind = int(ph.placeholder_format.type)
        if kind in (1, 3) and title is None:  # TITLE, CENTER_TITLE
            title = ph
        elif kind in (2, 4) and sub is None:  # BODY, SUBTITLE
            sub = ph
    return title, sub


def _shapes(slide):  # type: ignore[no-untyped-def]
    """The slide's shape tree with python-pptx's "turbo add" on: new shape ids are counted up from
    the maximum found once, instead of searching the whole slide on every new shape (quadratic).

    The ids are those the search would give, so the deck stays byte-identical: shapes are only
    removed from a slide (empty placeholders) before the first one is added.
    """
    shapes = slide.shapes
    if not shapes.turbo_add_enabled:
        shapes.turbo_add_enabled = True
    return shapes


def _drop_empty_placeholders(slide) -> None:  # type: ignore[no-untyped-def]
    for ph in list(slide.placeholders):
        if not ph.has_text_frame or not ph.text_frame.text:
            ph._element.getparent().remove(ph._element)


def _builtin_theme(prs) -> None:  # type: ignore[no-untyped-def]
    """Arial and mapgen's colours in the default theme, so shapes can use theme colours everywhere."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    theme = prs.slide_master.part.part_related_by(RT.THEME)
    xml = theme.blob.decode("utf-8")
    for slot, rgb in BUILTIN_THEME.items():
        xml = re.sub(rf"(<a:{slot}>)<a:\w+Clr [^>]*/>", rf'\g<1><a:srgbClr val="{rgb}"/>', xml, count=1)
    xml = xml.replace('<a:latin typeface="Calibri"/>', f'<a:latin typeface="{BUILTIN_FONT}"/>')
    theme._blob = xml.encode("utf-8")


