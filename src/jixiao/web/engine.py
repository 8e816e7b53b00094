"""Adapters from the web app to the pure core: scoring, checking, rendering, extraction, frameworks.

A user error from the core (``JixiaoError``) becomes a Chinese note on the page; an unexpected failure on one
dossier is logged and noted too, so one bad dossier never takes a page down.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from jixiao import audit, render, scoring
from jixiao.audit.markup import markdown_to_text
from jixiao.errors import JixiaoError
from jixiao.frameworks import list_frameworks, load_framework, registry
from jixiao.frameworks.detect import (
    Detection,
    Evidence,
    detect_framework,
    evidence_from_document,
    evidence_from_dossier,
)
from jixiao.ingest import read_document
from jixiao.ingest.extract import extract_document
from jixiao.model import Dossier, Finding, Scorecard
from jixiao.render.md_report import render_markdown
from jixiao.render.narrative import build_report
from jixiao.store import Summary
from jixiao.template import is_template, read_template

log = logging.getLogger("jixiao.web")

# What a new dossier starts with when the user picks none (both ship with jixiao).
DEFAULT_FRAMEWORKS = {"部门整体": "guangzhou-district-overall", "项目支出": "mof-project-self"}
GENERATED_REPORT = "按填报内容生成的报告"

DOCUMENT_FORMATS: dict[str, tuple[str, str]] = {
    "xlsx": ("自评表", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("自评报告", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "md": ("自评报告", "text/markdown; charset=utf-8"),
    "html": ("自评报告", "text/html; charset=utf-8"),
    "pdf": ("自评报告", "application/pdf"),
}


@dataclass
class Evaluation:
    scorecard: Scorecard | None = None
    score_note: str | None = None
    findings: list[Finding] = field(default_factory=list)  # on the dossier as entered (live)
    audit_note: str | None = None
    source_findings: list[Finding] = field(default_factory=list)  # on the uploaded report it came from
    source_note: str | None = None
    execution_rate: Decimal | None = None
    framework: Any = None

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for finding in [*self.findings, *self.source_findings]:
            out[finding.severity] = out.get(finding.severity, 0) + 1
        return out

    def summary(self) -> Summary:
        counts = self.counts()
        total = self.scorecard.total if self.scorecard else None
        return Summary(
            score_total=str(total) if total is not None else None,
            grade=self.scorecard.grade if self.scorecard else None,
            execution_rate=str(self.execution_rate) if self.execution_rate is not None else None,
            errors=counts["error"],
            warnings=counts["warning"],
            infos=counts["info"],
        )


def execution_rate(dossier: Dossier) -> Decimal | None:
    """预算执行率 in percent: as stated, else executed_total ÷ budget_total, half-up to 2 places."""
    from jixiao.numbers import round_half_up

    stated = dossier.figures.get("execution_rate")
    if stated is not None:
        if stated.unit == "%":
            return stated.value
        if stated.unit == "":
            return round_half_up(stated.value * 100, 2)
    budget, executed = dossier.figures.get("budget_total"), dossier.figures.get("executed_total")
    if budget is None or executed is None or not budget.is_amount or not executed.is_amount:
        return None
    base = budget.to_yuan()
    if base == 0:
        return None
    return round_half_up(executed.to_yuan() / base * 100, 2)


# ------------------------------------------------------------------ frameworks


@dataclass(frozen=True)
class FrameworkChoice:
    id: str
    name: str
    origin: str  # 内置 / 上传
    kind: str = ""


class FrameworkCatalog:
    """Built-in frameworks from ``jixiao.frameworks`` plus admin uploads (materialised under DATA/frameworks)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # The registry re-reads every framework file to find ids on each call (tens of ms); both the list
        # and loaded frameworks are kept here per framework-files stamp, so an edited file is still seen.
        self._choices: tuple[str, list[FrameworkChoice]] | None = None
        self._loaded: dict[tuple[str, str, str], Any] = {}

    def path_for(self, framework_id: str) -> Path:
        return self.folder / f"{framework_id}.yaml"

    def materialise(self, framework_id: str, source: str) -> Path:
        path = self.path_for(framework_id)
        if not path.exists() or path.read_text(encoding="utf-8") != source:
            self.folder.mkdir(parents=True, exist_ok=True)
            # A name of its own: with --workers several processes may materialise the same framework at once.
            tmp = path.with_suffix(f".tmp{secrets.token_hex(4)}")
            tmp.write_text(source, encoding="utf-8")
            tmp.replace(path)
        return path

    def builtin(self) -> list[FrameworkChoice]:
        stamp = _framework_stamp()
        if self._choices is not None and self._choices[0] == stamp:
            return self._choices[1]
        choices = self._scan()
        self._choices = (stamp, choices)
        return choices

    def _scan(self) -> list[FrameworkChoice]:
        try:
            infos = list_frameworks()
        except Exception:
            log.exception("list_frameworks failed")
            return []
        return [FrameworkChoice(i.id, i.name, "内置" if i.builtin else "本机", i.kind) for i in infos]

    def load(self, framework_id: str | None, uploaded: dict[str, str]) -> Any:
        if not framework_id:
            raise JixiaoError("档案未选择指标体系，请在“基本信息”中选择")
        source = uploaded.get(framework_id)
        key = (
            framework_id,
            hashlib.sha256(source.encode()).hexdigest() if source else "",
            _framework_stamp(),
        )
        if key not in self._loaded:
            if len(self._loaded) > 64:
                self._loaded.clear()
            target = self.materialise(framework_id, source) if source is not None else framework_id
            self._loaded[key] = load_framework(target)
        return self._loaded[key]

    def available(self, uploaded: dict[str, str]) -> tuple[list[Any], list[str]]:
        """Every framework the site offers, loaded (built-in and local ones an upload does not shadow, then
        the uploads), and the ids of those that failed to load, which recognition leaves out."""
        ids = [c.id for c in self.builtin() if c.id not in uploaded] + list(uploaded)
        loaded, broken = [], []
        for framework_id in ids:
            try:
                loaded.append(self.load(framework_id, uploaded))
            except Exception:
                log.warning(
                    "framework %s does not load; left out of recognition", framework_id, exc_info=True
                )
                broken.append(framework_id)
        return loaded, broken

    def default_for(self, kind: str) -> str | None:
        """The framework a new dossier of this kind starts with: the national or the first of its kind."""
        preferred = DEFAULT_FRAMEWORKS.get(kind)
        choices = self.builtin()
        if preferred and any(c.id == preferred for c in choices):
            return preferred
        return next((c.id for c in choices if c.kind == kind), None)


