"""Scoring throughput: 10,000 dossiers varied from examples/*.yaml, scored against their frameworks.

    .venv/bin/python benchmarks/bench_score.py [--n 10000] [--profile] [--jobs 2]

Each variant scales every amount figure of an example by a random exact factor (so rates, ratios and
tiers land in different bands), perturbs the 实际完成值 of every indicator and flips some checklist
answers. Building the variants is not timed; loading the framework is done once (it is cached in use
too). Target: 10,000 dossiers scored in ≤ 2 s on one core. Every timed run starts from empty caches (no
framework plan, no remembered indicator results): what one run's dossiers have in common is all it reuses.

``--jobs N`` also times ``score_many(..., jobs=N, then=total)`` (forked workers, each total computed where
its scorecard is): wall-clock seconds and the CPU seconds of all processes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0


def variants(n: int, seed: int = 11) -> list:  # type: ignore[type-arg]
    from jixiao.dossier_io import load_dossier

    bases = [load_dossier(p) for p in sorted((REPO / "examples").glob("*.yaml"))]
    bases = [b for b in bases if b.framework]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = bases[i % len(bases)]
        factor = Decimal(rng.randint(70, 130)) / 100
        figures = {}
        for key, fig in base.figures.items():
            if fig.unit in ("元", "万元", "亿元") and rng.random() < 0.6:
                figures[key] = fig.model_copy(
                    update={"value": (fig.value * factor).quantize(Decimal("0.01"))}
                )
            elif fig.unit == "%" and rng.random() < 0.5:
                figures[key] = fig.model_copy(update={"value": Decimal(rng.randint(6000, 10500)) / 100})
            else:
                figures[key] = fig
        projects = []
        for pr in base.projects:
            inds = []
            for ind in pr.indicators:
                actual = ind.actual
                if actual and rng.random() < 0.5:
                    # scale the first number of the actual value: short, met, over-achieved
                    actual = re.sub(
                        r"\d+(?:\.\d+)?",
                        lambda m, f=factor: str((Decimal(m.group()) * f).quantize(Decimal("0.01"))),
                        actual,
                        count=1,
                    )
                inds.append(ind.model_copy(update={"actual": actual}))
            projects.append(pr.model_copy(update={"indicators": inds}))
        management = {k: (v if rng.random() < 0.9 else "否") for k, v in base.management.items()}
        out.append(
            base.model_copy(update={"figures": figures, "projects": projects, "management": management})
        )
    return out


def _cold() -> None:
    """Forget framework plans and the text caches of jixiao.targets, as in a fresh process."""
    from jixiao import targets
    from jixiao.scoring import forget_plans

    forget_plans()
    for cache in (targets._cached_attainment, targets._parse_target, targets._parse_actual):
        cache.cache_clear()


def run(n: int = 10_000, profile: bool = False, jobs: int = 0) -> dict[str, float]:
    from jixiao.frameworks import load_framework
    from jixiao.scoring import score, score_many

    dossiers = variants(n)
    frameworks = {fid: load_framework(fid) for fid in {d.framework for d in dossiers}}
    out: dict[str, float] = {}
    if jobs > 1:
        _cold()
        for d in dossiers[:10]:
            score(d, frameworks[d.framework])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0, c0 = time.perf_counter(), time.process_time()
        totals = score_many(dossiers, frameworks, jobs=jobs, then=_total)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        out |= {
            "jobs": jobs,
            "jobs_seconds": time.perf_counter() - t0,
            "jobs_cpu_seconds": time.process_time() - c0 + children,
            "jobs_distinct_totals": len(set(totals)),
        }
    _cold()
    for d in dossiers[:10]:  # warm the plan and regexes, as a long-running process has them
        score(d, frameworks[d.framework])
    prof = cProfile.Profile() if profile else None
    if prof:
        prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    totals = [score(d, frameworks[d.framework]).total for d in dossiers]
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof:
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    distinct = len({t for t in totals})
    return {
        "n": n,
        "seconds": secs,
        "cpu_seconds": cpu,
        "per_second": n / secs,
        "distinct_totals": distinct,
        **out,
    }


def _total(card: object) -> object:
    return card.total  # type: ignore[attr-defined]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--profile", action="store_true", help="print the cProfile top entries")
    ap.add_argument("--jobs", type=int, default=0, help="also time score_many on this many processes")
    args = ap.parse_args()
    r = run(args.n, args.profile, args.jobs)
    scaled = r["cpu_seconds"] * 10_000 / r["n"]
    ok = "达标" if scaled <= TARGET_SECONDS else "未达标"
    print(
        f"评分 {r['n']} 份档案：墙钟 {r['seconds']:.2f} 秒，CPU {r['cpu_seconds']:.2f} 秒"
        f"（{r['per_second']:.0f} 份/秒，总分取值 {r['distinct_totals']} 种）；"
        f"目标 10,000 份 ≤ {TARGET_SECONDS:g} 秒（按 CPU 时间判定，不受机器上其他进程影响）—— {ok}"
    )
    if "jobs" in r:
        print(
            f"score_many，{r['jobs']:.0f} 个进程：墙钟 {r['jobs_seconds']:.2f} 秒，"
            f"各进程 CPU 合计 {r['jobs_cpu_seconds']:.2f} 秒（总分取值 {r['jobs_distinct_totals']:.0f} 种）"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
