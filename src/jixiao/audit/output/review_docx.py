"""A draft 复核意见 (review opinion) as .docx: the reviewer edits it and sends it to the unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from jixiao.audit.output.text import SEVERITY_CN, where
from jixiao.audit.runner import AuditResult

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
_CN_NUM = "一二三四五六七八九十"


def _font(run, name: str, size: float | None = None, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _para(doc, text: str, *, font: str = SERIF, size: float = 12, bold: bool = False, center: bool = False):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), font, size, bold)
    return p


def write_review(results: list[AuditResult], out: str | Path, *, reviewer: str = "（复核单位）") -> Path:
    """One 复核意见 covering one or more documents; findings grouped by severity, each with evidence."""
    doc = new_docx()
    style = doc.styles["Normal"]
    style.font.name = SERIF
    style.element.rPr.rFonts.set(qn("w:eastAsia"), SERIF)
    _para(doc, "绩效自评复核意见（初稿）", font=SANS, size=18, bold=True, center=True)
    _para(doc, f"日期：{dt.date.today():%Y年%m月%d日}    复核单位：{reviewer}", size=11, center=True)
    for n, r in enumerate(results):
        s = r.summary
        head = _CN_NUM[n] if n < len(_CN_NUM) else str(n + 1)
        _para(doc, f"{head}、{Path(r.file).name}", font=SANS, size=14, bold=True)
        _para(
            doc,
            f"经对自评材料逐项复算核对，发现需更正的问题 {s.get('error', 0)} 项、需核实说明的问题 "
            f"{s.get('warning', 0)} 项、供参考的提示 {s.get('info', 0)} 项，具体如下：",
        )
        groups = [("error", "（一）需更正的问题"), ("warning", "（二）需核实说明的问题"), ("info", "（三）供参考的提示")]
        for sev, title in groups:
            items = [f for f in r.findings if f.severity == sev]
            if not items:
                continue
            _para(doc, title, font=SANS, size=12, bold=True)
            for i, f in enumerate(items, 1):
                _para(doc, f"{i}. {f.message}")
                for e in f.evidence:
                    _para(doc, f"原文（{where(e.location)}）：“{e.quote}”", size=10.5)
                if f.suggestion:
                    _para(doc, f"修改建议：{f.suggestion}", size=10.5)
        if not r.findings:
            _para(doc, "经复算核对，未发现数字不符或结构缺项问题。")
    _para(doc, "请对上述问题逐项核实，更正后重新报送自评报告及自评表；对确有口径差异的数据，请在报告中予以说明。")
    _para(doc, f"（本意见由 jixiao 核查生成，严重程度分为：{'、'.join(SEVERITY_CN.values())}，请复核人员审阅修改后发出。）",
          size=9)
    out = Path(out)
    doc.save(str(out))
    return out