def validate_framework_source(source: str, filename: str = "framework.yaml") -> tuple[str, str]:
    """Validate an uploaded framework with the real loader; returns (id, name) or raises a Chinese error."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(filename).name
        if path.suffix.lower() not in {".yaml", ".yml"}:
            path = path.with_suffix(".yaml")
        path.write_text(source, encoding="utf-8")
        framework = load_framework(path)
    return str(framework.id), str(framework.name)


# ------------------------------------------------------------------ scoring and checking


@dataclass(frozen=True)
class SourceFile:
    """The uploaded report a dossier was extracted from: stored blob, original name, content hash."""

    path: Path
    filename: str
    sha256: str


_CACHE: OrderedDict[str, Evaluation] = OrderedDict()
_CACHE_SIZE = 256


def evaluate(
    dossier: Dossier, catalog: FrameworkCatalog, uploaded: dict[str, str], source: SourceFile | None = None
) -> Evaluation:
    """Score the dossier and check it: the live checks run on the report generated from what the user
    entered (so fixing a figure clears its finding); an uploaded source report is checked as well.

    Results are memoised per process by the exact inputs (dossier JSON, framework text, source hash):
    evaluation is a pure function of them, so a hit is never stale and nothing is shared between processes.
    """
    fw_source = uploaded.get(dossier.framework or "", "")
    parts = [
        dossier.model_dump_json(by_alias=True),
        dossier.framework or "",
        fw_source,
        source.sha256 if source else "",
        _framework_stamp(),
    ]
    key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    result = _evaluate(dossier, catalog, uploaded, source)
    _CACHE[key] = result
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


_STAMP: tuple[float, str] = (float("-inf"), "")


def _framework_stamp() -> str:
    """Framework files may be added or edited while the app runs: their folders' and files' mtimes join the
    cache keys. Listing the folders on every call cost a few % of each request, so the stamp is reused
    for a second; an edited file is seen one second later at most."""
    global _STAMP
    now = time.monotonic()
    if now - _STAMP[0] < 1:
        return _STAMP[1]
    stamps = []
    for folder in [*registry.user_dirs(), registry.BUILTIN_DIR]:
        if folder.is_dir():
            stamps.append(str(folder.stat().st_mtime_ns))
            stamps.extend(str(p.stat().st_mtime_ns) for p in folder.glob("*.y*ml"))
    _STAMP = (now, ";".join(stamps))
    return _STAMP[1]


def _evaluate(
    dossier: Dossier, catalog: FrameworkCatalog, uploaded: dict[str, str], source: SourceFile | None
) -> Evaluation:
    result = Evaluation(execution_rate=_safe_rate(dossier))
    try:
        result.framework = catalog.load(dossier.framework, uploaded)
        result.scorecard = scoring.score(dossier, result.framework)
    except JixiaoError as exc:
        result.score_note = f"无法评分：{exc}"
    except Exception:
        log.exception("scoring failed")
        result.score_note = "评分时发生内部错误，已记录日志"
    result.findings, result.audit_note = _audit_dossier(dossier, result)
    if source is not None:
        result.source_findings, result.source_note = _audit_source(source, result)
    return result


def _safe_rate(dossier: Dossier) -> Decimal | None:
    try:
        return execution_rate(dossier)
    except (JixiaoError, ArithmeticError, ValueError):
        return None


# On the generated text only the arithmetic families speak about the user's figures; completeness,
# duplication and score checks would judge the renderer's own wording, so they are not run at all.
_FIGURE_CHECKS = [
    (family, check)
    for family, check in audit.CHECKS
    if family in {"sums", "shares", "rates", "growth", "units", "cross"}
]
# "管理效能分值 45 分，得 7.1 分" reads to the sums check as parts of 100 that do not cover it.
_GENERATED_TEXT_NOISE = frozenset({"SUM_PARTIAL"})


def figures_text(dossier: Dossier, scorecard: Scorecard) -> str:
    """The generated report's first section (部门基本情况: income, expense, budget execution), where the
    unit's own figures are written out, as plain text with the budget table as tab rows.

    The later sections restate the scorecard, which the renderer derives itself: checking them finds
    nothing about the user's input, so they are neither rendered nor checked."""
    report = build_report(dossier, scorecard)
    report.sections = report.sections[:1]
    return markdown_to_text(render_markdown(report))


