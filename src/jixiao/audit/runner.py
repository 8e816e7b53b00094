"""Running every check over a document: ``audit_document`` (pure) and ``audit_file`` (reads the file)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jixiao.audit import completeness, cross, duplication, growth, rates, scores, shares, sums, units
from jixiao.audit.base import SEVERITY_ORDER, AuditContext, Check
from jixiao.errors import JixiaoError, ReaderError
from jixiao.model import AUDIT_SCHEMA, Finding

CHECKS: list[tuple[str, Check]] = [
    ("sums", sums.check),
    ("shares", shares.check),
    ("rates", rates.check),
    ("growth", growth.check),
    ("units", units.check),
    ("cross", cross.check),
    ("duplication", duplication.check),
    ("completeness", completeness.check),
    ("scores", scores.check),
]


class AuditResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(AUDIT_SCHEMA, alias="schema")
    file: str
    findings: list[Finding] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)  # reader warnings and checks that could not run

    def count(self, severity: str) -> int:
        return self.summary.get(severity, 0)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def _merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (code, message); a repeated passage adds its location as further evidence."""
    out: dict[tuple[str, str], Finding] = {}
    for f in findings:
        key = (f.code, f.message)
        if key in out:
            out[key].evidence.extend(e for e in f.evidence if e not in out[key].evidence)
        else:
            out[key] = f
    return list(out.values())


def order(findings: list[Finding]) -> list[Finding]:
    """Most serious first, then in document order."""

    def pos(f: Finding) -> int:
        for e in f.evidence:
            if e.location.start is not None:
                return e.location.start
        return 0

    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], pos(f)))


def audit_document(
    doc: Any, *, extraction: Any = None, framework: Any = None, scorecard: Any = None,
    checks: list[tuple[str, Check]] | None = None,
) -> AuditResult:
    notes = list(getattr(doc, "warnings", []) or [])
    if isinstance(framework, str):  # an id: score the extraction with it, so stated scores are checked
        if extraction is None:
            extraction = _extract(doc)
        framework, scorecard, more = _scorecard(extraction, framework)
        notes.extend(more)
    ctx = AuditContext(document=doc, extraction=extraction, framework=framework, scorecard=scorecard,
                       outline=outline_of(doc, extraction))
    found: list[Finding] = []
    for family, check in checks or CHECKS:
        for f in check(ctx):
            f.family = f.family or family
            found.append(f)
    findings = order(_merge(found))
    summary = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    return AuditResult(file=str(doc.path), findings=findings, summary=summary, warnings=notes)


def outline_of(doc: Any, extraction: Any = None) -> list[Any]:
    """The document's section tree: the extraction's when it ran (it builds one anyway), else built here."""
    from jixiao.ingest.outline import Section, build_outline

    nodes = getattr(extraction, "outline", None)
    if not nodes:
        return build_outline(doc)

    def body_start(start: int, title: str) -> int:
        """Where the text after the title starts: after "标题：" when the body follows inline."""
        block = doc.block_at(start)
        rel = block.text.find(title, start - block.start)
        if rel >= 0:
            after = rel + len(title)
            if block.text[after : after + 1] in ("：", ":") and block.text[after + 1 :].strip():
                return block.start + after + 1
        return block.end

    def convert(node: Any) -> Section:
        return Section(
            title=node.title, number=node.number or "", level=node.level, start=node.start, end=node.end,
            block_index=doc.block_index_at(node.start), children=[convert(c) for c in node.children],
            body_start=body_start(node.start, node.title),
        )

    return [convert(n) for n in nodes]


def read_document(path: str | Path) -> Any:
    """Read any supported report through the team's readers."""
    p = Path(path)
    if not p.exists():
        raise ReaderError("文件不存在", file=str(p))
    if p.suffix.lower() in _MARKUP_SUFFIXES:
        return _read_markup(p)
    try:
        from jixiao.ingest import read_document as reader  # type: ignore[attr-defined]
    except ImportError:
        reader = None
    if reader is not None:
        return reader(p)
    from jixiao.ingest.readers.txt import read_txt

    if p.suffix.lower() in (".txt", ".md", ""):
        return read_txt(p)
    suffix = p.suffix.lower()
    if suffix == ".docx":
        from jixiao.ingest.readers.docx import read_docx

        return read_docx(p)
    if suffix == ".pdf":
        from jixiao.ingest.readers.pdf import read_pdf

        return read_pdf(p)
    if suffix in (".xlsx", ".xlsm"):
        from jixiao.ingest.readers.xlsx import read_xlsx

        return read_xlsx(p)
    if suffix == ".xls":
        from jixiao.ingest.readers.xlsx import read_xls

        return read_xls(p)
    raise ReaderError(f"不支持的文件类型“{p.suffix}”", file=str(p))


_MARKUP_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def _read_markup(p: Path) -> Any:
    """Markdown and HTML as the text their reader sees (see jixiao.audit.markup)."""
    from jixiao.audit.markup import html_to_text, is_html, markdown_to_text
    from jixiao.ingest.limits import DEFAULT_LIMITS
    from jixiao.ingest.readers._common import check_size
    from jixiao.ingest.readers.txt import decode_text

    check_size(p, DEFAULT_LIMITS)  # the same limits as every reader: no unbounded read of a hostile file
    decoded = decode_text(p.read_bytes())
    if decoded is None:
        raise ReaderError("无法识别文本编码；请另存为 UTF-8 后再试", file=str(p))
    text = decoded[0]
    text = html_to_text(text) if is_html(text) else markdown_to_text(text)
    return document_from_text(text, str(p))


def document_from_text(text: str, path: str = "<text>") -> Any:
    try:
        from jixiao.ingest import document_from_text as make  # type: ignore[attr-defined]

        return make(text, path)
    except ImportError:
        from jixiao.ingest.readers.txt import text_to_document

        return text_to_document(text, path)


def _extract(doc: Any) -> Any:
    try:
        from jixiao.ingest.extract import extract_document  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        return extract_document(doc)
    except JixiaoError:
        return None


def _scorecard(extraction: Any, framework_id: str | None) -> tuple[Any, Any, list[str]]:
    """(framework, scorecard, notes) when a framework is named or the extraction identifies one."""
    fid = framework_id or getattr(getattr(extraction, "dossier", None), "framework", None)
    if not fid or extraction is None:
        if framework_id:
            return None, None, [f"未能抽取报告内容，无法按指标体系“{framework_id}”复算得分"]
        return None, None, []
    try:
        from jixiao.frameworks import load_framework  # type: ignore[attr-defined]
        from jixiao.scoring import score  # type: ignore[import-not-found]
    except ImportError:
        return None, None, ["评分引擎尚不可用，未按指标体系复算得分"]
    fw = load_framework(fid)
    return fw, score(extraction.dossier, fw), []


def audit_file(path: str | Path, *, framework: str | None = None) -> AuditResult:
    doc = read_document(path)
    extraction = _extract(doc)
    fw, card, notes = _scorecard(extraction, framework)
    result = audit_document(doc, extraction=extraction, framework=fw, scorecard=card)
    result.warnings.extend(notes)
    return result
