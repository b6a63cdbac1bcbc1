"""Built-in plugin: the plan as Markdown a buyer can read on GitHub.

Rendered from a Jinja template (``plan.md.j2``) that a segment template may override,
in a sandbox with StrictUndefined: templates are written by other people. Text fields
are re-serialised from their parsed spans, so ``|``, ``<`` or a newline in a brief can
never break a table or turn into HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.errors import Problem, RenderError
from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl
from mapgen.markup import Span, clean, spans

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan

TEMPLATE_NAME = "plan.md.j2"
DEFAULT_TEMPLATE = Path(__file__).with_name(TEMPLATE_NAME)
_ESCAPE = re.compile(r"([\\`*_\[\]<>|~!])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def _escape_text(text: str) -> str:
    text = _ENTITY.sub("&amp;", text)
    return _ESCAPE.sub(r"\\\1", text)


def _code(text: str) -> str:
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") or text.startswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _span(span: Span, in_table: bool = False) -> str:
    if span.code:
        body = _code(span.text)
        if in_table:  # GFM: a pipe ends a cell even inside code, unless escaped
            body = body.replace("|", "\\|")
    else:
        body = _escape_text(span.text)
    core = body.strip()
    if not core:
        return body
    lead = body[: len(body) - len(body.lstrip())]
    trail = body[len(body.rstrip()):]
    if span.bold and span.italic:
        core = f"***{core}***"
    elif span.bold:
        core = f"**{core}**"
    elif span.italic:
        core = f"*{core}*"
    if span.strike:
        core = f"~~{core}~~"
    if span.href is not None:
        href = span.href.replace(">", "%3E").replace("<", "%3C")
        core = f"[{core}](<{href}>)"
    return lead + core + trail


def inline(text: Any, in_table: bool = False) -> str:
    """Inline Markdown from a text field, rebuilt from its spans: formatting kept, markup-safe."""
    if text is None:
        return ""
    out = "".join(_span(s, in_table) for s in spans(clean(str(text))))
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)


def cell(text: Any) -> str:
    """Like ``inline``, for a table cell: pipes escaped, line breaks as <br>."""
    return inline(text, in_table=True).replace("\n", "<br>")


class MarkdownFormat(OutputFormat):
    name = "md"
    suffix = ".md"
    description = "A one-to-two-page plan to read on GitHub or paste into an email"
    assets = (TEMPLATE_NAME,)

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        path = context.asset(TEMPLATE_NAME) or DEFAULT_TEMPLATE
        source = path.read_text(encoding="utf-8")
        from mapgen.sandbox import budget

        try:
            with budget(steps=len(plan.milestones)):
                text = _compile(source).render(**template_context(plan, context))
        except Exception as exc:  # a template error names the template file and line
            from mapgen.sandbox import template_problem

            raise RenderError(template_problem(exc, path, "md")) from exc
        return (text.rstrip("\n") + "\n").encode("utf-8")

    def check_template(self, context: RenderContext) -> list[Problem]:
        from mapgen.sandbox import syntax_problems

        return syntax_problems(context.asset(TEMPLATE_NAME), _compile)


def template_context(plan: Plan, context: RenderContext) -> dict[str, Any]:
    """The variables ``plan.md.j2`` sees (documented in docs/templates.md)."""
    from mapgen.builtin.plan_context import plan_context

    return plan_context(plan, context) | {"changes": plan.changes, "changes_md": _changes_md(plan)}


def _changes_md(plan: Plan) -> str:
    """The "What changed since DATE" section (``--baseline``), or ""."""
    if plan.changes is None:
        return ""
    from mapgen.slip import markdown

    return markdown(plan.changes, level=2)


@lru_cache(maxsize=16)
def _compile(source: str):  # type: ignore[no-untyped-def]
    from mapgen.sandbox import environment

    env = environment(autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    from mapgen.plan import role_label
    from mapgen.wording import human_date

    env.filters.update(md=inline, cell=cell, date=human_date, role=role_label)
    return env.from_string(source)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(MarkdownFormat)
