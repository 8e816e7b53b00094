"""YAML/JSON loading: exact decimals, the line of every key, errors in Chinese that say where."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.errors import InputError
from jixiao.model import Dossier
from jixiao.yamlio import _DecimalLoader, load_data, load_model, parse_yaml

TEXT = """\
unit:
  name: 示例单位
figures:
  budget_total: 1280.00
  shares: [1, 2.50]
projects:
  - name: 项目甲
    budget: 12_000.5
"""


def test_floats_are_exact_decimals_and_every_key_has_its_line() -> None:
    data, lines = parse_yaml(TEXT, "d.yaml")
    assert data["figures"]["budget_total"] == Decimal("1280.00")
    assert str(data["figures"]["budget_total"]) == "1280.00"  # trailing zeros kept: money to the cent
    assert data["figures"]["shares"] == [1, Decimal("2.50")]
    assert data["projects"][0]["budget"] == Decimal("12000.5")
    # A key points at its own line, even when its value is a block that starts below it.
    assert lines[("unit",)] == 1 and lines[("unit", "name")] == 2
    assert lines[("figures", "shares", 1)] == 5
    assert lines[("projects", 0)] == 7 and lines[("projects", 0, "budget")] == 8


def test_the_text_is_composed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = _DecimalLoader.compose_document

    def counting(self):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self)

    monkeypatch.setattr(_DecimalLoader, "compose_document", counting)
    parse_yaml(TEXT, "d.yaml")
    assert len(calls) == 1


@pytest.mark.parametrize("literal", [".inf", "-.Inf", ".nan", "1:20.5"])
def test_floats_that_are_not_finite_decimals_are_input_errors(literal: str) -> None:
    with pytest.raises(InputError) as info:
        parse_yaml(f"unit: {{name: x}}\nrate: {literal}\n", "d.yaml")
    assert info.value.line == 2 and literal in str(info.value) and "d.yaml" in str(info.value)


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml("a: 1\nb: [1, 2\n", "d.yaml")
    assert "YAML 格式错误" in str(info.value) and info.value.line is not None


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "空.yaml"
    empty.write_bytes(b"")
    assert load_data(empty) == (None, {})
    with pytest.raises(InputError, match="键值映射"):
        load_model(Dossier, empty)
    with pytest.raises(InputError, match="文件不存在"):
        load_data(tmp_path / "没有.yaml")


def test_validation_errors_give_the_line_once_per_place(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("unit: {name: 示例}\nyear: 二〇二三\nkind: 部门整体\nfigures:\n  x: 约九成\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_model(Dossier, path)
    message = str(info.value)
    assert message.startswith("文件 ") and "d.yaml 第 2 行" in message
    # The first error's line heads the message; a second error names its own line.
    assert message.count("第 2 行") == 1 and "第 5 行 figures.x" in message


def test_json_numbers_are_decimals(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{"a": 1.50, "b": [2]}', encoding="utf-8")
    data, _ = load_data(path)
    assert data == {"a": Decimal("1.50"), "b": [2]} and str(data["a"]) == "1.50"
