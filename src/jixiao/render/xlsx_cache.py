"""Cached values for formula cells.

openpyxl writes ``<f>SUM(…)</f><v></v>``: a viewer that does not calculate (previewers, many web and
mobile viewers, pandas/openpyxl with ``data_only=True``) then shows an empty cell. After saving we
put the value we computed with Decimal into each formula cell's ``<v>`` element, so the file carries
both the live formula and the number it evaluates to.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from jixiao.render.formatting import trim

_CELL_RE = re.compile(r'<c r="(?P<ref>[A-Z]+[0-9]+)"(?P<attrs>[^>]*)><f>(?P<f>[^<]*)</f>(?:<v\s*/>|<v></v>|<v>[^<]*</v>)?</c>')


def cached_text(value: Decimal) -> str:
    # Excel keeps doubles: 15 significant digits is all it would store for these results.
    return trim(Decimal(format(value, ".15g")))


def add_cached_values(path: Path, sheet_xml: str, values: dict[str, Decimal]) -> int:
    """Write ``values`` (cell ref → number) into the formula cells of one sheet; returns how many."""
    done = 0

    def fill(match: re.Match[str]) -> str:
        nonlocal done
        value = values.get(match["ref"])
        if value is None:
            return match[0]
        done += 1
        attrs = re.sub(r'\s+t="[^"]*"', "", match["attrs"])
        return f'<c r="{match["ref"]}"{attrs}><f>{match["f"]}</f><v>{cached_text(value)}</v></c>'

    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / path.name
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == sheet_xml:
                    data = _CELL_RE.sub(fill, data.decode("utf-8")).encode("utf-8")
                dst.writestr(info, data)
        shutil.move(str(staged), path)
    return done