def _audit_dossier(dossier: Dossier, evaluation: Evaluation) -> tuple[list[Finding], str | None]:
    if evaluation.scorecard is None:
        return [], "评分完成后才能核查"
    try:
        doc = audit.document_from_text(figures_text(dossier, evaluation.scorecard), GENERATED_REPORT)
        result = audit.audit_document(
            doc, framework=evaluation.framework, scorecard=evaluation.scorecard, checks=_FIGURE_CHECKS
        )
    except JixiaoError as exc:
        return [], f"无法核查：{exc}"
    except Exception:
        log.exception("audit of dossier failed")
        return [], "核查时发生内部错误，已记录日志"
    return [f for f in result.findings if f.code not in _GENERATED_TEXT_NOISE], None


_SOURCE_DOCS: dict[str, Any] = {}


def _source_document(source: SourceFile) -> Any:
    # Reading a PDF or Word file is the slow part; a stored file never changes under its content hash.
    if source.sha256 not in _SOURCE_DOCS:
        if len(_SOURCE_DOCS) > 64:
            _SOURCE_DOCS.clear()
        with tempfile.TemporaryDirectory() as tmp:
            # Readers pick the format by suffix and cite the file by name: give them the original name.
            named = Path(tmp) / source.filename
            named.write_bytes(source.path.read_bytes())
            _SOURCE_DOCS[source.sha256] = audit.read_document(named)
    return _SOURCE_DOCS[source.sha256]


def _audit_source(source: SourceFile, evaluation: Evaluation) -> tuple[list[Finding], str | None]:
    try:
        doc = _source_document(source)
        result = audit.audit_document(doc, framework=evaluation.framework, scorecard=evaluation.scorecard)
    except JixiaoError as exc:
        return [], f"无法核查原报告：{exc}"
    except Exception:
        log.exception("audit of source report failed")
        return [], "核查原报告时发生内部错误，已记录日志"
    return [_cite_by_name(f, source.filename) for f in result.findings], None


