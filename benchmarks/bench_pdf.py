"""PDF reading time as a ratio of pypdfium2's raw text extraction of the same files.

    .venv/bin/python benchmarks/bench_pdf.py [--n 20] [--repeat 3] [--profile] [--seeds]

Synthetic reports (benchmarks/synthetic.py) are written as .docx with python-docx and converted to PDF
by LibreOffice in one `soffice` call per run. For every PDF the median CPU time of
`jixiao.ingest.read_document` is divided by the median CPU time of the floor any PDF reader pays:
opening the file with pypdfium2 and taking each page's text range. Target: ratio ≤ 1.3. CPU time, not
wall-clock: on a shared machine the wall clock of a 2 ms read measures the other load as much as the
code. The ratio of `read_pdf` alone (without the checks `read_document` runs before it, e.g. the stream
guard) is given too. `--seeds` measures the seed reports (../shared/seeds) converted to PDF the way
the acceptance tests convert them, instead of synthetic ones.

`read_document` reads a PDF in a sandboxed worker process by default (readers/pdf_sandbox.py). Its cost
is counted whole: this process's CPU time plus the worker's (from /proc/<pid>/schedstat, in ns), so the
ratio "沙箱" is the real price; "进程内" is `read_document(..., sandbox=False)`. The per-file overhead of the
sandbox is the difference of the two, in CPU ms, and in wall-clock ms (round trip through the pipes and
the two context switches, which CPU time does not show).

`make_corpus` is also used by run_all.py for the .txt/.docx/.pdf throughput table.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import raw_pdfium_text, seed_pdfs
from synthetic import generate

TARGET_RATIO = 1.3


def write_docx(text: str, path: Path) -> None:
    """A report as Word would hold it: title and numbered headings as heading paragraphs, prose as body."""
    import re

    import docx

    d = docx.Document()
    for para in text.split("\n\n"):
        for line in para.split("\n"):
            if not line.strip():
                continue
            if re.match(r"^(?:[一二三四五六七八九十]+、)", line):
                d.add_heading(line, level=1)
            elif re.match(r"^（[一二三四五六七八九十]+）", line):
                d.add_heading(line, level=2)
            else:
                d.add_paragraph(line)
    d.save(str(path))


def soffice_convert(docx_paths: list[Path], outdir: Path) -> list[Path]:
    """All .docx to .pdf in one LibreOffice run; [] when soffice is not installed or fails."""
    exe = shutil.which("soffice")
    if not exe or not docx_paths:
        return []
    profile = outdir / "lo-profile"
    try:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, docx_paths),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as e:
        print(f"（soffice 转换失败：{e}）", file=sys.stderr)
        return []
    return [p for p in (outdir / (d.stem + ".pdf") for d in docx_paths) if p.exists()]


def make_corpus(tmp: Path, n: int, seed: int = 7) -> dict[str, list[Path]]:
    """n synthetic reports as .txt, .docx and (with LibreOffice) .pdf under tmp."""
    out: dict[str, list[Path]] = {"txt": [], "docx": [], "pdf": []}
    for sub in out:
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    for r in generate(n, seed):
        stem = Path(r.name).stem
        t = tmp / "txt" / f"{stem}.txt"
        t.write_text(r.text, encoding="utf-8")
        out["txt"].append(t)
        d = tmp / "docx" / f"{stem}.docx"
        write_docx(r.text, d)
        out["docx"].append(d)
    out["pdf"] = soffice_convert(out["docx"], tmp / "pdf")
    return out


def _median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median CPU seconds of `repeat` runs after one warm-up run."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def _worker_cpu() -> float:
    """CPU seconds the live PDF workers of this process have used so far."""
    from jixiao.ingest.readers.pdf_sandbox import live_worker_pids

    total = 0
    for pid in live_worker_pids():
        try:
            with open(f"/proc/{pid}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except OSError:
            pass
    return total / 1e9


def _median_sandboxed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median CPU seconds (this process + its PDF workers) and median wall seconds of `fn`, after one
    warm-up run (which also starts the worker)."""
    fn()
    cpu, wall = [], []
    for _ in range(repeat):
        w0, c0, t0 = _worker_cpu(), time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0 + _worker_cpu() - w0)
    return statistics.median(cpu), statistics.median(wall)


