"""Inline Markdown in text fields, parsed once by markdown-it-py for every format.

Renderers never see raw ``**``: they ask for :func:`spans` (formatted runs) or
:func:`plain` (the text a reader sees, for places that cannot hold formatting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
