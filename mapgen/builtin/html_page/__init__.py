"""Built-in plugin: the plan as one self-contained web page to share (docs/html.md).

Rendered from a Jinja template (``plan.html.j2``, overridable by a template folder) in the
sandboxed environment with autoescape on: every text of the brief is escaped, and inline
Markdown is rebuilt from its parsed spans into a few safe tags. The page makes no request:
the style, the optional script and the logo are inline, and a Content-Security-Policy meta
tag allows exactly them (by hash) and nothing else.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.errors import Problem, RenderError
from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl

if TYPE_CHECKING:  # only annotations: `mapgen --help` loads plugins without the plan model
    from markupsafe import Markup

    from mapgen.plan import Plan

TEMPLATE_NAME = "plan.html.j2"
DEFAULT_TEMPLATE = Path(__file__).with_name(TEMPLATE_NAME)
DEFAULT_ACCENT = "#1D4ED8"
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                ".webp": "image/webp", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 512 * 1024

#: Colours of the states (text on white, each at least 4.5:1).
STATE_COLOURS = {"done": "#4B5563", "late": "#B91C1C", "at_risk": "#B45309", "blocked": "#6D28D9"}


def html_inline(text: Any) -> Markup:
    """Inline Markdown as safe HTML: bold, italic, code, strike and http(s)/mailto links; the rest is text."""
    from markupsafe import Markup, escape

    from mapgen.markup import clean, spans

    if text is None:
        return Markup("")
    out = []
    for span in spans(clean(str(text))):
        body = str(escape(span.text)).replace("\n", "<br>")
        if span.code:
            body = f"<code>{body}</code>"
        if span.bold:
            body = f"<strong>{body}</strong>"
        if span.italic:
            body = f"<em>{body}</em>"
        if span.strike:
            body = f"<s>{body}</s>"
        if span.href is not None and span.href.lower().startswith(_SAFE_SCHEMES):
            body = f'<a href="{escape(span.href)}" rel="noopener noreferrer">{body}</a>'
        out.append(body)
    return Markup("".join(out))


def _luminance(hex6: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex6[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a.lstrip("#")), _luminance(b.lstrip("#"))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accent_colours(value: Any) -> dict[str, str]:
    """The brand colour and the text colours that keep AA contrast with it and on white."""
    match = _HEX.match(str(value or DEFAULT_ACCENT).strip())
    if not match:
        raise RenderError([Problem(f"format html: accent must be a colour like #1D4ED8, not {value!r}")])
    accent = "#" + match.group(1).upper()
    return {
        "accent": accent,
        "accent_text": accent if contrast(accent, "#FFFFFF") >= 4.5 else "#1E293B",
        "on_accent": "#FFFFFF" if contrast(accent, "#FFFFFF") >= 4.5 else "#111827",
    }


def logo_data_uri(context: RenderContext) -> str | None:
    import base64

    name = context.options.get("logo")
    if not name:
        return None
    name = str(name)
    path = context.asset(name) if "/" not in name and "\\" not in name and name not in (".", "..") else None
    if path is None:
        raise RenderError([Problem(f"format html: logo {name!r} is not a file in the template folder")])
    kind = _IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise RenderError([Problem(f"format html: logo must be one of {', '.join(sorted(_IMAGE_TYPES))}", str(path))])
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        raise RenderError([Problem(f"format html: logo is larger than {MAX_LOGO_BYTES // 1024} KB", str(path))])
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _hash(text: str) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def csp(style: str, script: str | None, extra: str = "") -> str:
    policy = ["default-src 'none'", f"style-src {_hash(style)}", "img-src data:",
              f"script-src {_hash(script)}" if script else "script-src 'none'",
              "base-uri 'none'", "form-action 'none'"]
    if extra:
        policy.append(extra)
    return "; ".join(policy)


class HtmlFormat(OutputFormat):
    name = "html"
    suffix = ".html"
    description = "One self-contained web page to share: reads on a phone, prints on one or two pages"
    assets = (TEMPLATE_NAME,)
    default = False  # written when asked for: mapgen generate -f html

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        return render_page(plan, context).encode("utf-8")

    def check_template(self, context: RenderContext) -> list[Problem]:
        from mapgen.sandbox import syntax_problems

        return syntax_problems(context.asset(TEMPLATE_NAME), _compile)


def render_page(plan: Plan, context: RenderContext, *, script: bool = True, extra_script: str = "",
                extra_csp: str = "") -> str:
    """The page as text. ``extra_script``/``extra_csp``: what ``mapgen preview`` adds to reload it."""
    from markupsafe import Markup

    from mapgen.builtin.html_page.page import SCRIPT, stylesheet

    path = context.asset(TEMPLATE_NAME) or DEFAULT_TEMPLATE
    source = path.read_text(encoding="utf-8")
    colours = accent_colours(context.options.get("accent"))
    style = stylesheet(colours)
    use_script = script and bool(context.options.get("script", True))
    code = (SCRIPT if use_script else "") + extra_script
    from mapgen.sandbox import budget

    try:
        with budget(steps=len(plan.milestones)):
            text = _compile(source).render(**template_context(plan, context), style=Markup(style),
                                           script=Markup(code) if code else None,
                                           csp=csp(style, code or None, extra_csp),
                                           logo=logo_data_uri(context), colours=colours)
    except RenderError:
        raise
    except Exception as exc:  # a template error names the template file and line
        from mapgen.sandbox import template_problem

        raise RenderError(template_problem(exc, path, "html")) from exc
    return text.rstrip("\n") + "\n"


def template_context(plan: Plan, context: RenderContext) -> dict[str, Any]:
    """The variables ``plan.html.j2`` sees (documented in docs/html.md): the Markdown template's, and the
    drawn timeline."""
    from markupsafe import Markup

    from mapgen.builtin.html_page.page import closed_days, timeline_svg
    from mapgen.builtin.plan_context import plan_context

    colours = accent_colours(context.options.get("accent"))
    return plan_context(plan, context) | {
        "timeline": Markup(timeline_svg(plan, colours["accent"])),
        "closed_days": closed_days(plan),
        "changes": Markup(_changes_html(plan)),
    }


def _changes_html(plan: Plan) -> str:
    """What changed since the baseline (``generate --baseline``), as the Markdown plan says it: rendered by
    markdown-it with raw HTML off, so names stay text. Empty without a baseline."""
    changes = getattr(plan, "changes", None)
    if changes is None:
        return ""
    from markdown_it import MarkdownIt

    from mapgen.slip import markdown

    html = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).render(markdown(changes))
    return html.replace("<table>", '<div class="tablebox"><table class="changes">').replace("</table>", "</table></div>")


@lru_cache(maxsize=16)
def _compile(source: str):  # type: ignore[no-untyped-def]
    from mapgen.markup import plain

    from mapgen.plan import role_label
    from mapgen.sandbox import environment
    from mapgen.wording import human_date

    env = environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(md=html_inline, plain=lambda t: plain("" if t is None else str(t)), date=human_date,
                       role=role_label, iso=lambda d: d.isoformat())
    return env.from_string(source)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(HtmlFormat)
