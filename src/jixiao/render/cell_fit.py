"""How tall a worksheet row must be for its wrapped text: Excel stores fixed row heights and
LibreOffice prints wrapped text in a default-height row spilling over its neighbours."""

from __future__ import annotations

import math
import unicodedata

LINE_PT = 13.5  # one line of 10 pt text, in points


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK and full-width characters count double."""
    # Measured on LibreOffice/Excel output at 10 pt: a CJK glyph takes about 1.65 units, Latin about 1.
    return math.ceil(sum(1.65 if unicodedata.east_asian_width(c) in "WF" else 1.0 for c in text))


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` character units wide, wrapping and at line breaks."""
    usable = max(1.0, width - 1)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in text.split("\n"))


def row_height(lines: int) -> float:
    return lines * LINE_PT + 4
