"""Load benchmark of the web app: concurrent users against a uvicorn server on loopback.

    .venv/bin/python benchmarks/bench_web.py [--users 20] [--requests 3000] [--think 0] [--workers 2]
                                             [--endpoint-cpu 200] [--profile]

Seeds a fresh data folder (units, one unit user per unit with a scored dossier, a reviewer), starts
``uvicorn`` in a subprocess on a free loopback port, then runs ``--users`` client threads (httpx) that each
log in and cycle through the main pages and API calls until ``--requests`` requests have been made in
total. Prints p50/p95/max per endpoint for SQLite, and for PostgreSQL too when JIXIAO_TEST_PG_URL is set.
Target: p95 ≤ 50 ms at 20 concurrent users on SQLite; each run prints whether it was met in its setting.
With no think time the users form a closed loop that keeps the server saturated, so latency there is about
users ÷ throughput whatever the code does; the 0.5 s think-time run is the one that resembles people.

Each run also prints the server's CPU per request (from /proc, the server and its worker processes) and the
load generator's, and from them the throughput this machine can reach and, by Little's law, the least mean
latency of the no-pause run. ``--endpoint-cpu N`` then requests each endpoint N times from one client and
prints the server CPU per request of each; ``--profile`` runs the server under cProfile (every thread,
thread CPU time, from the start of the measured run) and prints the top functions.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
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
profiles = []
if sys.argv[4]:
    # Sync routes run on worker threads: every new thread gets its own profiler, merged at shutdown. They
    # count thread CPU time, not wall time (threads waiting for the GIL are not "busy"), and are cleared on
    # SIGUSR1 when the measured run starts, so logins and cold caches are left out.
    import cProfile, signal, threading, time

    def _start(*_args):
        sys.setprofile(None)
        prof = cProfile.Profile(time.thread_time)
        profiles.append(prof)
        prof.enable()

    threading.setprofile(_start)
    _start()
    signal.signal(signal.SIGUSR1, lambda *_args: [prof.clear() for prof in profiles])
    # uvicorn re-raises SIGTERM after its graceful shutdown; a no-op handler lets us dump the profile.
    signal.signal(signal.SIGTERM, lambda *_args: None)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning",
            access_log=False)
if profiles:
    import pstats

    stats = pstats.Stats(profiles[0])
    for prof in profiles[1:]:
        stats.add(prof)
    stats.dump_stats(sys.argv[4])
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


def endpoint_cpu(base: str, pid: int, repeat: int) -> dict[str, tuple[float, float]]:
    """Server CPU ms and wall ms per request for each endpoint, one client at a time (nothing else running)."""
    out: dict[str, tuple[float, float]] = {}
    clients = {}
    for username in ("unit00", "reviewer"):
        client = httpx.Client(base_url=base, timeout=30)
        login = client.post("/api/login", json={"username": username, "password": PASSWORD}).json()
        client.headers["X-CSRF-Token"] = login["csrf_token"]
        clients[username] = client
    unit = clients["unit00"]
    d = unit.get("/api/dossiers").json()[0]["id"]
    current = unit.get(f"/api/dossiers/{d}").json()
    counter = itertools.count()

    def preview() -> dict[str, object]:
        n = next(counter)
        return {
            "data": {"version": str(current["version"]), "fig.executed_total": f"{1200 + n % 97}.{n}万元"}
        }

    def put() -> dict[str, object]:
        data = current["dossier"]
        data.setdefault("texts", {})["存在的问题"] = f"第 {next(counter)} 次修改"
        return {"json": {"version": current["version"], "dossier": data}}

    cases = [
        ("GET /dossiers/{id}", unit, "GET", f"/dossiers/{d}", None),
        ("GET /api/dossiers/{id}", unit, "GET", f"/api/dossiers/{d}", None),
        ("POST /dossiers/{id}/preview", unit, "POST", f"/dossiers/{d}/preview", preview),
        ("GET /dossiers", unit, "GET", "/dossiers", None),
        ("GET /api/dossiers/{id}/evaluation", unit, "GET", f"/api/dossiers/{d}/evaluation", None),
        ("PUT /api/dossiers/{id}", unit, "PUT", f"/api/dossiers/{d}", put),
        ("GET /dashboard", clients["reviewer"], "GET", "/dashboard", None),
        ("GET /api/dashboard", clients["reviewer"], "GET", "/api/dashboard", None),
        ("GET /api/dossiers", clients["reviewer"], "GET", "/api/dossiers", None),
    ]
    for name, client, method, url, make in cases:
        for n in range(repeat + 1):  # the first one warms up and is not counted
            if n == 1:
                cpu0, t0 = server_cpu_seconds(pid), time.perf_counter()
            resp = client.request(method, url, **(make() if make else {}))
            resp.raise_for_status()
            if method == "PUT":
                current = resp.json()
        cpu_ms = (server_cpu_seconds(pid) - cpu0) / repeat * 1000
        out[name] = (cpu_ms, (time.perf_counter() - t0) / repeat * 1000)
    for client in clients.values():
        client.close()
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index] * 1000


TARGET_P95_MS = 50.0


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server process and its worker processes, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        this, parent = int(stat.parent.name), int(fields[1])
        if this == pid or parent == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run(
    label: str,
    url: str | None,
    users: int,
    requests: int,
    think: float,
    workers: int = 1,
    profile: Path | None = None,
    cpu_repeat: int = 0,
) -> None:
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
            cmd = [sys.executable, "-c", SERVER, str(data), url or "", str(port), str(profile or "")]
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
            # Measured from the barrier on: logins and warm-up requests are counted neither in time nor CPU.
            mark: dict[str, float] = {}

            def started() -> None:
                if profile is not None:
                    server.send_signal(signal.SIGUSR1)
                mark.update(
                    cpu=server_cpu_seconds(server.pid), client=time.process_time(), t=time.perf_counter()
                )

            barrier = threading.Barrier(len(names), action=started)
            threads = [threading.Thread(target=user_loop, args=(base, n, rec, barrier, think)) for n in names]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - mark["t"]
            server_cpu = server_cpu_seconds(server.pid) - mark["cpu"]
            client_cpu = time.process_time() - mark["client"]
            per_endpoint = endpoint_cpu(base, server.pid, cpu_repeat) if cpu_repeat else {}
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
    # Little's law: a closed loop of N users with no pause keeps N requests in the system, so mean latency is
    # N ÷ throughput. Throughput is bounded by CPU: one server process holds the GIL, so it uses one core at
    # most; and the server shares this machine's cores with the load generator (the httpx users).
    server_ms, client_ms = server_cpu / total * 1000, client_cpu / total * 1000
    cores = os.cpu_count() or 1
    ceiling = min(min(workers, cores) / server_ms, cores / (server_ms + client_ms)) * 1000
    line = f"CPU 每请求：服务器 {server_ms:.1f} ms，压测客户端 {client_ms:.1f} ms"
    if not think:  # the bound speaks of a saturated closed loop, which the paced run is not
        line += (
            f"。可达上限：{workers} 个服务器进程（每进程受 GIL 限制至多 1 核）与客户端共用本机 {cores} 核，"
            f"至多约 {ceiling:.0f} 请求/秒；无间隔时平均延迟至少约 {users / ceiling * 1000:.0f} ms"
            f"（{users} ÷ 吞吐量，Little 定律；本次平均 {statistics.mean(every) * 1000:.0f} ms）"
        )
    print(line)
    if per_endpoint:
        print(f"\n单个客户端逐个请求（每端点 {cpu_repeat} 次）：服务器 CPU 与耗时，毫秒/请求")
        for name, (cpu_ms, wall_ms) in per_endpoint.items():
            print(f"  {name:38} CPU {cpu_ms:6.1f}   耗时 {wall_ms:6.1f}")
    if profile is not None and profile.exists():
        import pstats

        print(f"\n服务器 cProfile（全部线程合并，{total} 个请求），按自身耗时：")
        pstats.Stats(str(profile)).sort_stats("tottime").print_stats(25)
        print("按累计耗时：")
        pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(45)
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
    parser.add_argument(
        "--profile", action="store_true", help="在服务器进程内用 cProfile 记录所有线程，打印耗时最多的函数"
    )
    parser.add_argument(
        "--endpoint-cpu",
        type=int,
        default=0,
        metavar="N",
        help="压力测试后再逐个端点请求 N 次，报告每请求的服务器 CPU",
    )
    args = parser.parse_args()
    if args.profile and args.workers > 1:
        parser.error("--profile 只支持单个服务器进程（--workers 1）")
    thinks = [args.think] if args.think is not None else [0.0, 0.5]
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "server.prof" if args.profile else None
        for think in thinks:
            run("SQLite", None, args.users, args.requests, think, args.workers, profile, args.endpoint_cpu)
    pg = os.environ.get("JIXIAO_TEST_PG_URL")
    if pg:
        from jixiao.web.testing import temporary_pg_schema

        for think in thinks:
            with temporary_pg_schema(pg) as url:
                run(
                    "PostgreSQL", url, args.users, args.requests, think, args.workers, None, args.endpoint_cpu
                )
    else:
        print("\n（未设置 JIXIAO_TEST_PG_URL，跳过 PostgreSQL）")


if __name__ == "__main__":
    main()
