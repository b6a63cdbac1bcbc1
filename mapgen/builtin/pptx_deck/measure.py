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


@dataclass(frozen=True)
class Fitted:
    """Text set to fit: the size it is set at and its lines at that size (all of the text, always)."""

    size: float
    lines: tuple[str, ...]

    @property
    def height(self) -> float:
        return len(self.lines) * line_height(self.size)


#: Text shrinks in steps of half a point; a table cell no smaller than this before its row grows instead.
SIZE_STEP = 0.5
MIN_CELL_SIZE = 6.5
#: Nothing is set smaller than this, however long the text: past it, a row or a box takes more lines.
MIN_TEXT_SIZE = 4.0


def wrap(text: str, width: float, size: float, bold: bool = False) -> Wrapped:
    """Break ``text`` into lines no wider than ``width`` points, the way a text frame wraps it.

    Words wider than a line are broken by character. Linear in the length of the text.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, size, bold))
    return Wrapped(tuple(lines))


def fit(text: str, width: float, size: float, bold: bool = False, max_lines: int = 1,
        height: float | None = None, smallest: float = MIN_TEXT_SIZE) -> Fitted:
    """The largest size, from ``size`` down in half points, at which the whole of ``text`` fits.

    It fits when it takes at most ``max_lines`` lines, or when its lines fit in ``height``
    points (more lines are allowed as the text gets smaller). Below ``smallest`` the text is
    never set: it takes the lines it needs at that size (a table row grows). Nothing is cut.
    """
    def attempt(current: float) -> tuple[bool, Fitted]:
        lines = wrap(text, width, current, bold).lines
        return len(lines) <= max(max_lines, int((height or 0) // line_height(current))), Fitted(current, lines)

    fits, fitted = attempt(size)
    sizes = [round(size - SIZE_STEP * k, 2) for k in range(1, int((size - smallest) / SIZE_STEP + 1e-9) + 1)]
    if fits or not sizes:
        return fitted
    fits, fitted = attempt(sizes[-1])
    if not fits:
        return fitted  # nothing fits: the smallest size, with the lines it needs
    low, high = 0, len(sizes) - 1  # sizes[high] fits: find the largest size that does
    while low < high:
        middle = (low + high) // 2
        fits, tried = attempt(sizes[middle])
        if fits:
            high, fitted = middle, tried
        else:
            low = middle + 1
    return fitted


def _wrap_paragraph(text: str, width: float, size: float, bold: bool) -> list[str]:
    scale = size * SAFETY
    space = _char_em(" ", bold) * scale
    lines: list[str] = []
    current, current_width = "", 0.0
    for word in text.split(" "):
        word_width = sum(_char_em(ch, bold) for ch in word) * scale
        if current and current_width + space + word_width <= width:
            current, current_width = f"{current} {word}", current_width + space + word_width
            continue
        if not current and word_width <= width:
            current, current_width = word, word_width
            continue
        if current:
            lines.append(current)
        current, current_width = "", 0.0
        if word_width > width:  # an overlong word: break it by character, in one pass
            for ch in word:
                ch_width = _char_em(ch, bold) * scale
                if current and current_width + ch_width > width:
                    lines.append(current)
                    current, current_width = "", 0.0
                current, current_width = current + ch, current_width + ch_width
        else:
            current, current_width = word, word_width
    lines.append(current)
    return lines


def lines_needed(text: str, width: float, size: float, bold: bool = False) -> int:
    return len(wrap(text, width, size, bold).lines)
