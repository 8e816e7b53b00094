"""Documents a unit hands in: 自评表 (.xlsx) and 自评报告 (.docx, .pdf, .html, .md).

``render`` picks the writer from the output file's extension. Writers are thin layouts over
:mod:`jixiao.render.narrative` (what the report says) and the scorecard.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from jixiao.errors import InputError
from jixiao.model import Dossier, Finding, Scorecard

if TYPE_CHECKING:
    from jixiao.frameworks.model import Framework

FORMATS = {
    ".xlsx": "自评表（Excel）",
    ".docx": "自评报告（Word）",
    ".pdf": "自评报告（PDF，需 LibreOffice）",
    ".html": "自评报告（网页，可打印）",
    ".md": "自评报告（Markdown）",
}


def supported_formats() -> str:
    return "、".join(f"{ext} {name}" for ext, name in FORMATS.items())


def render(
    dossier: Dossier,
    scorecard: Scorecard,
    out: Path,
    *,
    findings: list[Finding] | None = None,
    framework: Framework | None = None,
) -> Path:
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"不支持的输出格式“{out.suffix or '无扩展名'}”，支持：{supported_formats()}", file=str(out)
        )
    if not out.parent.exists():
        raise InputError("输出目录不存在", file=str(out.parent))
    if suffix == ".xlsx":
        from jixiao.render.xlsx_table import write_xlsx

        return write_xlsx(dossier, scorecard, out, framework=framework)
    if suffix == ".docx":
        from jixiao.render.docx_report import write_docx

        return write_docx(dossier, scorecard, out, findings=findings)
    if suffix == ".html":
        from jixiao.render.html_report import write_html

        return write_html(dossier, scorecard, out, findings=findings)
    if suffix == ".md":
        from jixiao.render.md_report import write_markdown

        return write_markdown(dossier, scorecard, out, findings=findings)
    from jixiao.render.docx_report import write_docx
    from jixiao.render.pdf import convert_to_pdf, find_soffice

    find_soffice()  # fail before doing the work when LibreOffice is missing
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        docx = write_docx(dossier, scorecard, Path(tmp) / f"{out.stem}.docx", findings=findings)
        return convert_to_pdf(docx, out)


__all__ = ["FORMATS", "render", "supported_formats"]
