"""Built-in plugin: the plan as Markdown a buyer can read on GitHub.

Rendered from a Jinja template (``plan.md.j2``) that a segment template may override,
in a sandbox with StrictUndefined: templates are written by other people. Text fields
are re-serialised from their parsed spans, so ``|``, ``<`` or a newline in a brief can
never break a table or turn into HTML.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.errors import Problem, RenderError
from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan

TEMPLATE_NAME = "plan.md.j2"
DEFAULT_TEMPLATE = Path(__file__).with_name(TEMPLATE_NAME)


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
    from mapgen.markup import cell, inline
    from mapgen.plan import role_label
    from mapgen.wording import human_date

    env.filters.update(md=inline, cell=cell, date=human_date, role=role_label)
    return env.from_string(source)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(MarkdownFormat)
