"""The 自评报告 as Markdown (no charts: they live in the .docx and .html)."""

from __future__ import annotations

import re
from pathlib import Path

from jixiao.model import Dossier, Finding, Scorecard
from jixiao.render.narrative import ReportDoc, build_report
from jixiao.render.templating import environment


def render_markdown(report: ReportDoc) -> str:
    text = environment().get_template("report.md.j2").render(report=report)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def write_markdown(dossier: Dossier, scorecard: Scorecard, out: Path, *,
                   findings: list[Finding] | None = None) -> Path:
    out.write_text(render_markdown(build_report(dossier, scorecard, findings)), encoding="utf-8")
    return out