@dataclass(frozen=True)
class Marked:
    """A piece of the source text; ``findings`` are those whose evidence covers it (empty: plain text)."""

    text: str
    findings: tuple[Finding, ...] = ()

    @property
    def severity(self) -> str:
        order = {"error": 0, "warning": 1, "info": 2}
        return min((f.severity for f in self.findings), key=lambda s: order.get(s, 3), default="")


def source_with_findings(source: SourceFile, findings: list[Finding]) -> list[Marked]:
    """The uploaded report's text cut at every evidence span, so the page can show findings in place."""
    text: str = _source_document(source).text
    spans = [
        (e.location.start, e.location.end, f)
        for f in findings
        for e in f.evidence
        if e.location.start is not None
        and e.location.end is not None
        and 0 <= e.location.start < e.location.end <= len(text)
    ]
    cuts = sorted({0, len(text), *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
    pieces = []
    for a, b in pairwise(cuts):
        covering: dict[int, Finding] = {}
        for start, end, finding in spans:
            if start <= a and b <= end:
                covering.setdefault(id(finding), finding)
        pieces.append(Marked(text[a:b], tuple(covering.values())))
    return pieces


def _cite_by_name(finding: Finding, filename: str) -> Finding:
    """Evidence cites the uploaded file by its name, not by the temporary path it was read from."""
    for evidence in finding.evidence:
        if evidence.location.file:
            evidence.location.file = filename
    return finding


def cite_dossier_by_name(dossier: Dossier, filename: str) -> Dossier:
    """The same for an extracted dossier's provenance (figures, indicators, stated scores)."""
    data = dossier.model_dump(mode="json", by_alias=True, exclude_none=True)

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node and isinstance(node["file"], str) and ("quote" in node or "start" in node):
                node["file"] = filename
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(data)
    return Dossier.model_validate(data)


# ------------------------------------------------------------------ documents and extraction


def render_document(dossier: Dossier, evaluation: Evaluation, fmt: str, out_dir: Path) -> Path:
    if fmt not in DOCUMENT_FORMATS:
        raise JixiaoError(f"不支持的文书格式“{fmt}”")
    if evaluation.scorecard is None:
        raise JixiaoError(f"尚不能生成文书：{evaluation.score_note or '没有评分结果'}")
    out = out_dir / f"document.{fmt}"
    render.render(dossier, evaluation.scorecard, out, findings=evaluation.findings)
    return out


@dataclass(frozen=True)
class Extracted:
    """What an upload yields: the dossier, warnings to show, and what framework recognition reads."""

    dossier: Dossier
    warnings: list[str]
    evidence: Evidence | None  # None: it could not be prepared (recognition then falls back to the default)


def extract_upload(path: Path) -> Extracted:
    """A dossier from an uploaded report or filled template; the report is read once for both the extraction
    and the recognition evidence (its own unit name, before the account's replaces it)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"} and is_template(path):
        dossier = read_template(path)
        return Extracted(
            cite_dossier_by_name(dossier, path.name), [], _evidence(evidence_from_dossier, dossier)
        )
    document = read_document(path)
    extraction = extract_document(document)
    warnings = [str(w).replace(str(path), path.name) for w in getattr(extraction, "warnings", []) or []]
    evidence = _evidence(evidence_from_document, document, extraction.dossier)
    return Extracted(cite_dossier_by_name(extraction.dossier, path.name), warnings, evidence)


def extract_report(path: Path) -> tuple[Dossier, list[str]]:
    """A dossier from an uploaded report or filled template, with warnings to show the user."""
    extracted = extract_upload(path)
    return extracted.dossier, extracted.warnings


def _evidence(build: Any, *args: Any) -> Evidence | None:
    # Recognition is a convenience: a failure here must not cost the user the extraction.
    try:
        return build(*args)  # type: ignore[no-any-return]
    except Exception:
        log.exception("preparing framework recognition evidence failed")
        return None


def recognise(evidence: Evidence, frameworks: list[Any]) -> Detection:
    """Which of ``frameworks`` the report follows (``jixiao.frameworks.detect``)."""
    return detect_framework(evidence, frameworks)
