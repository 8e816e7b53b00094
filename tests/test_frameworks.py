"""Framework files: schema, typed parse, errors with file and line, inheritance, user folders."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.errors import FrameworkError
from jixiao.figure_keys import FIGURE_KEYS
from jixiao.frameworks import list_frameworks, load_framework
from jixiao.frameworks.model import ref_keys
from jixiao.frameworks.schema import SCHEMA_PATH, generate_schema

BUILTIN = ["guangzhou-district-overall", "guangzhou-baiyun-overall", "mof-project-self", "hunan-overall"]

SMALL = """\
schema: jixiao.framework/1
id: small
name: 小指标体系
kind: 部门整体
items:
  - id: money
    name: 资金管理
    weight: 60
    children:
      - id: exec
        name: 预算执行率
        weight: 40
        rule: {kind: ratio, value: execution_rate}
      - id: rules
        name: 制度
        weight: 20
        rule:
          kind: checklist
          criteria:
            - {fact: 有制度, points: 20}
  - id: work
    name: 履职
    weight: 40
    rule: {kind: targets}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No stray ./frameworks or ~/.config frameworks from the machine running the tests."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIXIAO_FRAMEWORKS_DIR", raising=False)
    return tmp_path


def error_of(path: Path) -> FrameworkError:
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    return info.value


# ---------------------------------------------------------------- built-ins


@pytest.mark.parametrize("fid", BUILTIN)
def test_builtin_frameworks_load_and_sum_to_100(fid: str) -> None:
    framework = load_framework(fid)
    assert framework.id == fid
    assert framework.max_total == Decimal(100)
    for item in framework.walk():
        if item.children:
            assert sum(c.weight for c in item.children) == item.weight


def test_builtins_are_listed() -> None:
    ids = {info.id for info in list_frameworks()}
    assert set(BUILTIN) <= ids


def test_guangzhou_tree_has_the_printed_weights() -> None:
    fw = load_framework("guangzhou-district-overall")
    top = {i.name: i.weight for i in fw.items}
    assert top == {"管理效能": 45, "履职效能": 50, "加减分项": 5}
    second = {c.name: c.weight for c in fw.find("management").children}  # type: ignore[union-attr]
    assert second == {
        "绩效管理": 15,
        "资金管理": 16,
        "采购管理": 2,
        "信息公开管理": 4,
        "资产管理": 4,
        "成本管理": 4,
    }
    assert len([i for i in fw.walk() if not i.children]) == 22
    assert fw.bonus_cap == 5
    assert fw.find("预算完成率").note  # type: ignore[union-attr]
    assert fw.grade_for(Decimal("89.99")) == "良" and fw.grade_for(Decimal(90)) == "优"


def test_baiyun_overrides_only_what_differs() -> None:
    city, district = load_framework("guangzhou-district-overall"), load_framework("guangzhou-baiyun-overall")
    assert district.parent == "guangzhou-district-overall"
    changed = {
        a.id
        for a, b in zip(city.walk(), district.walk(), strict=True)
        if a.model_dump(exclude={"children"}) != b.model_dump(exclude={"children"})
    }
    assert changed == {"budget_completion", "income_budget_difference"}


def test_builtin_rules_only_use_known_keys() -> None:
    for fid in BUILTIN:
        fw = load_framework(fid)
        for item in fw.walk():
            value = getattr(item.rule, "value", None)
            if value is not None:
                for key in ref_keys(value):
                    assert key.removeprefix("prior_") in FIGURE_KEYS or key in fw.figure_keys


def test_schema_file_is_generated_from_the_model() -> None:
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == generate_schema()


def test_readme_lists_every_figure_key() -> None:
    readme = (SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    for key, label in FIGURE_KEYS.items():
        assert f"`{key}`" in readme, key
        assert label.split("（")[0] in readme, label


# ---------------------------------------------------------------- errors with file and line


def test_small_framework_loads(tmp_path: Path) -> None:
    fw = load_framework(write(tmp_path, "small.yaml", SMALL))
    assert [i.id for i in fw.walk()] == ["money", "exec", "rules", "work"]


def test_children_weights_must_sum_to_parent(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        SMALL.replace("weight: 40\n        rule: {kind: ratio", "weight: 35\n        rule: {kind: ratio"),
    )
    err = error_of(path)
    assert err.file == str(path)
    assert err.line == 8  # the parent's weight line
    assert "资金管理" in err.message and "55" in err.message


def test_top_level_must_sum_to_100(tmp_path: Path) -> None:
    text = SMALL.replace(
        "    weight: 40\n    rule: {kind: targets}", "    weight: 30\n    rule: {kind: targets}"
    )
    err = error_of(write(tmp_path, "bad.yaml", text))
    assert "100" in err.message and "90" in err.message
    assert err.line == 5


def test_unknown_rule_kind_names_line(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "bad.yaml", SMALL.replace("{kind: ratio,", "{kind: ratioo,")))
    assert "未知的评分规则类型“ratioo”" in err.message
    assert "linear" in err.message
    assert err.line == 13


def test_missing_rule_parameter_names_line(tmp_path: Path) -> None:
    err = error_of(
        write(
            tmp_path,
            "bad.yaml",
            SMALL.replace("{kind: ratio, value: execution_rate}", "{kind: linear, value: execution_rate}"),
        )
    )
    assert "floor" in err.message
    assert err.line == 13


def test_unknown_figure_key(tmp_path: Path) -> None:
    err = error_of(
        write(tmp_path, "bad.yaml", SMALL.replace("value: execution_rate", "value: execution_rat"))
    )
    assert "execution_rat" in err.message
    assert err.line == 10


