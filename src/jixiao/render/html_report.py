"""The 自评报告 as one self-contained HTML file: CSS inline, charts as data: URIs, printable on A4."""

from __future__ import annotations

import base64
from pathlib import Path

from markupsafe import Markup

from jixiao.model import Dossier, Finding, Scorecard
from jixiao.render.docx_report import chart_images
from jixiao.render.fonts import document_fonts
from jixiao.render.narrative import ReportDoc, build_report
from jixiao.render.templating import environment


def _css_family(primary: str, fallbacks: str) -> Markup:
    # Our own constants, placed inside <style>: autoescaping would turn the quotes into &#34;.
    return Markup(f'"{primary}", {fallbacks}')


def render_html(report: ReportDoc, charts: dict[str, bytes | None]) -> str:
    f = document_fonts()
    fonts = {
        "title_css": _css_family(f.title, '"Source Han Serif SC", "STZhongsong", "SimSun", serif'),
        "body_css": _css_family(f.body, '"FangSong", "STFangsong", "Source Han Serif SC", serif'),
        "heading1_css": _css_family(f.heading1, '"SimHei", "Source Han Sans SC", sans-serif'),
        "heading2_css": _css_family(f.heading2, '"KaiTi", "STKaiti", "Source Han Serif SC", serif'),
        "table_css": _css_family(f.table, '"SimSun", "Source Han Serif SC", serif'),
    }
    encoded = {kind: base64.b64encode(png).decode("ascii") for kind, png in charts.items() if png}
    return environment().get_template("report.html.j2").render(report=report, charts=encoded, fonts=fonts)


def write_html(dossier: Dossier, scorecard: Scorecard, out: Path, *,
               findings: list[Finding] | None = None) -> Path:
    report = build_report(dossier, scorecard, findings)
    out.write_text(render_html(report, chart_images(report, dossier, scorecard)), encoding="utf-8")
    return out
