"""Throughput of extract + audit on synthetic and seed-sized reports, on one core and on all cores.

    .venv/bin/python benchmarks/bench_audit.py [--n 300] [--repeat 5]

Prints reports per second per core for extract + audit (issue 7's target: ≥ 100 .txt reports/s per
core), the time each part takes (CPU time, best of --repeat, so other load on the machine matters
less), how many injected faults the checker found (recall) and how many findings it raised that were
not injected (would-be false alarms on these templates), also for the clean reports alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

from jixiao.audit import audit_document, audit_file, read_document
from jixiao.ingest.extract import extract_document

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def one(path: str) -> tuple[str, list[str]]:
    r = audit_file(path)
    return path, [f.code for f in r.findings if f.severity != "info"]


def best_cpu(fn: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()  # type: ignore[operator]
        best = min(best, time.process_time() - t)
    return best


def split(paths: list[str], repeat: int, label: str) -> None:
    """Extraction and audit time per document (read once, outside the timing)."""
    docs = [read_document(p) for p in paths]
    exs = [extract_document(d) for d in docs]
    te = best_cpu(lambda: [extract_document(d) for d in docs], repeat)
    ta = best_cpu(lambda: [audit_document(d, extraction=e) for d, e in zip(docs, exs, strict=True)], repeat)
    n = len(docs)
    print(
        f"{label}：抽取 {te / n * 1000:.2f} 毫秒 + 核查 {ta / n * 1000:.2f} 毫秒 = 每核 {n / (te + ta):.0f} 份/秒"
        f"（抽取占 {te / (te + ta):.0%}）"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    reports = generate(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for r in reports:
            p = Path(tmp) / r.name
            p.write_text(r.text, encoding="utf-8")
            paths.append(str(p))
        one(paths[0])  # warm imports
        t0 = time.perf_counter()
        serial = [one(p) for p in paths]
        t1 = time.perf_counter()
        cores = os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=cores) as pool:
            list(pool.map(one, paths[:cores]))  # start the workers before timing
            t2 = time.perf_counter()
            parallel = list(pool.map(one, paths, chunksize=8))
            t3 = time.perf_counter()
        split(paths[:100], args.repeat, "合成报告")
        seeds = sorted(str(p) for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
        if seeds:
            split(seeds, args.repeat * 2, f"种子报告（{len(seeds)} 份，每份约 {sum(len(Path(p).read_text()) for p in seeds) // len(seeds)} 字）")
    assert [c for _p, c in serial] == [c for _p, c in parallel]
    expected = sum(len(r.expected_codes) for r in reports)
    found = sum(len(r.expected_codes & set(c)) for r, (_p, c) in zip(reports, serial, strict=True))
    extra = sum(len(set(c) - r.allowed_codes) for r, (_p, c) in zip(reports, serial, strict=True))
    print(f"报告数 {len(reports)}（抽取 + 核查，每份约 {sum(len(r.text) for r in reports) // len(reports)} 字）")
    print(f"单核：{len(reports) / (t1 - t0):.1f} 份/秒（{t1 - t0:.2f} 秒）")
    print(f"{cores} 核：{len(reports) / (t3 - t2):.1f} 份/秒（{t3 - t2:.2f} 秒）")
    print(f"注入的问题 {expected} 个，检出 {found} 个（{found / max(expected, 1):.1%}）；未注入却报出的错误/警告 {extra} 个")
    clean = [(r, c) for r, (_p, c) in zip(reports, serial, strict=True) if not r.faults]
    print(f"无注入问题的报告 {len(clean)} 份，报出错误/警告 {sum(len(c) for _r, c in clean)} 个")


if __name__ == "__main__":
    main()