def test_declared_and_prior_keys_are_accepted(tmp_path: Path) -> None:
    text = SMALL.replace("value: execution_rate", "value: {change: [my_rate, prior_my_rate]}")
    text = text.replace("kind: 部门整体\n", "kind: 部门整体\nfigure_keys:\n  my_rate: 自定义比率\n")
    assert load_framework(write(tmp_path, "ok.yaml", text)).figure_keys == {"my_rate": "自定义比率"}
    prior = SMALL.replace(
        "value: execution_rate", "value: {change: [three_public_actual, prior_three_public_actual]}"
    )
    load_framework(write(tmp_path, "ok2.yaml", prior))


def test_unknown_field_and_yaml_syntax(tmp_path: Path) -> None:
    err = error_of(
        write(tmp_path, "bad.yaml", SMALL.replace("    name: 履职\n", "    name: 履职\n    wieght: 1\n"))
    )
    assert "wieght" in err.message
    assert err.line is not None
    broken = error_of(write(tmp_path, "broken.yaml", "id: x\nname: [unclosed\n"))
    assert broken.line is not None and "YAML" in broken.message


def test_checklist_points_must_sum_to_weight(tmp_path: Path) -> None:
    err = error_of(
        write(tmp_path, "bad.yaml", SMALL.replace("{fact: 有制度, points: 20}", "{fact: 有制度, points: 15}"))
    )
    assert "评分要点分值合计 15" in err.message


def test_leaf_without_rule(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "bad.yaml", SMALL.replace("    rule: {kind: targets}\n", "")))
    assert "缺少评分规则" in err.message


# ---------------------------------------------------------------- inheritance


CHILD = """\
schema: jixiao.framework/1
id: child
name: 子指标体系
extends: small
override:
  exec:
    weight: 30
    rule: {kind: linear, value: execution_rate, floor: 80%}
  rules:
    weight: 10
    rule:
      kind: checklist
      criteria: [{fact: 有制度, points: 10}]
remove: []
add:
  - under: money
    after: exec
    item:
      id: extra
      name: 新增指标
      weight: 20
      rule: {kind: manual, guidance: 区财政局核定}
"""


def test_extends_override_and_add(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(tmp_path))
    write(tmp_path, "small.yaml", SMALL)
    child = load_framework(write(tmp_path, "child.yaml", CHILD))
    assert child.parent == "small"
    assert [i.id for i in child.find("money").children] == ["exec", "extra", "rules"]  # type: ignore[union-attr]
    assert child.find("exec").rule.kind == "linear"  # type: ignore[union-attr]
    assert child.find("exec").name == "预算执行率"  # type: ignore[union-attr]
    assert child.kind == "部门整体"


def test_override_that_breaks_weights_names_the_child_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(tmp_path))
    write(tmp_path, "small.yaml", SMALL)
    path = write(tmp_path, "child.yaml", CHILD.replace("    weight: 30\n", "    weight: 25\n"))
    err = error_of(path)
    assert "资金管理" in err.message and "55" in err.message
    assert err.file == str(path)
    assert err.line == 7  # the overriding weight


def test_remove_and_unknown_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(tmp_path))
    write(tmp_path, "small.yaml", SMALL)
    text = "schema: jixiao.framework/1\nid: c2\nname: 缺指标\nextends: small\nremove: [nothing]\n"
    err = error_of(write(tmp_path, "c2.yaml", text))
    assert "nothing" in err.message and err.line == 5
    missing_parent = error_of(write(tmp_path, "c3.yaml", "id: c3\nname: x\nextends: nowhere\n"))
    assert "nowhere" in missing_parent.message and "small" in missing_parent.message


def test_extends_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(tmp_path))
    write(tmp_path, "a.yaml", "id: a\nname: A\nextends: b\n")
    write(tmp_path, "b.yaml", "id: b\nname: B\nextends: a\n")
    with pytest.raises(FrameworkError, match="循环"):
        load_framework("a")


# ---------------------------------------------------------------- registry


def test_user_folder_framework_is_found_by_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "bureau"
    folder.mkdir()
    write(folder, "small.yaml", SMALL)
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(folder))
    assert load_framework("small").source == str(folder / "small.yaml")
    info = {i.id: i for i in list_frameworks()}["small"]
    assert not info.builtin


def test_cwd_frameworks_folder_is_searched(isolated_user_dirs: Path) -> None:
    (isolated_user_dirs / "frameworks").mkdir()
    write(isolated_user_dirs / "frameworks", "small.yaml", SMALL)
    assert "small" in {i.id for i in list_frameworks()}


def test_unknown_id_lists_available() -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework("no-such-framework")
    assert "guangzhou-district-overall" in info.value.message


def test_user_framework_extending_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_FRAMEWORKS_DIR", str(tmp_path))
    write(
        tmp_path,
        "haizhu.yaml",
        """\
        id: guangzhou-haizhu-overall
        name: 海珠区（示例）
        extends: guangzhou-district-overall
        override:
          procurement_execution:
            rule: {kind: ratio, value: procurement_execution_rate}
        """,
    )
    fw = load_framework("guangzhou-haizhu-overall")
    assert fw.find("procurement_execution").rule.over_full == "cap"  # type: ignore[union-attr]
    assert fw.max_total == 100


def test_misspelt_top_level_key_points_at_its_line(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "bad.yaml", SMALL.replace("items:", "itmes:")))
    assert "“itmes”" in err.message
    assert err.line == 5
