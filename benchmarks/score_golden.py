"""Golden output of ``jixiao.scoring.score``: write every scorecard once, check later changes against it.

    .venv/bin/python benchmarks/score_golden.py --write /tmp/score-golden.jsonl
    .venv/bin/python benchmarks/score_golden.py --check /tmp/score-golden.jsonl

Scored: the ``examples/*.yaml`` dossiers against every built-in framework, and 2,000 variants from
``bench_score.variants`` (fixed seed) against their own framework, the first 200 of them also against every
other built-in framework (so every rule kind and the kind-mismatch notes are covered). Each line holds the
scorecard's JSON (as ``model_dump_json(by_alias=True)``) and a hash of its Python dump and of every node's
``model_fields_set``, so a change the JSON hides (``Decimal('-0')`` for ``0``, an int for a Decimal, a field
no longer marked as given) is caught too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))


def cases(n: int) -> Iterator[tuple[str, object, object]]:
    """(label, dossier, framework) in a fixed order."""
    from bench_score import variants

    from jixiao.dossier_io import load_dossier
    from jixiao.frameworks import framework_ids, load_framework

    frameworks = {fid: load_framework(fid) for fid in framework_ids()}
    for path in sorted((REPO / "examples").glob("*.yaml")):
        dossier = load_dossier(path)
        for fid, framework in sorted(frameworks.items()):
            yield f"{path.name}@{fid}", dossier, framework
    for i, dossier in enumerate(variants(n)):
        yield f"variant{i}@{dossier.framework}", dossier, frameworks[dossier.framework]
        if i < 200:
            for fid, framework in sorted(frameworks.items()):
                if fid != dossier.framework:
                    yield f"variant{i}@{fid}", dossier, framework


def lines(n: int) -> Iterator[tuple[str, str, str]]:
    from jixiao.scoring import score

    for label, dossier, framework in cases(n):
        card = score(dossier, framework)  # type: ignore[arg-type]
        # the Python values and which fields each node was given (``model_fields_set``), beyond the JSON
        state = (
            card.model_dump(by_alias=True),
            sorted(card.model_fields_set),
            [sorted(n.model_fields_set) for n in card.walk()],
        )
        py = hashlib.sha256(repr(state).encode()).hexdigest()
        yield label, card.model_dump_json(by_alias=True), py


def _first_difference(a: str, b: str) -> str:
    """The first item (by id) whose JSON differs, else the first differing top-level key."""
    x, y = json.loads(a), json.loads(b)

    def items(card: dict) -> dict:  # type: ignore[type-arg]
        out = {}
        stack = list(card.get("items", []))
        while stack:
            node = stack.pop(0)
            out[node["id"]] = node
            stack[:0] = node.get("children", [])
        return out

    ix, iy = items(x), items(y)
    for key in ix.keys() | iy.keys():
        if ix.get(key) != iy.get(key):
            nx = {k: v for k, v in (ix.get(key) or {}).items() if k != "children"}
            ny = {k: v for k, v in (iy.get(key) or {}).items() if k != "children"}
            if nx != ny:
                fields = sorted(k for k in nx.keys() | ny.keys() if nx.get(k) != ny.get(k))
                return "\n".join(
                    f"  {key}.{f}:\n    期望 {nx.get(f)!r}\n    实得 {ny.get(f)!r}" for f in fields
                )
    for key in x.keys() | y.keys():
        if key != "items" and x.get(key) != y.get(key):
            return f"  {key}:\n    期望 {x.get(key)!r}\n    实得 {y.get(key)!r}"
    return "  JSON 相同（Python 值不同，如 Decimal 的写法或类型）"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, metavar="FILE")
    group.add_argument("--check", type=Path, metavar="FILE")
    ap.add_argument("--n", type=int, default=2000, help="bench_score variants (default 2000)")
    args = ap.parse_args()
    if args.write:
        count = 0
        with args.write.open("w", encoding="utf-8") as out:
            for label, js, py in lines(args.n):
                out.write(json.dumps({"case": label, "json": js, "py": py}, ensure_ascii=False) + "\n")
                count += 1
        print(f"已写入 {count} 份评分结果：{args.write}")
        return 0
    expected = [json.loads(line) for line in args.check.read_text(encoding="utf-8").splitlines()]
    got = list(lines(args.n))
    if len(got) != len(expected):
        print(f"不一致：期望 {len(expected)} 份评分结果，实得 {len(got)} 份")
        return 1
    for want, (label, js, py) in zip(expected, got, strict=True):
        if want["case"] != label:
            print(f"不一致：第 {expected.index(want) + 1} 份应为 {want['case']}，实得 {label}")
            return 1
        if want["json"] != js or want["py"] != py:
            print(f"不一致：{label}\n{_first_difference(want['json'], js)}")
            return 1
    print(f"一致：{len(got)} 份评分结果与 {args.check} 完全相同（JSON 及 Python 值）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
