"""Running every check over a document: ``audit_document`` (pure) and ``audit_file`` (reads the file)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jixiao import ingest
from jixiao.audit import completeness, cross, duplication, growth, rates, scores, shares, sums, units
from jixiao.audit.base import SEVERITY_ORDER, AuditContext, Check
from jixiao.audit.markup import html_to_text, is_html, markdown_to_text
from jixiao.errors import JixiaoError, ReaderError
from jixiao.frameworks import Framework, load_framework
from jixiao.ingest import Document, document_from_text
from jixiao.ingest.extract import extract_document
from jixiao.ingest.extraction.model import Extraction
from jixiao.ingest.limits import DEFAULT_LIMITS
from jixiao.ingest.outline import Section, build_outline
from jixiao.ingest.readers._common import check_size
from jixiao.ingest.readers.txt import decode_text
from jixiao.model import AUDIT_SCHEMA, Dossier, Finding, Scorecard
from jixiao.render.md_report import render_markdown
from jixiao.render.narrative import build_report
from jixiao.scoring import score

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
    doc: Any,
    *,
    extraction: Any = None,
    framework: Any = None,
    scorecard: Any = None,
    checks: list[tuple[str, Check]] | None = None,
) -> AuditResult:
    notes = list(getattr(doc, "warnings", []) or [])
    if isinstance(framework, str):  # an id: score the extraction with it, so stated scores are checked
        if extraction is None:
            extraction = _extract(doc)
        framework, scorecard, more = _scorecard(extraction, framework)
        notes.extend(more)
    ctx = AuditContext(
        document=doc,
        extraction=extraction,
        framework=framework,
        scorecard=scorecard,
        outline=outline_of(doc, extraction),
    )
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
    nodes = getattr(extraction, "outline", None)
    if not nodes:
        return build_outline(doc)
    return [_section(doc, n) for n in nodes]


def _body_start(doc: Any, start: int, title: str) -> int:
    """Where the text after the title starts: after "标题：" when the body follows inline."""
    block = doc.block_at(start)
    rel = block.text.find(title, start - block.start)
    if rel >= 0:
        after = rel + len(title)
        if block.text[after : after + 1] in ("：", ":") and block.text[after + 1 :].strip():
            return block.start + after + 1
    return block.end


def _section(doc: Any, node: Any) -> Section:
    """An extraction outline node as an outline Section. A module function, not a closure: a recursive
    closure refers to itself, and that cycle kept each document (all its blocks, source maps and numbers)
    alive until the cyclic garbage collector ran."""
    return Section(
        title=node.title,
        number=node.number or "",
        level=node.level,
        start=node.start,
        end=node.end,
        block_index=doc.block_index_at(node.start),
        children=[_section(doc, c) for c in node.children],
        body_start=_body_start(doc, node.start, node.title),
    )


def read_document(path: str | Path) -> Document:
    """Read any supported report through the readers; Markdown and HTML as the text a reader sees."""
    p = Path(path)
    if not p.exists():
        raise ReaderError("文件不存在", file=str(p))
    if p.suffix.lower() in _MARKUP_SUFFIXES:
        return _read_markup(p)
    return ingest.read_document(p)


_MARKUP_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def _read_markup(p: Path) -> Document:
    """Markdown and HTML as the text their reader sees (see jixiao.audit.markup)."""
    check_size(p, DEFAULT_LIMITS)  # the same limits as every reader: no unbounded read of a hostile file
    decoded = decode_text(p.read_bytes())
    if decoded is None:
        raise ReaderError("无法识别文本编码；请另存为 UTF-8 后再试", file=str(p))
    text = decoded[0]
    text = html_to_text(text) if is_html(text) else markdown_to_text(text)
    return document_from_text(text, str(p))


def _extract(doc: Document) -> Extraction | None:
    """The extraction the checks lean on; a report it cannot make sense of is still checked without it."""
    try:
        return extract_document(doc)
    except JixiaoError:
        return None


def _scorecard(
    extraction: Extraction | None, framework_id: str | None
) -> tuple[Framework | None, Scorecard | None, list[str]]:
    """(framework, scorecard, notes) when a framework is named or the extraction identifies one."""
    fid = framework_id or (extraction.dossier.framework if extraction is not None else None)
    if not fid or extraction is None:
        if framework_id:
            return None, None, [f"未能抽取报告内容，无法按指标体系“{framework_id}”复算得分"]
        return None, None, []
    fw = load_framework(fid)
    return fw, score(extraction.dossier, fw), []


def audit_file(path: str | Path, *, framework: str | None = None) -> AuditResult:
    return audit_file_document(read_document(path), framework)


def audit_file_document(doc: Document, framework: str | None = None) -> AuditResult:
    """Every check on a report already read: extracted, and scored when a framework is named or found."""
    extraction = _extract(doc)
    fw, card, notes = _scorecard(extraction, framework)
    result = audit_document(doc, extraction=extraction, framework=fw, scorecard=card)
    result.warnings.extend(notes)
    return result


# On a report generated from a dossier only the arithmetic families speak about the unit's own figures;
# completeness, duplication and score checks would judge the generator's wording, not the unit's input.
DOSSIER_FAMILIES = frozenset({"sums", "shares", "rates", "growth", "units", "cross"})


def dossier_document(dossier: Dossier, scorecard: Scorecard, *, name: str = "档案") -> Document:
    """The dossier's figures written out as its report writes them: the first section (income, expense,
    budget execution) as plain text, tables as tab rows. The later sections restate the scorecard, which the
    renderer derives itself, so checking them would find nothing about what the unit entered."""
    report = build_report(dossier, scorecard)
    report.sections = report.sections[:1]
    return document_from_text(markdown_to_text(render_markdown(report)), name)


def audit_dossier(
    dossier: Dossier, framework: Framework, *, name: str = "档案", scorecard: Scorecard | None = None
) -> AuditResult:
    """Check a dossier's figures with the arithmetic families, on the text its report would have — so a sum
    or share that does not hold in the entered figures is found the same way as in a report. Stated scores
    against the rules are the scorecard's job (``jixiao score``)."""
    card = scorecard if scorecard is not None else score(dossier, framework)
    doc = dossier_document(dossier, card, name=name)
    checks = [(family, check) for family, check in CHECKS if family in DOSSIER_FAMILIES]
    return audit_document(doc, framework=framework, scorecard=card, checks=checks)
