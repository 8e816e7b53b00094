"""Throughput of extract + audit on synthetic and seed-sized reports, on one core and on all cores.

    .venv/bin/python benchmarks/bench_audit.py [--n 300] [--repeat 5] [--seeds DIR] [--seed-repeat 30]
    .venv/bin/python benchmarks/bench_audit.py --n 0 --profile      # the real reports only, with a profile

Prints reports per second per core for extract + audit (issue 7's target: ≥ 100 .txt reports/s per
core), the time each part takes (CPU time, best of --repeat, so other load on the machine matters
less), how many injected faults the checker found (recall) and how many findings it raised that were
not injected (would-be false alarms on these templates), also for the clean reports alone.

Seed mode (the real reports in --seeds, default ../shared/seeds when present): each report is audited
--seed-repeat times as `jixiao audit` does (read → extract → audit, `audit_file`); per report the median
CPU time, and overall reports/s on one core = reports ÷ the sum of those medians. `--n 0` skips the
synthetic reports.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
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


def seed_paths(folder: Path | None = SEEDS) -> list[Path]:
    """The .txt reports in ``folder`` (none when it is missing)."""
    return sorted(folder.glob("*.txt")) if folder is not None and folder.is_dir() else []


def seed_throughput(paths: list[Path], repeat: int = 30) -> dict[str, object]:
    """Each report audited ``repeat`` times (after one warm-up run) as `jixiao audit` does; the median CPU
    time per report (CPU, not wall: other load on a shared machine matters less) and reports/s on one
    core over all of them: {"ms": {name: ms}, "per_second": float, "repeat": int}."""
    audit_file(paths[0])  # imports and compiled regexes
    ms: dict[str, float] = {}
    for p in paths:
        times = []
        for _ in range(repeat):
            t = time.process_time()
            audit_file(p)
            times.append(time.process_time() - t)
        ms[p.name] = statistics.median(times) * 1000
    return {"ms": ms, "per_second": len(paths) / (sum(ms.values()) / 1000), "repeat": repeat}


def print_seed_throughput(paths: list[Path], repeat: int) -> None:
    r = seed_throughput(paths, repeat)
    ms: dict[str, float] = r["ms"]  # type: ignore[assignment]
    print(f"种子报告 {len(paths)} 份，每份核查 {repeat} 次，CPU 时间中位数：")
    for name, v in ms.items():
        print(f"  {name}：{v:.2f} 毫秒")
    print(f"种子报告：单核 {r['per_second']:.1f} 份/秒（目标 ≥ 100 份/秒/核）")


def profile_seeds(paths: list[Path], rounds: int = 10, top: int = 30) -> None:
    """cProfile of `audit_file` over the reports (py-spy is not installed): the top entries by own time."""
    for p in paths:
        audit_file(p)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for p in paths:
            audit_file(p)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def one(path: str) -> tuple[str, list[str]]:
    r = audit_file(path)
    return path, [f.code for f in r.findings if f.severity != "info"]


def split(paths: list[str], repeat: int, label: str) -> None:
    """Extraction and audit time per document (reading outside the timing). Each round reads the
    documents afresh: a document keeps the scan of its numbers (`Document.quantities`), so extracting
    the same one again would time less than extraction does; the audit reuses that scan, as
    `audit_file` does."""
    te = ta = float("inf")
    for _ in range(repeat):
        docs = [read_document(p) for p in paths]
        t = time.process_time()
        exs = [extract_document(d) for d in docs]
        t1 = time.process_time()
        for d, e in zip(docs, exs, strict=True):
            audit_document(d, extraction=e)
        t2 = time.process_time()
        te, ta = min(te, t1 - t), min(ta, t2 - t1)
    n = len(paths)
    print(
        f"{label}：抽取 {te / n * 1000:.2f} 毫秒 + 核查 {ta / n * 1000:.2f} 毫秒 = 每核 {n / (te + ta):.0f} 份/秒"
        f"（抽取占 {te / (te + ta):.0%}）"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="synthetic reports (0: none)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--seeds", type=Path, default=SEEDS, help="folder of real .txt reports (default ../shared/seeds)"
    )
    ap.add_argument("--seed-repeat", type=int, default=30, help="runs per seed report")
    ap.add_argument("--profile", action="store_true", help="print cProfile's top entries on the seed reports")
    args = ap.parse_args()
    seeds = seed_paths(args.seeds)
    if seeds:
        print_seed_throughput(seeds, args.seed_repeat)
        if args.profile:
            profile_seeds(seeds)
    else:
        print(f"种子目录 {args.seeds} 不存在或没有 .txt 报告，跳过种子报告")
    if args.n <= 0:
        return
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
        if seeds:
            names = [str(p) for p in seeds]
            chars = sum(len(p.read_text(encoding="utf-8")) for p in seeds) // len(seeds)
            split(names, args.repeat * 2, f"种子报告（{len(seeds)} 份，每份约 {chars} 字）")
    assert [c for _p, c in serial] == [c for _p, c in parallel]
    expected = sum(len(r.expected_codes) for r in reports)
    found = sum(len(r.expected_codes & set(c)) for r, (_p, c) in zip(reports, serial, strict=True))
    extra = sum(len(set(c) - r.allowed_codes) for r, (_p, c) in zip(reports, serial, strict=True))
    print(
        f"报告数 {len(reports)}（抽取 + 核查，每份约 {sum(len(r.text) for r in reports) // len(reports)} 字）"
    )
    print(f"单核：{len(reports) / (t1 - t0):.1f} 份/秒（{t1 - t0:.2f} 秒）")
    print(f"{cores} 核：{len(reports) / (t3 - t2):.1f} 份/秒（{t3 - t2:.2f} 秒）")
    print(
        f"注入的问题 {expected} 个，检出 {found} 个（{found / max(expected, 1):.1%}）；未注入却报出的错误/警告 {extra} 个"
    )
    clean = [(r, c) for r, (_p, c) in zip(reports, serial, strict=True) if not r.faults]
    print(f"无注入问题的报告 {len(clean)} 份，报出错误/警告 {sum(len(c) for _r, c in clean)} 个")


if __name__ == "__main__":
    main()
