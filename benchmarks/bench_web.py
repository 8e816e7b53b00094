"""Load benchmark of the web app: concurrent users against a uvicorn server on loopback.

    .venv/bin/python benchmarks/bench_web.py [--users 20] [--requests 3000]

Seeds a fresh data folder (units, one unit user per unit with a scored dossier, a reviewer), starts
``uvicorn`` in a subprocess on a free loopback port, then runs ``--users`` client threads (httpx) that each
log in and cycle through the main pages and API calls until ``--requests`` requests have been made in
total. Prints p50/p95/max per endpoint for SQLite, and for PostgreSQL too when JIXIAO_TEST_PG_URL is set.
Target: p95 ≤ 50 ms at 20 concurrent users on SQLite; each run prints whether it was met in its setting.
With no think time the users form a closed loop that keeps the server saturated, so latency there is about
users ÷ throughput whatever the code does; the 0.5 s think-time run is the one that resembles people.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

PASSWORD = "bench-password-1"
SERVER = """
import sys, uvicorn
from jixiao.web.app import create_app
from jixiao.web.testing import settings_for_tests
settings = settings_for_tests(__import__("pathlib").Path(sys.argv[1]), sys.argv[2] or None)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning",
            access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(data: Path, url: str | None, units: int) -> None:
    from jixiao.web.demo import demo_dossier
    from jixiao.web.services import dossier_data, evaluate
    from jixiao.web.testing import make_app

    app = make_app(data, url)
    jx = app.state.jx
    hashed = jx.hasher.hash(PASSWORD)
    jx.store.create_user("reviewer", hashed, "reviewer")
    for n in range(units):
        unit = jx.store.create_unit(f"基准测试单位{n:02d}", "基准区")
        jx.store.create_user(f"unit{n:02d}", hashed, "unit", unit.id)
        from decimal import Decimal

        dossier = demo_dossier(unit.name, "基准区", 2024, Decimal("0.8") + Decimal(n % 5) / 25)
        dossier = dossier.model_copy(update={"framework": jx.catalog.default_for(dossier.kind)})
        jx.store.create_dossier(
            unit.id,
            dossier_data(dossier),
            year=2024,
            kind=dossier.kind,
            user_id=None,
            summary=evaluate(jx, dossier).summary(),
        )
    jx.store.dispose()


class Recorder:
    def __init__(self, budget: int) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.budget = budget
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.budget <= 0:
                return False
            self.budget -= 1
            return True

    def record(self, name: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[name].append(seconds)
            if not ok:
                self.errors[name] += 1


def user_loop(base: str, username: str, rec: Recorder, start: threading.Barrier, think: float) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.post("/api/login", json={"username": username, "password": PASSWORD})
        login.raise_for_status()
        csrf = login.json()["csrf_token"]
        headers = {"X-CSRF-Token": csrf}
        reviewer = username == "reviewer"
        own = client.get("/api/dossiers").json()
        # The latest full dossier (JSON and version): read by GET /api/dossiers/{id}, replaced by each PUT,
        # so every request the server sees is a measured one.
        current = client.get(f"/api/dossiers/{own[0]['id']}").json() if own else None
        # Warm-up outside the measurement: first template compiles and first evaluations.
        for path in ("/dossiers", "/api/dossiers") + ((f"/dossiers/{current['id']}",) if current else ()):
            client.get(path)
        start.wait()
        step = itertools.count()

        def timed(name: str, method: str, url: str, **kw: object) -> httpx.Response:
            t0 = time.perf_counter()
            resp = client.request(method, url, **kw)  # type: ignore[arg-type]
            rec.record(name, time.perf_counter() - t0, resp.status_code < 400)
            return resp

        pause = random.Random(username)
        while rec.take():
            if think:
                time.sleep(pause.uniform(0.5 * think, 1.5 * think))
            n = next(step)
            if reviewer:
                name, path = [
                    ("GET /dashboard", "/dashboard"),
                    ("GET /api/dashboard", "/api/dashboard"),
                    ("GET /api/dossiers", "/api/dossiers"),
                ][n % 3]
                timed(name, "GET", path)
                continue
            assert current is not None
            d = current["id"]
            kind = n % 6
            if kind == 0:
                timed("GET /dossiers/{id}", "GET", f"/dossiers/{d}")
            elif kind == 1:
                current = timed("GET /api/dossiers/{id}", "GET", f"/api/dossiers/{d}").json()
            elif kind == 2:
                # the live panel as the user types: a value not seen before, so nothing is cached
                form = {
                    "version": str(current["version"]),
                    "fig.executed_total": f"{1200 + n % 97}.{n % 89}万元",
                    "fig.budget_total": "1338.80万元",
                }
                timed(
                    "POST /dossiers/{id}/preview",
                    "POST",
                    f"/dossiers/{d}/preview",
                    data=form,
                    headers=headers,
                )
            elif kind == 3:
                timed("GET /dossiers", "GET", "/dossiers")
            elif kind == 4:
                timed("GET /api/dossiers/{id}/evaluation", "GET", f"/api/dossiers/{d}/evaluation")
            else:
                data = current["dossier"]
                data.setdefault("texts", {})["存在的问题"] = f"第 {n} 次修改"
                resp = timed(
                    "PUT /api/dossiers/{id}",
                    "PUT",
                    f"/api/dossiers/{d}",
                    json={"version": current["version"], "dossier": data},
                    headers=headers,
                )
                current = resp.json() if resp.status_code == 200 else client.get(f"/api/dossiers/{d}").json()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index] * 1000


