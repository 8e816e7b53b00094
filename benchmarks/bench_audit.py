"""Throughput of extract + audit on synthetic reports, on one core and on all cores.

    .venv/bin/python benchmarks/bench_audit.py [--n 300]

Also prints how many injected faults the checker found (recall) and how many findings it raised that
were not injected (would-be false alarms on these templates).
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

from jixiao.audit import audit_file


def one(path: str) -> tuple[str, list[str]]:
    r = audit_file(path)
    return path, [f.code for f in r.findings if f.severity != "info"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
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
    assert [c for _p, c in serial] == [c for _p, c in parallel]
    expected = sum(len(r.expected_codes) for r in reports)
    found = sum(len(r.expected_codes & set(c)) for r, (_p, c) in zip(reports, serial, strict=True))
    extra = sum(len(set(c) - r.allowed_codes) for r, (_p, c) in zip(reports, serial, strict=True))
    print(f"报告数 {len(reports)}（抽取 + 核查，每份约 {sum(len(r.text) for r in reports) // len(reports)} 字）")
    print(f"单核：{len(reports) / (t1 - t0):.1f} 份/秒（{t1 - t0:.2f} 秒）")
    print(f"{cores} 核：{len(reports) / (t3 - t2):.1f} 份/秒（{t3 - t2:.2f} 秒）")
    print(f"注入的问题 {expected} 个，检出 {found} 个（{found / max(expected, 1):.1%}）；未注入却报出的错误/警告 {extra} 个")


if __name__ == "__main__":
    main()
