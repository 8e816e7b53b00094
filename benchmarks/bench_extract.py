"""Extraction time per document for .txt, .docx and .pdf versions of the seed reports.

    .venv/bin/python benchmarks/bench_extract.py [--repeat N]

Times are the best CPU time of --repeat runs. The .docx/.pdf files are generated from the seeds at run time into a temporary directory (python-docx,
then LibreOffice headless), exactly as the acceptance tests do. For PDFs the time is also given as a
ratio to pypdfium2's own raw text extraction of the same file (the floor any PDF extraction pays).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
sys.path.insert(0, str(REPO / "tests"))  # the acceptance tests' document generator


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Best CPU time in seconds over `repeat` runs (after one warm-up run): on a shared machine the
    wall-clock median measures the other load as much as the code."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def raw_pdfium_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        parts = []
        for page in pdf:
            tp = page.get_textpage()
            parts.append(tp.get_text_range())
            tp.close()
            page.close()
        return "\n".join(parts)
    finally:
        pdf.close()


def seed_pdfs(out: Path) -> list[Path]:
    """The seed reports as PDFs under `out` (python-docx, then LibreOffice, as the acceptance tests make
    them); [] without seeds or LibreOffice."""
    from test_extract_seeds import make_documents

    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        return []
    made = make_documents(out, seeds)
    return [v["pdf"] for v in made.values() if "pdf" in v]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        print(f"没有种子文档：{SEEDS}", file=sys.stderr)
        return 2

    from jixiao.ingest import read_document
    from jixiao.ingest.extract import extract_document, extract_file
    from test_extract_seeds import make_documents

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        t = time.perf_counter()
        made = make_documents(Path(tmp), seeds)
        print(f"生成 .docx/.pdf：{time.perf_counter() - t:.1f} s（LibreOffice 转换，不计入下表）\n")
        header = (
            f"{'文档':<28}{'格式':<6}{'合计 ms':>10}{'读取 ms':>10}{'抽取 ms':>10}{'提及数':>8}"
            f"{'pdfium ms':>11}{'倍数':>8}{'读取倍数':>10}"
        )
        print(header)
        print("-" * len(header))
        totals: dict[str, list[float]] = {"txt": [], "docx": [], "pdf": []}
        ratios: list[float] = []
        read_ratios: list[float] = []
        for seed in seeds:
            files = {"txt": seed, **made[seed.stem]}
            for fmt in ("txt", "docx", "pdf"):
                if fmt not in files:
                    print(f"{seed.stem:<28}{fmt:<6}{'（无 soffice，跳过）':>10}")
                    continue
                path = files[fmt]
                doc = read_document(path)
                ex = extract_document(doc)
                secs = timed(lambda p=path: extract_file(p), args.repeat)
                read = timed(lambda p=path: read_document(p), args.repeat)
                only = timed(lambda d=doc: extract_document(d), args.repeat)
                totals[fmt].append(secs)
                line = f"{seed.stem:<28}{fmt:<6}{secs * 1000:>10.1f}{read * 1000:>10.1f}{only * 1000:>10.1f}{len(ex.mentions):>8}"
                if fmt == "pdf":
                    raw = timed(lambda p=path: raw_pdfium_text(p), args.repeat)
                    ratios.append(secs / raw)
                    read_ratios.append(read / raw)
                    line += f"{raw * 1000:>11.1f}{secs / raw:>8.1f}{read / raw:>10.1f}"
                print(line)
        print()
        for fmt, values in totals.items():
            if values:
                print(
                    f"{fmt:<5} 每份中位数 {statistics.median(values) * 1000:7.1f} ms，最慢 {max(values) * 1000:7.1f} ms"
                )
        if ratios:
            print(
                f"pdf   相对 pypdfium2 原始文字抽取：中位数 {statistics.median(ratios):.1f} 倍，最大 {max(ratios):.1f} 倍"
                f"（仅读取：中位数 {statistics.median(read_ratios):.1f} 倍，最大 {max(read_ratios):.1f} 倍）"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
