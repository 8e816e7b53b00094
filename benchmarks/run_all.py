"""Every benchmark in one command, one table with each figure next to its target.

    .venv/bin/python benchmarks/run_all.py [--n 60] [--quick] [--skip web,render]

Rows:
  extract + audit throughput for .txt, .docx and .pdf synthetic reports (benchmarks/synthetic.py, written
  as .docx with python-docx and converted to .pdf by one LibreOffice run), on one core and on all cores;
  extract + audit of the real .txt reports in ../shared/seeds (CPU time, one core; bench_audit.py --n 0);
  PDF read time ÷ pypdfium2 raw text extraction (bench_pdf.py);
  scoring 10,000 dossiers varied from examples/*.yaml (bench_score.py);
  generating 100 .xlsx and 100 .docx (bench_render.py; skipped while jixiao.render.render is missing);
  web p50/p95 at 20 concurrent users on SQLite (bench_web.py, when present).
Each sub-benchmark also runs alone (see its own --help).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TXT_PER_CORE = 100.0  # reports/s per core, extract + audit
PDF_RATIO = 1.3
SCORE_SECONDS = 2.0  # for 10,000 dossiers
WEB_P95_MS = 50.0


def audit_one(path: str) -> int:
    """Read, extract and audit one report (what `jixiao audit FILE` does); the number of findings."""
    from jixiao.audit import audit_file

    return len(audit_file(path).findings)


def throughput(paths: list[Path]) -> tuple[float, float, int]:
    """(reports/s on one core, reports/s on all cores, cores)."""
    names = [str(p) for p in paths]
    audit_one(names[0])  # imports
    t0 = time.perf_counter()
    serial = [audit_one(p) for p in names]
    serial_secs = time.perf_counter() - t0
    one = len(names) / serial_secs
    cores = os.cpu_count() or 1
    # the pool gets the list several times over, so that its start-up is not what is measured
    work = names * max(1, math.ceil(3.0 / serial_secs))
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(audit_one, names[:cores]))  # start and warm the workers
        t1 = time.perf_counter()
        parallel = list(pool.map(audit_one, work, chunksize=max(1, len(work) // (cores * 8))))
        many = len(work) / (time.perf_counter() - t1)
    assert serial == parallel[: len(names)], "results differ between one and many processes"
    return one, many, cores


def seed_row(table: Table, repeat: int) -> None:
    """The real reports (../shared/seeds), beside the synthetic .txt row: real input is longer and messier."""
    import bench_audit

    seeds = bench_audit.seed_paths()
    label = "抽取+核查 种子 .txt（CPU，单核）"
    if not seeds:
        table.add(label, f"种子目录 {bench_audit.SEEDS} 不存在或为空，跳过", f"≥ {TXT_PER_CORE:g} 份/秒/核")
        return
    r = bench_audit.seed_throughput(seeds, repeat)
    ms: dict[str, float] = r["ms"]  # type: ignore[assignment]
    per_second: float = r["per_second"]  # type: ignore[assignment]
    each = " / ".join(f"{v:.1f}" for v in ms.values())
    table.add(
        f"抽取+核查 种子 .txt（{len(seeds)} 份，CPU，单核）",
        f"单核 {per_second:.1f} 份/秒（每份 {each} ms，各 {repeat} 次取中位数）",
        f"≥ {TXT_PER_CORE:g} 份/秒/核",
        per_second >= TXT_PER_CORE,
    )


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, figure: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("达标" if met else "未达标")
        self.rows.append((what, figure, target, verdict))
        print(f"  {what}: {figure}  {target} {verdict}", flush=True)

    def print(self) -> None:
        def width(s: str) -> int:
            return sum(2 if ord(c) > 0x2E80 else 1 for c in s)

        def pad(s: str, n: int) -> str:
            return s + " " * max(0, n - width(s))

        cols = [
            max(width(r[i]) for r in [("项目", "结果", "目标", "是否达标"), *self.rows]) for i in range(4)
        ]
        head = ("项目", "结果", "目标", "是否达标")
        line = "  ".join(pad(h, c) for h, c in zip(head, cols, strict=True))
        print("\n" + line)
        print("-" * width(line))
        for r in self.rows:
            print("  ".join(pad(v, c) for v, c in zip(r, cols, strict=True)))


def web(table: Table, requests: int) -> None:
    script = HERE / "bench_web.py"
    if not script.exists():
        table.add("网页 p50/p95（20 并发，SQLite）", "bench_web.py 不存在，跳过", f"p95 ≤ {WEB_P95_MS:g} ms")
        return
    # both of bench_web's modes: users pausing ~0.5 s between actions (the target) and no pause (stress)
    proc = subprocess.run(
        [sys.executable, str(script), "--users", "20", "--requests", str(requests)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    runs = re.findall(r"^ALL\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)", proc.stdout, re.M)
    if proc.returncode != 0 or len(runs) < 2:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["无输出"]
        table.add(
            "网页 p50/p95（20 并发，SQLite）", f"运行失败：{tail[0][:80]}", f"p95 ≤ {WEB_P95_MS:g} ms", False
        )
        return
    # the slowest endpoints of the paced run, to say where the time goes
    paced = proc.stdout.split("\n== ")[2] if proc.stdout.count("\n== ") >= 2 else ""
    rows = re.findall(r"^(\S.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", paced, re.M)
    slow = sorted((r for r in rows if r[0] != "ALL"), key=lambda r: -float(r[3]))[:3]
    if slow:
        print("  最慢的端点（间隔约 0.5 秒）：" + "；".join(f"{r[0].strip()} p95 {r[3]} ms" for r in slow))
    for (n, p50, p95, _mx, errors), label, judged in zip(
        runs[:2], ("无间隔，压力测试", "操作间隔约 0.5 秒"), (False, True), strict=True
    ):
        table.add(
            f"网页 p50/p95（20 并发，SQLite，{label}）",
            f"{float(p50):.1f} / {float(p95):.1f} ms（{n} 请求，{errors} 错误）",
            f"p95 ≤ {WEB_P95_MS:g} ms" if judged else "",
            (float(p95) <= WEB_P95_MS and errors == "0") if judged else None,
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=60, help="synthetic reports per format (default 60)")
    ap.add_argument(
        "--quick", action="store_true", help="smaller runs: 20 reports, 2,000 dossiers, 20 documents"
    )
    ap.add_argument("--skip", default="", help="comma-separated: throughput,pdf,score,render,web")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    n = 20 if args.quick else args.n
    n_score = 2000 if args.quick else 10_000
    n_render = 20 if args.quick else 100
    table = Table()

    import bench_pdf

    with tempfile.TemporaryDirectory(prefix="jixiao-run-all-") as tmp:
        if not {"throughput", "pdf"} <= skip:
            t = time.perf_counter()
            corpus = bench_pdf.make_corpus(Path(tmp), n)
            print(
                f"生成 {n} 份合成报告（txt/docx/pdf）：{time.perf_counter() - t:.1f} 秒（不计入）", flush=True
            )
        if "throughput" not in skip:
            for fmt in ("txt", "docx", "pdf"):
                paths = corpus[fmt]
                if not paths:
                    table.add(f"抽取+核查 .{fmt}", "无 soffice，无法生成，跳过")
                    continue
                one, many, cores = throughput(paths)
                target = f"≥ {TXT_PER_CORE:g} 份/秒/核" if fmt == "txt" else ""
                table.add(
                    f"抽取+核查 .{fmt}（{len(paths)} 份）",
                    f"单核 {one:.1f} 份/秒；{cores} 核 {many:.1f} 份/秒",
                    target,
                    one >= TXT_PER_CORE if fmt == "txt" else None,
                )
                if fmt == "txt":
                    seed_row(table, 10 if args.quick else 30)
        if "pdf" not in skip:
            if corpus["pdf"]:
                r = bench_pdf.measure(corpus["pdf"][: min(20, len(corpus["pdf"]))])
                table.add(
                    "PDF 读取 ÷ pypdfium2 原始抽取",
                    f"中位数 {r['ratio_median']:.2f} 倍（{r['ms_median']:.1f} ms 对 {r['raw_ms_median']:.1f} ms），"
                    f"最大 {r['ratio_max']:.2f}",
                    f"≤ {PDF_RATIO:g} 倍",
                    r["ratio_median"] <= PDF_RATIO,
                )
            else:
                table.add("PDF 读取 ÷ pypdfium2 原始抽取", "无 soffice，跳过", f"≤ {PDF_RATIO:g} 倍")
    if "score" not in skip:
        import bench_score

        r = bench_score.run(n_score)
        per10k = r["cpu_seconds"] * 10_000 / r["n"]
        table.add(
            f"评分 {r['n']:,} 份档案",
            f"墙钟 {r['seconds']:.2f} 秒，CPU {r['cpu_seconds']:.2f} 秒（折合 10,000 份 CPU {per10k:.1f} 秒）",
            f"10,000 份 ≤ {SCORE_SECONDS:g} 秒",
            per10k <= SCORE_SECONDS,
        )
    if "render" not in skip:
        import bench_render

        r = bench_render.run(n_render)
        if r is None:
            table.add("生成 .xlsx / .docx", "jixiao.render.render 尚不存在，跳过")
        else:
            for ext in ("xlsx", "docx"):
                table.add(
                    f"生成 {n_render} 份 .{ext}", f"{r[ext]:.1f} 秒（每份 {r[ext] / n_render * 1000:.0f} ms）"
                )
    if "web" not in skip:
        web(table, 600 if args.quick else 2000)
    table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
