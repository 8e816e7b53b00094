"""The checker's shortcuts give what the plain rules give: label clean-up, the figure index, clause
boundaries, and the duplication pre-filter and shingle index."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from jixiao.audit import duplication, statements
from jixiao.audit.statements import analyse, clean_label
from jixiao.ingest import document_from_text

REPORT = (
    "2023年度示范县某某局部门整体支出绩效自评报告\n\n一、基本情况\n\n"
    "2023年度收入决算数为1250.5万元，其中一般公共预算财政拨款收入1200.5万元，其他收入50万元。"
    "本年度支出决算数为1100万元，其中基本支出900万元，项目支出200万元；2022年度支出决算数为1000万元。\n"
)


def _clean_label_plain(raw: str) -> str:
    s = re.sub(r"\s+", "", raw)
    if not s:
        return s
    if "20" in s:
        s = statements._YEAR_IN_LABEL.sub("", s)
    for _ in range(3):
        s2 = statements._FILLER_TAIL.sub("", statements._LEAD_NOISE.sub("", s))
        if s2 == s:
            break
        s = s2
    return s


@given(
    st.text(
        alphabet="其中和全年本度2023年收入支出为是达到共计合约逾近超过了实现有金额资金 \u3000\n（1）",
        max_size=14,
    )
)
def test_clean_label_matches_the_regexes(raw):
    assert clean_label(raw) == _clean_label_plain(raw)


def test_figures_index_matches_a_scan_of_every_mention():
    a = analyse(document_from_text(REPORT, "fixture.txt"))

    def plain(key: str, year: int | None = None) -> list[statements.Mention]:
        want = year if year is not None else a.report_year
        return [
            m for m in a.mentions if m.key == key and not m.budget and not m.delta and a.year_of(m) == want
        ]

    keys = {m.key for m in a.mentions if m.key}
    assert {"income_total", "expense_total", "expense_basic"} <= keys
    for key in keys:
        for year in (None, 2022):
            assert a.figures(key, year=year) == plain(key, year)
    a.mentions.append(a.mentions[0])  # a mention added later is indexed too
    assert a.figures(a.mentions[0].key or "") == plain(a.mentions[0].key or "")


@given(st.text(alphabet="ab，,；;：:、（()）。！？\n\t中", max_size=20))
def test_clause_bounds(text):
    s = statements.Sentence(0, 0, len(text), text, 0)
    assert s.clause_bounds() == [i for i, c in enumerate(text) if c in statements._CLAUSE_BOUNDARY]
    starts = statements._ClauseStarts(text, s.clause_bounds())
    assert starts.bounds == statements._ClauseStarts(text).bounds


@given(st.text(alphabet="abc", min_size=16, max_size=40), st.text(alphabet="abc\x00", max_size=80))
def test_probe_prefilter_stops_early_with_the_same_answer(norm, earlier):
    k = len(norm) - duplication.SHINGLE + 1
    starts = {round(n * (k - 1) / (duplication.PROBES - 1)) for n in range(duplication.PROBES)}
    plain = sum(norm[j : j + duplication.SHINGLE] in earlier for j in starts) >= min(
        duplication.PROBES_NEEDED, len(starts)
    )
    assert duplication._probably_seen(norm, earlier) == plain


def _find_repeats_plain(paras, threshold=0.8, gap=2):  # type: ignore[no-untyped-def]
    """Every paragraph's shingles indexed up front, no gating: [(repeats, [tied best sources of each])]."""
    first_seen: dict[str, int] = {}
    runs, cur, misses = [], None, 0
    earlier = ""
    for i, p in enumerate(paras):
        repeated, sources = False, []
        if len(p.norm) >= duplication.MIN_PARAGRAPH and duplication._probably_seen(p.norm, earlier):
            sh = duplication._shingles(p.norm)
            sources = [first_seen[h] for h in sh if h in first_seen]
            repeated = len(sources) >= threshold * len(sh)
        for h in duplication._shingles(p.norm):
            first_seen.setdefault(h, i)
        earlier += "\x00" + p.norm
        if repeated:
            counts = Counter(sources)
            best = {k for k, v in counts.items() if v == max(counts.values())}
            if cur is None:
                cur = ([], [])
                runs.append(cur)
            cur[0].append(i)
            cur[1].append(best)
            misses = 0
        elif len(p.norm) >= duplication.MIN_PARAGRAPH and cur is not None:
            misses += 1
            if misses > gap:
                cur = None
    return runs


@given(
    st.lists(
        st.sampled_from(
            [
                "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳",
                "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未",
                "天地玄黄宇宙洪荒日月盈昃辰宿列张",
                "短",
            ]
        ),
        max_size=10,
    )
)
def test_find_repeats_index_is_first_occurrence(texts):
    paras = [duplication._Para(i, 0, 0, t) for i, t in enumerate(texts)]
    got, plain = duplication.find_repeats(paras), _find_repeats_plain(paras)
    assert [rep for rep, _src in got] == [rep for rep, _best in plain]
    for (_rep, src), (_rep2, best) in zip(got, plain, strict=True):
        assert all(s in b for s, b in zip(src, best, strict=True))  # the paragraph it was first seen in


def test_sentence_mentions_are_in_text_order():
    """`cross.records` finds each segment's mentions by bisection over their starts."""
    a = analyse(
        document_from_text(REPORT + "培训12人；慰问30户，发放5万元；培训12人次，支出5.2万元。\n", "f.txt")
    )
    for s in a.sentences:
        starts = [m.start for m in s.mentions]
        assert starts == sorted(starts)
    assert sum(len(s.mentions) for s in a.sentences) == len(a.mentions) > 8


def test_audit_leaves_no_cyclic_garbage():
    """A document is freed as soon as its audit is done, not by a later run of the cycle collector (a
    recursive closure in the runner once held every document, its blocks and numbers, in a cycle)."""
    import gc

    from jixiao.audit.runner import audit_file_document

    doc = document_from_text(REPORT + "\n二、绩效目标\n\n完成培训 12 场次。\n", "fixture.txt")
    gc.collect()
    gc.disable()
    try:
        audit_file_document(doc)
        del doc
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0
