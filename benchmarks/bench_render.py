"""Document generation: 100 自评表 (.xlsx) and 100 自评报告 (.docx) from scored example dossiers.

    .venv/bin/python benchmarks/bench_render.py [--n 100] [--profile]

Dossiers are the varied examples of bench_score.py, scored once (not timed); each output is written to
a temporary directory with `jixiao.render.render`. Skips with a message while `jixiao.render.render`
does not exist yet.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def available() -> bool:
    try:
        from jixiao.render import render  # noqa: F401
    except ImportError:
        return False
    return True


def run(n: int = 100, profile: bool = False) -> dict[str, float] | None:
    if not available():
        return None
    from bench_score import variants

    from jixiao.frameworks import load_framework
    from jixiao.render import render
    from jixiao.scoring import score

    dossiers = variants(n, seed=23)
    fws = {fid: load_framework(fid) for fid in {d.framework for d in dossiers}}
    cards = [(d, score(d, fws[d.framework]), fws[d.framework]) for d in dossiers]
    out: dict[str, float] = {"n": n}
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-render-") as tmp:
        for ext in ("xlsx", "docx"):
            d, c, fw = cards[0]
            render(d, c, Path(tmp) / f"warm.{ext}", framework=fw)  # imports, fonts, templates
            prof = cProfile.Profile() if profile else None
            if prof:
                prof.enable()
            t0 = time.perf_counter()
            for i, (d, c, fw) in enumerate(cards):
                render(d, c, Path(tmp) / f"out{i:04d}.{ext}", framework=fw)
            out[ext] = time.perf_counter() - t0
            if prof:
                prof.disable()
                print(f"--- {ext}")
                pstats.Stats(prof).sort_stats("tottime").print_stats(12)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    r = run(args.n, args.profile)
    if r is None:
        print("jixiao.render.render 尚不存在，跳过文档生成基准")
        return 0
    for ext in ("xlsx", "docx"):
        print(f"生成 {args.n} 份 .{ext}：{r[ext]:.2f} 秒（每份 {r[ext] / args.n * 1000:.1f} ms）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
