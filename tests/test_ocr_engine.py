"""The OCR engine is built once per process, whatever the number of pages read."""

from __future__ import annotations

import sys
import types

import pytest

from jixiao.ingest.readers import image


def test_ocr_engine_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []

    class FakeRapidOCR:
        def __init__(self) -> None:
            built.append(self)

    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", types.SimpleNamespace(RapidOCR=FakeRapidOCR))
    monkeypatch.delitem(image.ocr_engine.__dict__, "engine", raising=False)
    first = image.ocr_engine("a.pdf")
    assert image.ocr_engine("b.pdf") is first
    assert len(built) == 1
    monkeypatch.delitem(image.ocr_engine.__dict__, "engine")
