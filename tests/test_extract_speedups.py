"""Extraction's shortcuts give what the plain rules give: the per-document scan of numbers, the
number objects built without their dataclass ``__init__``, and the label/quote clean-ups that skip
their regex when it cannot match."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import seed_path
from jixiao.audit.statements import analyse
from jixiao.ingest import document_from_text
from jixiao.ingest.extract import extract_document
from jixiao.ingest.extraction import context, spans
from jixiao.numbers import (
    Quantity,
    QuantityMatch,
    decimal_places,
    find_quantities,
    normalize_digits,
)

REPORT = (
    "2023年度示范县某某局部门整体支出绩效自评报告\n\n"
    "一、基本情况\n\n"
    "2023年度收入决算数为 1,250.50 万元，其中一般公共预算财政拨款收入 1200.5 万元，其他收入 50 万元。\n"
    "全年开展培训 12 场次，约 300 人次，执行率 98.2%，较上年增长 3.5%。\n"
)


def test_document_scans_each_block_once_and_again_when_it_changes():
    doc = document_from_text(REPORT, "fixture.txt")
    i = next(k for k, b in enumerate(doc.blocks) if "万元" in b.text)
    first = doc.quantities(i)
    assert first == find_quantities(doc.blocks[i].text)
    assert doc.quantities(i) is first  # the memo: extraction and the checks share one scan
    doc.blocks[i] = dataclasses.replace(doc.blocks[i], text="支出 7 万元")
    assert [q.text for q in doc.quantities(i)] == ["7 万元"]


def test_checks_reuse_the_scan_extraction_made(monkeypatch: pytest.MonkeyPatch):
    fresh = analyse(document_from_text(REPORT, "fixture.txt"))
    doc = document_from_text(REPORT, "fixture.txt")
    extract_document(doc)

    def no_rescan(text: str) -> list[QuantityMatch]:
        raise AssertionError(f"scanned again: {text!r}")

    # every prose run of this report is one block, which extraction has already scanned
    monkeypatch.setattr("jixiao.audit.statements.find_quantities", no_rescan)
    shared = analyse(doc)
    assert [(m.start, m.text, m.value, m.unit, m.label, m.key) for m in shared.mentions] == [
        (m.start, m.text, m.value, m.unit, m.label, m.key) for m in fresh.mentions
    ]
    assert any(m.key == "income_total" for m in shared.mentions)


def test_quantity_objects_are_the_dataclasses_they_claim_to_be():
    (qm,) = find_quantities("共 12.5万元")
    plain = QuantityMatch(qm.start, qm.end, qm.text, Quantity(Decimal("12.5"), "万元", "12.5万元", False))
    assert qm == plain and hash(qm) == hash(plain) and repr(qm) == repr(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        qm.quantity.unit = "元"  # type: ignore[misc]


def _places_plain(q: Quantity) -> int:
    import re

    if re.search(r"[0-9]", normalize_digits(q.text)):
        return decimal_places(q.text)
    return decimal_places(q.value)


@given(st.text(alphabet="0123456789.,  ０１２．。万元%％三点五一二百十", max_size=9))
def test_places_as_written(text):
    q = Quantity(Decimal("1.25"), "", text)
    assert q.places == _places_plain(q)


@given(st.text(alphabet="收入为是达到共计合总约了:：=＝ \n\t元", max_size=10))
def test_strip_trailing_skips_only_what_cannot_match(label):
    assert context.strip_trailing(label) == context._TRAIL_RE.sub("", label).strip()


@given(st.text(alphabet="ab中 \t\n", max_size=10))
def test_clean_quote(text):
    assert spans.clean_quote(text) == spans._BREAKS_RE.sub(" ", text).strip()


def test_seed_shares_its_scan_without_changing_the_checker(seeds_dir):
    """On a real report: the checker's statements are the same whether or not extraction ran first."""
    path = seed_path("004")
    text = path.read_text(encoding="utf-8")
    fresh = analyse(document_from_text(text, str(path)))
    doc = document_from_text(text, str(path))
    extract_document(doc)
    shared = analyse(doc)
    assert [(m.start, m.end, m.value, m.unit, m.label) for m in shared.mentions] == [
        (m.start, m.end, m.value, m.unit, m.label) for m in fresh.mentions
    ]
    assert len(shared.mentions) > 50


@given(st.text(alphabet="1.、（一）其中按类分2023年度本年全年的，: 收入", max_size=14))
def test_lead_words_stripped_as_by_repeated_sub(text):
    plain = text
    while (new := context._LEAD_RE.sub("", plain)) != plain:
        plain = new
    assert context._strip_lead(text) == plain
