"""Built-in plugin: the plan as a 16:9 PowerPoint deck a rep walks the buyer through.

Slides: title, outcome and key dates, a drawn timeline, the plan table (paginated by
measured row heights), people on both sides, risks, next steps and the weekly check-in,
sign-off; speaker notes on each. A template may ship ``deck.pptx`` (masters, layouts,
theme colours and fonts, logo): its "Title Slide" and "Title Only" layouts are used and
everything drawn uses its theme colours. See docs/deck-branding.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


from mapgen.errors import Problem, RenderError
from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan

ASSET = "deck.pptx"


class PptxFormat(OutputFormat):
    name = "pptx"
    suffix = ".pptx"
    description = "A 16:9 deck for the alignment call, with a drawn timeline and speaker notes"
    assets = (ASSET,)

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        from mapgen.officezip import normalize_office_zip, set_core_properties

        from .canvas import Canvas
        from .slides import DeckWriter

        template = context.asset(ASSET)
        canvas = Canvas(template)
        source = str(context.template_dirs[0] / "template.yaml") if context.template_dirs else plan.source
        DeckWriter(canvas, plan, context.audience, source, layout=deck_layout(context)).write()
        set_core_properties(canvas.prs.core_properties, plan)
        return normalize_office_zip(canvas.save(), plan.today)

    def check_template(self, context: RenderContext) -> list[Problem]:
        try:
            deck_layout(context)
        except RenderError as exc:
            return [Problem(p.message, _template_file(context)) for p in exc.problems]
        path = context.asset(ASSET)
        if path is None:
            return []
        try:
            from .canvas import Canvas

            canvas = Canvas(path)
        except Exception as exc:  # noqa: BLE001 - any reason python-pptx cannot open it
            return [Problem(f"format pptx: cannot open the deck template: {type(exc).__name__}: {exc}", str(path))]
        problems = []
        if canvas.content_layout is None:
            problems.append(Problem("format pptx: the deck template has no layout with a title "
                                    "(name one 'Title Only')", str(path)))
        if canvas.width / canvas.height < 1.7:
            problems.append(Problem("format pptx: the deck template is not 16:9; slides will be drawn to its size",
                                    str(path)))
        return problems


def _template_file(context: RenderContext) -> str | None:
    """The template.yaml whose ``formats:`` gave the options, for messages."""
    return str(context.template_dirs[0] / "template.yaml") if context.template_dirs else None


def deck_layout(context: RenderContext) -> str:
    """``formats.pptx.layout`` of the template: ``full`` (the default) or ``compact``."""
    from .slides import LAYOUTS

    layout = context.options.get("layout", "full")
    if layout not in LAYOUTS:
        raise RenderError([Problem(f"format pptx: layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")])
    return str(layout)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(PptxFormat)