TARGET_P95_MS = 50.0


def run(label: str, url: str | None, users: int, requests: int, think: float, workers: int = 1) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        seed(data, url, units=max(users - 1, 1))
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if workers > 1:
            # Several processes on one database, as `jixiao serve --workers N` runs them.
            env.update(
                JIXIAO_DATA=str(data), JIXIAO_DATABASE_URL=url or f"sqlite:///{data / 'jixiao.sqlite3'}"
            )
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                "jixiao.web.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ]
        else:
            cmd = [sys.executable, "-c", SERVER, str(data), url or "", str(port)]
        server = subprocess.Popen(cmd, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/login", timeout=1).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("服务器未能启动")
                time.sleep(0.1)
            names = ["reviewer"] + [f"unit{n:02d}" for n in range(users - 1)]
            rec = Recorder(requests)
            barrier = threading.Barrier(len(names))
            threads = [threading.Thread(target=user_loop, args=(base, n, rec, barrier, think)) for n in names]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(timeout=10)
    total = sum(len(v) for v in rec.times.values())
    mode = f"每次操作间隔约 {think * 1000:.0f} ms" if think else "无间隔连续请求（压力测试）"
    mode += f"，{workers} 个进程"
    print(
        f"\n== {label}: {users} 个并发用户，{mode}，{total} 个请求，用时 {elapsed:.1f} s，"
        f"{total / elapsed:.0f} 请求/秒"
    )
    print(f"{'endpoint':38} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}")
    every: list[float] = []
    for name in sorted(rec.times):
        values = rec.times[name]
        every.extend(values)
        print(
            f"{name:38} {len(values):5d} {pct(values, 0.5):8.1f} {pct(values, 0.95):8.1f} "
            f"{max(values) * 1000:8.1f} {rec.errors[name]:6d}"
        )
    print(
        f"{'ALL':38} {len(every):5d} {pct(every, 0.5):8.1f} {pct(every, 0.95):8.1f} "
        f"{max(every) * 1000:8.1f} {sum(rec.errors.values()):6d}"
    )
    print(f"mean {statistics.mean(every) * 1000:.1f} ms")
    p95 = pct(every, 0.95)
    verdict = "达到" if p95 <= TARGET_P95_MS else "未达到"
    print(
        f"目标 p95 ≤ {TARGET_P95_MS:.0f} ms（issue 7 针对 SQLite、20 个并发用户）：{verdict}"
        f"（本次 {label}、{users} 个用户、{mode}：全部请求 p95 = {p95:.1f} ms）"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=1, help="服务器进程数（默认 1，与 jixiao serve 相同）")
    parser.add_argument(
        "--think",
        type=float,
        default=None,
        help="每个用户两次操作之间的平均间隔（秒）；默认两种都测：0（压力）和 0.5（接近真人操作）",
    )
    args = parser.parse_args()
    thinks = [args.think] if args.think is not None else [0.0, 0.5]
    for think in thinks:
        run("SQLite", None, args.users, args.requests, think, args.workers)
    pg = os.environ.get("JIXIAO_TEST_PG_URL")
    if pg:
        from jixiao.web.testing import temporary_pg_schema

        for think in thinks:
            with temporary_pg_schema(pg) as url:
                run("PostgreSQL", url, args.users, args.requests, think, args.workers)
    else:
        print("\n（未设置 JIXIAO_TEST_PG_URL，跳过 PostgreSQL）")


if __name__ == "__main__":
    main()
