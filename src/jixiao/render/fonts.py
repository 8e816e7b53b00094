"""CJK fonts: which installed font files the charts use, and which font names the documents declare.

Official documents (GB/T 9704) ask for 仿宋_GB2312, 黑体, 楷体_GB2312 and 方正小标宋简体. Those are not
free; on Linux the free Noto CJK faces stand in (Serif for the 宋/仿宋/标宋 roles, Sans for 黑体).
Documents name the faces by role, so a unit that has the official fonts can switch with
``JIXIAO_FONTS=gb``.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jixiao.errors import JixiaoError

INSTALL_HINT = "请安装中文字体，例如 Debian/Ubuntu：sudo apt-get install fonts-noto-cjk"


@dataclass(frozen=True)
class FontSet:
    """Font family names per typographic role of a GB/T 9704 document."""

    title: str  # 小标宋 role: the document title
    body: str  # 仿宋 role: body text
    heading1: str  # 黑体 role: 一、 headings
    heading2: str  # 楷体 role: （一） headings
    table: str  # 宋体 role: table cells
    latin: str  # digits and Latin letters

    @property
    def families(self) -> tuple[str, ...]:
        return (self.title, self.body, self.heading1, self.heading2, self.table)


FREE_FONTS = FontSet(
    title="Noto Serif CJK SC",
    body="Noto Serif CJK SC",
    heading1="Noto Sans CJK SC",
    heading2="Noto Serif CJK SC",
    table="Noto Serif CJK SC",
    # Noto CJK carries Latin and digits too; naming it keeps figures in the same face as the text
    # where Times New Roman is not installed (LibreOffice would substitute DejaVu).
    latin="Noto Serif CJK SC",
)

GB_FONTS = FontSet(
    title="方正小标宋简体",
    body="仿宋_GB2312",
    heading1="黑体",
    heading2="楷体_GB2312",
    table="宋体",
    latin="Times New Roman",
)


def document_fonts() -> FontSet:
    """The font set documents declare: free Noto faces unless ``JIXIAO_FONTS=gb``."""
    return GB_FONTS if os.environ.get("JIXIAO_FONTS", "").lower() == "gb" else FREE_FONTS


# Candidate families for drawing Chinese in charts, best first.
_CHART_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                   "Droid Sans Fallback", "AR PL UMing CN")


def _fc_match(family: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}", f"{family}:lang=zh-cn"],
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.splitlines()
    # fc-match always answers with *some* font; accept it only if it really is the family asked for.
    if len(lines) >= 2 and family.lower() in lines[0].lower():
        path = Path(lines[1])
        return path if path.is_file() else None
    return None


def _font_manager_match(family: str) -> Path | None:
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name.lower() == family.lower():
            return Path(entry.fname)
    return None


@functools.cache
def chart_font_path() -> Path:
    """The file of a CJK sans font for charts; a Chinese error naming the package if there is none."""
    for family in _CHART_FAMILIES:
        path = _fc_match(family) or _font_manager_match(family)
        if path is not None:
            return path
    raise JixiaoError(f"未找到可用于图表的中文字体（已查找：{'、'.join(_CHART_FAMILIES)}）。{INSTALL_HINT}")


@functools.cache
def chart_font_family() -> str:
    """Register the chart font with matplotlib and return the family name to use."""
    from matplotlib import font_manager

    path = chart_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
