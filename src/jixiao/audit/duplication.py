"""Duplication: passages or whole sections pasted twice.

Paragraphs are normalised (whitespace and punctuation dropped, so different line wrapping does not
hide a repeat) and cut into overlapping character shingles. A paragraph is a repeat when most of its
shingles were already seen earlier in the document; consecutive repeats form one repeated span,
reported once with both locations.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from jixiao.audit.base import AuditContext, finding
from jixiao.model import Finding

FAMILY = "duplication"
SHINGLE = 12
MIN_PARAGRAPH = 16  # normalised characters; shorter lines (headings, "无。") repeat innocently
MIN_SPAN = 120  # a repeated span shorter than this is at most info
_DROP = re.compile(r"[\s\u3000，。、；：,.;:！？!?“”\"'（）()《》【】\[\]—\-]+")


def normalise(text: str) -> str:
    return _DROP.sub("", text)


@dataclass
class _Para:
    block: int
    start: int
    end: int
    norm: str


def _shingles(s: str) -> set[str]:
    if len(s) <= SHINGLE:
        return {s}
    return {s[i : i + SHINGLE] for i in range(len(s) - SHINGLE + 1)}


PROBES = 5  # shingles tried, evenly spaced, before a paragraph's full shingle set is compared
PROBES_NEEDED = 3


def _probably_seen(norm: str, earlier: str) -> bool:
    """Could ``norm`` be a repeat of ``earlier`` text? A cheap pre-filter (C-level substring search).

    A paragraph with at least 80 % of its shingles seen before has at most a fifth of it unseen; probes a
    quarter apart land at most one per unseen stretch, so most probes are in the earlier text. When fewer
    than ``PROBES_NEEDED`` are, the full comparison is skipped (boilerplate phrases alone hit one or two).
    """
    k = len(norm) - SHINGLE + 1
    if k <= 1:
        return norm in earlier
    starts = {round(n * (k - 1) / (PROBES - 1)) for n in range(PROBES)}
    need = min(PROBES_NEEDED, len(starts))
    # each probe is a search of all the earlier text: stop once the answer is known either way
    hits = misses = 0
    allowed = len(starts) - need
    for j in starts:
        if norm[j : j + SHINGLE] in earlier:
            hits += 1
            if hits >= need:
                return True
        else:
            misses += 1
            if misses > allowed:
                return False
    return False


def find_repeats(
    paras: list[_Para], threshold: float = 0.8, gap: int = 2
) -> list[tuple[list[int], list[int]]]:
    """[(repeat paragraph indexes, source paragraph indexes)] for runs of repeated paragraphs.

    A run survives up to ``gap`` paragraphs that are not repeats (a heading renumbered in the copy, a
    paragraph split differently), so one pasted block is reported once. Shingles of earlier paragraphs
    are indexed only once some paragraph passes the pre-filter (most documents repeat nothing).
    """
    first_seen: dict[str, int] = {}
    indexed = 0  # paragraphs whose shingles are in first_seen
    earlier = ""  # the normalised paragraphs so far, for the pre-filter
    runs: list[tuple[list[int], list[int]]] = []
    cur: tuple[list[int], list[int]] | None = None
    misses = 0
    for i, p in enumerate(paras):
        repeated = False
        sources: list[int] = []
        if len(p.norm) >= MIN_PARAGRAPH and _probably_seen(p.norm, earlier):
            for j in range(indexed, i):
                # not `sh_j - first_seen.keys()`: that walks every key seen so far (quadratic)
                for h in _shingles(paras[j].norm):
                    if h not in first_seen:
                        first_seen[h] = j
            indexed = i
            sh = _shingles(p.norm)
            sources = [first_seen[h] for h in sh & first_seen.keys()]
            repeated = len(sources) >= threshold * len(sh)
        earlier += "\x00" + p.norm
        if repeated:
            src = Counter(sources).most_common(1)[0][0]
            if cur is None:
                cur = ([], [])
                runs.append(cur)
            cur[0].append(i)
            cur[1].append(src)
            misses = 0
        elif len(p.norm) >= MIN_PARAGRAPH and cur is not None:
            misses += 1
            if misses > gap:
                cur = None
    return runs


def check(ctx: AuditContext) -> Iterable[Finding]:
    doc = ctx.document
    paras = [
        _Para(bi, b.start, b.end, norm)
        for bi, b in enumerate(doc.blocks)
        if b.kind != "table" and (norm := normalise(b.text))
    ]
    for rep, src in find_repeats(paras):
        size = sum(len(paras[i].norm) for i in rep)
        if size < 40:
            continue
        a0, a1 = paras[min(src)], paras[max(src)]
        b0, b1 = paras[rep[0]], paras[rep[-1]]
        where_a = doc.locate(a0.start).describe()
        where_b = doc.locate(b0.start).describe()
        severity = "warning" if size >= MIN_SPAN else "info"
        yield finding(
            "DUPLICATE_PASSAGE",
            severity,
            FAMILY,
            f"内容重复：{where_b} 起的 {len(rep)} 段（约 {size} 字）与 {where_a} 起的内容重复。",
            [
                ctx.evidence(b0.start, min(b1.end, b0.start + 80)),
                ctx.evidence(a0.start, min(a1.end, a0.start + 80)),
            ],
            suggestion="删除重复的段落，或改写为各自不同的内容。",
            values={"paragraphs": str(len(rep)), "chars": str(size)},
        )
