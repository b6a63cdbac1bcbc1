"""Measuring text, because PowerPoint files have no layout engine.

The deck is set in Arial; we measure with Liberation Sans (shipped here, metric-compatible
with Arial, so widths match PowerPoint, Keynote, Google Slides and LibreOffice). A character
the font lacks (emoji, CJK, Arabic) is drawn by a fallback font we cannot see, so it is
counted as a full em (emoji as 1.25 em): lines come out short rather than overflowing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).with_name("fonts")
FONT_FILES = {False: FONT_DIR / "LiberationSans-Regular.ttf", True: FONT_DIR / "LiberationSans-Bold.ttf"}
_UNITS = 1000  # measure at 1000 pt: widths in thousandths of an em
#: Line height as a multiple of the font size (PowerPoint's single spacing for Arial is ~1.15).
LINE_HEIGHT = 1.2
#: Extra room for fonts other than Arial (branded decks) and for renderer differences.
SAFETY = 1.06


@lru_cache(maxsize=2)
def _font(bold: bool):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_FILES[bold]), _UNITS)


@lru_cache(maxsize=2)
def _notdef(bold: bool) -> float:
    return _font(bold).getlength("\U0010fffd")


@lru_cache(maxsize=8192)
def _char_em(ch: str, bold: bool) -> float:
    if ch in "\n\t":
        return 0.0
    try:
        width = _font(bold).getlength(ch)
    except (RuntimeError, OSError, ValueError):  # raqm cannot lay out U+0085 or U+2029 alone
        return 1.0
    if width == _notdef(bold):  # not in the font: a fallback font draws it
        return 1.25 if ord(ch) >= 0x1F000 or 0x2600 <= ord(ch) <= 0x27BF else 1.0
    return width / _UNITS


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of ``text`` in points at ``size`` points."""
    return sum(_char_em(ch, bold) for ch in text) * size * SAFETY


def line_height(size: float) -> float:
    return size * LINE_HEIGHT


@dataclass(frozen=True)
class Wrapped:
    lines: tuple[str, ...]
    shortened: bool  # the text did not fit in max_lines and ends with an ellipsis


def wrap(text: str, width: float, size: float, bold: bool = False, max_lines: int | None = None) -> Wrapped:
    """Break ``text`` into lines no wider than ``width`` points, the way a text frame wraps it.

    Words wider than a line are broken by character. With ``max_lines`` the last line ends
    with an ellipsis when text remains: shortened on purpose, never clipped.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, size, bold))
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _with_ellipsis(kept[-1], width, size, bold)
        return Wrapped(tuple(kept), True)
    return Wrapped(tuple(lines), False)


def _wrap_paragraph(text: str, width: float, size: float, bold: bool) -> list[str]:
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _break_word(word, width, size, bold)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    lines.append(current)
    return lines


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """An overlong word cut by character into lines that fit, the last piece left for what follows.

    Linear in the word's length: each character is measured once (a 10,000-character word used
    to be re-measured after every cut, which made the deck quadratic).
    """
    pieces: list[str] = []
    start = 0
    while len(word) - start > 1:
        total = 0.0
        cut = None
        for i in range(start, len(word)):
            total += _char_em(word[i], bold) * size * SAFETY
            if total > width:
                cut = max(start + 1, i)
                break
        if cut is None:  # the rest fits
            break
        pieces.append(word[start:cut])
        start = cut
    pieces.append(word[start:])
    return pieces


def _with_ellipsis(line: str, width: float, size: float, bold: bool) -> str:
    line = line.rstrip()
    while line and text_width(line + "…", size, bold) > width:
        line = line[:-1].rstrip()
    return line + "…"


def lines_needed(text: str, width: float, size: float, bold: bool = False) -> int:
    return len(wrap(text, width, size, bold).lines)


def shorten(text: str, width: float, size: float, bold: bool = False, max_lines: int = 1) -> Wrapped:
    """``text`` cut to ``max_lines`` lines with an ellipsis, as one string."""
    return wrap(text, width, size, bold, max_lines)
