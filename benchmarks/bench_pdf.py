"""PDF reading time as a ratio of pypdfium2's raw text extraction of the same files.

    .venv/bin/python benchmarks/bench_pdf.py [--n 20] [--repeat 3] [--profile]

Synthetic reports (benchmarks/synthetic.py) are written as .docx with python-docx and converted to PDF
by LibreOffice in one `soffice` call per run. For every PDF the median time of
`jixiao.ingest.read_document` is divided by the median time of the floor any PDF reader pays: opening
the file with pypdfium2 and taking each page's text range. Target: ratio ≤ 1.3.

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

from bench_extract import raw_pdfium_text
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
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(pdfs: list[Path], repeat: int = 3, profile: bool = False) -> dict[str, float]:
    from jixiao.ingest import read_document

    ratios, ours, raws = [], [], []
    for p in pdfs:
        mine = _median_time(lambda p=p: read_document(p), repeat)
        raw = _median_time(lambda p=p: raw_pdfium_text(p), repeat)
        ours.append(mine)
        raws.append(raw)
        ratios.append(mine / raw)
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
        "ms_median": statistics.median(ours) * 1000,
        "raw_ms_median": statistics.median(raws) * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-pdf-") as tmp:
        t = time.perf_counter()
        corpus = make_corpus(Path(tmp), args.n)
        print(f"生成 {args.n} 份 .docx 并转换为 PDF：{time.perf_counter() - t:.1f} 秒（不计入）")
        if not corpus["pdf"]:
            print("没有 soffice（LibreOffice），无法生成 PDF，跳过")
            return 0
        r = measure(corpus["pdf"], args.repeat, args.profile)
    ok = "达标" if r["ratio_median"] <= TARGET_RATIO else "未达标"
    print(
        f"PDF 读取：每份中位数 {r['ms_median']:.1f} ms，pypdfium2 原始文字抽取 {r['raw_ms_median']:.1f} ms；"
        f"倍数中位数 {r['ratio_median']:.2f}，最大 {r['ratio_max']:.2f}；目标 ≤ {TARGET_RATIO} —— {ok}"
        f"（{os.cpu_count()} 核机器，单核测量）"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
