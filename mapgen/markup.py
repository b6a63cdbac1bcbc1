"""Inline Markdown in text fields, parsed once by markdown-it-py for every format, and written back.

Renderers never see raw ``**``: they ask for :func:`spans` (formatted runs) or
:func:`plain` (the text a reader sees, for places that cannot hold formatting).
Markdown output (the md format, the slip report) is rebuilt from the spans by :func:`inline` and
:func:`cell`, and literal text is made safe by :func:`escape_markdown`: the one Markdown escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Span:
    """A run of text with one set of inline formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    href: str | None = None


def invalid_xml_chars(text: str) -> list[str]:
    """The characters of ``text`` that no XML 1.0 document can hold."""
    return _XML_INVALID.findall(text)


def clean(text: str) -> str:
    """Normalise line ends and drop characters XML 1.0 cannot hold."""
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@lru_cache(maxsize=1)
def _parser():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    # html off: "<b>" in a brief is text, never markup.
    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


# Text without these is the same before and after parsing: no emphasis, code, link, entity,
# escape, line break or surrounding space to interpret. Most names and notes are like that.
_MARKUP = re.compile(r"[*_`\[\]<>&\\~!\n\r]|^\s|\s$")


@lru_cache(maxsize=16384)
def spans(text: str) -> tuple[Span, ...]:
    """Parse inline Markdown into runs. Adjacent runs with equal formatting are merged."""
    if not text:
        return ()
    if not _MARKUP.search(text):
        return (Span(text),)
    tokens = _parser().parseInline(text)
    out: list[Span] = []
    bold = italic = strike = 0
    href: list[str] = []

    def emit(chunk: str, code: bool = False) -> None:
        if not chunk:
            return
        span = Span(chunk, bold > 0, italic > 0, code, strike > 0, href[-1] if href else None)
        if out and _same_format(out[-1], span):
            out[-1] = Span(out[-1].text + chunk, span.bold, span.italic, span.code, span.strike, span.href)
        else:
            out.append(span)

    for token in tokens:
        for child in token.children or ():
            kind = child.type
            if kind == "text":
                emit(child.content)
            elif kind in ("softbreak", "hardbreak"):
                emit("\n")
            elif kind == "code_inline":
                emit(child.content, code=True)
            elif kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif kind == "s_open":
                strike += 1
            elif kind == "s_close":
                strike -= 1
            elif kind == "link_open":
                href.append(str(child.attrs.get("href", "")))
            elif kind == "link_close":
                if href:
                    href.pop()
            elif kind == "image":
                emit(child.content)
            else:
                emit(child.content)
    return tuple(out)


def _same_format(a: Span, b: Span) -> bool:
    return (a.bold, a.italic, a.code, a.strike, a.href) == (b.bold, b.italic, b.code, b.strike, b.href)


def plain(text: str | None) -> str:
    """The text a reader sees, markup removed (links keep their text)."""
    if not text:
        return ""
    return "".join(s.text for s in spans(text))


# -- writing Markdown back ----------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~!|])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Literal text (a person's name, a status) made safe to embed in inline Markdown: nothing in it is markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _ENTITY.sub("&amp;", text))


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
        body = escape_markdown(span.text)
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
