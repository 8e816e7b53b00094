"""Plain-text listing of findings, most serious first, for the terminal and for e-mail."""

from __future__ import annotations

from jixiao.audit.runner import AuditResult
from jixiao.model import Finding, Provenance

SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}


def where(loc: Provenance) -> str:
    """Location without the file name; a plain-text file's "paragraph" is its line number."""
    is_text = (loc.file or "").lower().endswith((".txt", ".md"))
    parts: list[str] = []
    if loc.page is not None:
        parts.append(f"第{loc.page}页")
    if loc.sheet:
        parts.append(f"工作表“{loc.sheet}”" + (f" {loc.cell}" if loc.cell else ""))
    if loc.table is not None:
        parts.append(f"第{loc.table}个表格")
        if loc.row is not None:
            parts.append(f"第{loc.row}行")
    if loc.paragraph is not None:
        parts.append(f"（原文第{loc.paragraph}行）" if is_text and loc.table is not None
                     else f"第{loc.paragraph}{'行' if is_text else '段'}")
    return " ".join(parts) or "（位置未知）"


def finding_lines(f: Finding, index: int) -> list[str]:
    lines = [f"{index}. [{SEVERITY_CN[f.severity]}] {f.code}  {f.message}"]
    for e in f.evidence:
        lines.append(f"   原文（{where(e.location)}）：{e.quote}")
    if f.suggestion:
        lines.append(f"   建议：{f.suggestion}")
    return lines


def render_text(result: AuditResult) -> str:
    s = result.summary
    head = [
        f"核查：{result.file}",
        f"错误 {s.get('error', 0)} 项，警告 {s.get('warning', 0)} 项，提示 {s.get('info', 0)} 项",
    ]
    head.extend(f"注意：{w}" for w in result.warnings)
    if not result.findings:
        return "\n".join([*head, "", "未发现问题。"]) + "\n"
    body: list[str] = []
    for i, f in enumerate(result.findings, 1):
        body.append("")
        body.extend(finding_lines(f, i))
    return "\n".join(head + body) + "\n"
