"""Built-in plugin: the plan as a Word document, rendered by docxtpl from ``plan.docx``.

A segment template may ship its own ``plan.docx`` (restyled and reworded in Word, see
docs/word-template.md); otherwise the default next to this file is used. Rendering is
sandboxed (the template is someone else's), autoescaped (so ``&`` and ``<`` survive), and
starts from a fresh DocxTemplate every time (docxtpl keeps state in the object).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import io
from functools import lru_cache
from pathlib import Path

from mapgen.errors import Problem, RenderError
from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from mapgen.plan import Plan

ASSET = "plan.docx"
DEFAULT_TEMPLATE = Path(__file__).with_name(ASSET)


class DocxFormat(OutputFormat):
    name = "docx"
    suffix = ".docx"
    description = "A Word document to circulate internally, restyled through the template's plan.docx"
    assets = (ASSET,)

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        from mapgen.output import normalize_office_zip, set_core_properties

        from .variables import template_variables

        path = context.asset(ASSET) or DEFAULT_TEMPLATE
        template = _template(path)
        variables = template_variables(plan, template, context.include_internal)
        try:
            template.render(variables, jinja_env=_environment(), autoescape=True)
        except Exception as exc:  # a template mistake names the Word template
            message = getattr(exc, "message", None) or str(exc)
            raise RenderError([Problem(f"format docx: template error: {message}", str(path))]) from exc
        set_core_properties(template.docx.core_properties, plan)
        buffer = io.BytesIO()
        template.save(buffer)
        return normalize_office_zip(buffer.getvalue(), plan.today)

    def check_template(self, context: RenderContext) -> list[Problem]:
        path = context.asset(ASSET)
        if path is None:
            return []
        from .variables import VARIABLES

        try:
            template = _template(path)
            used = template.get_undeclared_template_variables(_environment())
        except Exception as exc:  # noqa: BLE001 - not a Word file, or broken Jinja in it
            message = getattr(exc, "message", None) or str(exc)
            return [Problem(f"format docx: cannot read the Word template: {message}", str(path))]
        return [Problem(f"format docx: the Word template uses '{name}', which the plan does not provide "
                        f"(available: {', '.join(sorted(VARIABLES))})", str(path))
                for name in sorted(set(used) - set(VARIABLES))]


def _template(path: Path):  # type: ignore[no-untyped-def]
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO(path.read_bytes()))  # fresh per render: docxtpl objects keep state


@lru_cache(maxsize=1)
def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(DocxFormat)