def _median_wall(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(
    pdfs: list[Path], repeat: int = 3, profile: bool = False, verbose: bool = False
) -> dict[str, float]:
    """Ratios to pypdfium2's raw text extraction. ``ratio_*``: `read_document` as it runs by default (in
    the sandbox, worker CPU included); ``inproc_*``: with ``sandbox=False``; ``reader_*``: `read_pdf`."""
    from jixiao.ingest import read_document
    from jixiao.ingest.readers.pdf import read_pdf

    ratios, inproc_ratios, reader_ratios, ours, raws = [], [], [], [], []
    overhead_cpu, overhead_wall = [], []
    for p in pdfs:
        mine, mine_wall = _median_sandboxed(lambda p=p: read_document(p), repeat)
        inproc = _median_time(lambda p=p: read_document(p, sandbox=False), repeat)
        inproc_wall = _median_wall(lambda p=p: read_document(p, sandbox=False), repeat)
        reader = _median_time(lambda p=p: read_pdf(p), repeat)
        raw = _median_time(lambda p=p: raw_pdfium_text(p), repeat)
        ours.append(mine)
        raws.append(raw)
        ratios.append(mine / raw)
        inproc_ratios.append(inproc / raw)
        reader_ratios.append(reader / raw)
        overhead_cpu.append(mine - inproc)
        overhead_wall.append(mine_wall - inproc_wall)
        if verbose:
            print(
                f"  {p.name:<32} pdfium {raw * 1000:7.1f} ms  沙箱 {mine * 1000:7.1f} ms（{mine / raw:.2f} 倍，"
                f"墙钟 {mine_wall * 1000:.1f} ms）  进程内 {inproc * 1000:7.1f} ms（{inproc / raw:.2f} 倍，"
                f"墙钟 {inproc_wall * 1000:.1f} ms）  read_pdf {reader * 1000:7.1f} ms（{reader / raw:.2f} 倍）"
            )
    if profile and pdfs:
        prof = cProfile.Profile()
        prof.enable()
        for p in pdfs:
            read_document(p)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    return {
        "files": len(pdfs),
        "ratio_median": statistics.median(ratios),
        "ratio_max": max(ratios),
        "inproc_ratio_median": statistics.median(inproc_ratios),
        "inproc_ratio_max": max(inproc_ratios),
        "overhead_cpu_ms_median": statistics.median(overhead_cpu) * 1000,
        "overhead_wall_ms_median": statistics.median(overhead_wall) * 1000,
        "reader_ratio_median": statistics.median(reader_ratios),
        "reader_ratio_max": max(reader_ratios),
        "ms_median": statistics.median(ours) * 1000,
        "raw_ms_median": statistics.median(raws) * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument(
        "--seeds", action="store_true", help="the seed reports converted to PDF, not synthetic ones"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-pdf-") as tmp:
        t = time.perf_counter()
        if args.seeds:
            pdfs = seed_pdfs(Path(tmp))
            what = f"{len(pdfs)} 份种子报告"
        else:
            pdfs = make_corpus(Path(tmp), args.n)["pdf"]
            what = f"{args.n} 份合成报告"
        print(f"生成{what}的 .docx 并转换为 PDF：{time.perf_counter() - t:.1f} 秒（不计入）")
        if not pdfs:
            print("没有 soffice（LibreOffice）或种子文档，无法生成 PDF，跳过")
            return 0
        r = measure(pdfs, args.repeat, args.profile, verbose=args.seeds)
    ok = "达标" if r["ratio_median"] <= TARGET_RATIO else "未达标"
    print(
        f"PDF 读取（read_document，沙箱默认开启，CPU 时间含读取进程）：每份中位数 {r['ms_median']:.1f} ms，"
        f"pypdfium2 原始文字抽取 {r['raw_ms_median']:.1f} ms；"
        f"倍数中位数 {r['ratio_median']:.2f}，最大 {r['ratio_max']:.2f}；目标 ≤ {TARGET_RATIO} —— {ok}"
    )
    print(
        f"{'':<10}{'沙箱':>10}{'进程内':>10}\n"
        f"{'倍数中位数':<10}{r['ratio_median']:>10.2f}{r['inproc_ratio_median']:>10.2f}\n"
        f"{'倍数最大':<10}{r['ratio_max']:>10.2f}{r['inproc_ratio_max']:>10.2f}\n"
        f"沙箱每份额外开销（中位数）：CPU {r['overhead_cpu_ms_median']:.2f} ms，墙钟 {r['overhead_wall_ms_median']:.2f} ms"
    )
    print(
        f"仅 read_pdf（不含读取前的检查）：倍数中位数 {r['reader_ratio_median']:.2f}，最大 {r['reader_ratio_max']:.2f}"
        f"（{os.cpu_count()} 核机器，单核测量；负载 {', '.join(f'{x:.2f}' for x in os.getloadavg())}）"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
