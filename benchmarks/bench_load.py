"""Throughput and latency of the workplace under load: many clients at once, a read/write mix, several workers.

    python benchmarks/bench_load.py                           # 100,000 events; 1 and 2 workers; flat out and at
                                                              # 200 requests/s offered; 30 s per run
    python benchmarks/bench_load.py --workers 1 2 4 --clients 64 --seconds 20 --rate 0 150 250
    python benchmarks/bench_load.py --db load.sqlite3 --keep  # keep the store; a later run reuses it

1. load: a store of N synthetic events with their incidents (bench_web.py's loader), plus the demo's agreements and
   a monitor with an API token.
2. serve: `trucewatch serve --dev --workers W` over it, in processes of their own, on a free loopback port.
3. drive: C client threads, each on one kept-alive HTTP connection, for S seconds after a warm-up: 90% reads of the
   incident list (`/api/v1/incidents?limit=50`, first page and a filtered one, anonymous as a journalist reads it),
   10% writes (a party liaison filing a complaint through the API with a Bearer token: the complaint, its audit-log
   entry, one write transaction). Bounded: loopback only, a fixed run time.

How the client is accounted for: client and server share this machine's cores, so the figures printed are
(a) what the clients saw (requests/s, p50, p99 at the client) and (b) the server's CPU seconds per request, read from
/proc for the server's processes, and the capacity that gives on the cores the server may use when the client runs
elsewhere: capacity = cores / (server CPU seconds per request). p99 is measured at the client, so it includes the
time requests waited for a core the client was using; the server-side p99 is lower.

Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import free_port, load  # noqa: E402  (a sibling benchmark script, not a package)

START_SECONDS = 60
PASSWORD = "load-test-password-0123456789"  # a throw-away account on a throw-away store
TOKEN_FILE = "load-token.txt"  # beside the store: the liaison's API token, so a kept store can be reused


@dataclass
class Tally:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def prepare(db: Path, events: int, seed: int) -> None:
    """The store, the agreements, and a liaison officer with an API token (written beside the store)."""
    from trucewatch.jobs.accounts import add_user, new_token
    from trucewatch.storage import Database

    url = f"sqlite:///{db}"
    figures = load(url, events, seed)  # with the demo's agreements
    print(f"store: {figures['events']:,} events, {figures['incidents']:,} incidents, loaded in "
          f"{figures['seconds']:.0f} s")
    with Database.open(url) as opened:
        add_user(opened, "loadliaison", "liaison", PASSWORD, party="PAK")
        (db.parent / TOKEN_FILE).write_text(new_token(opened, "loadliaison")[1])


def serve(db: Path, workers: int) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUCEWATCH_")}
    env["TRUCEWATCH_EVIDENCE_DIR"] = str(db.parent / "evidence")
    process = subprocess.Popen(
        [sys.executable, "-c", "from trucewatch.cli.main import main; main()", "serve", "--dev", "--port", str(port),
         "--workers", str(workers), "--db", str(db)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                time.sleep(1.0 * workers)  # every worker up, not only the first
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start: {process.communicate()[1][-2000:]}")


def cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its children (uvicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in [root, *_children(root)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found += [int(entry.name), *_children(int(entry.name))]
    return found


def client(port: int, until: float, tally: Tally, rng: random.Random, warm_until: float, token: str,
           interval: float | None, writes: float) -> None:
    """Requests one after the other (closed loop), or, given `interval`, one every `interval` seconds on a fixed
    schedule (open loop): then a request's time runs from when it was due, so a slow answer that delays the next
    request is counted against the server, not hidden."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    reads = ["/api/v1/incidents?limit=50", "/api/v1/incidents?limit=50&country=Pakistan&type=Armed%20clash"]
    due = time.perf_counter() + (rng.random() * interval if interval else 0.0)
    while time.monotonic() < until:
        write = rng.random() < writes
        if interval:
            time.sleep(max(0.0, due - time.perf_counter()))
            start, due = due, due + interval
        else:
            start = time.perf_counter()
        try:
            if write:
                body = urlencode({"text": f"Shelling reported near a post, load test {rng.random():.6f}"})
                conn.request("POST", "/api/v1/complaints", body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {token}"})
            else:
                conn.request("GET", rng.choice(reads))
            answer = conn.getresponse()
            answer.read()
            status = answer.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        if time.monotonic() >= warm_until:
            tally.add(time.perf_counter() - start, status)
    conn.close()


def run(port: int, server: subprocess.Popen[str], clients: int, seconds: float, seed: int,
        token: str, rate: float | None, writes: float) -> dict[str, float]:
    tally = Tally()
    warm = 3.0
    begin = time.monotonic()
    warm_until, until = begin + warm, begin + warm + seconds
    interval = clients / rate if rate else None
    threads = [threading.Thread(target=client,
                                args=(port, until, tally, random.Random(seed + i), warm_until, token, interval,
                                      writes))
               for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, warm_until - time.monotonic()))
    cpu_before, client_before = cpu_seconds(server.pid), time.process_time()
    for t in threads:
        t.join()
    cpu = cpu_seconds(server.pid) - cpu_before
    client_cpu = time.process_time() - client_before
    n = len(tally.latencies)
    ordered = sorted(tally.latencies)
    return {"requests": n, "rps": n / seconds, "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(n - 1, int(0.99 * n))] * 1000, "server_cpu_ms": cpu / max(n, 1) * 1000,
            "client_cpu_ms": client_cpu / max(n, 1) * 1000,
            "errors": sum(c for s, c in tally.statuses.items() if s == 0 or s >= 500),
            "throttled": tally.statuses.get(429, 0)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--writes", type=float, default=0.10, help="share of requests that file a complaint")
    parser.add_argument("--rate", type=float, nargs="*", default=[0, 200],
                        help="offered requests/s in all (open loop); 0: as fast as the clients go (closed loop)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, default=None, help="store to use (made if missing)")
    parser.add_argument("--keep", action="store_true", help="keep the store made in --db")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or Path(scratch) / "load.sqlite3"
        if not db.exists():
            prepare(db, args.events, args.seed)
        cores = os.cpu_count() or 1
        print(f"{cores} cores; {args.clients} clients, {args.seconds:.0f} s each run after 3 s of warm-up; "
              f"{1 - args.writes:.0%} incident list (anonymous), "
              f"{args.writes:.0%} complaints filed (a liaison's token)")
        print(f"{'workers':>7} {'offered':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>4} {'429':>5} "
              f"{'server CPU ms/req':>17} {'client CPU ms/req':>17} {'capacity on ' + str(cores) + ' cores':>20}")
        token = (db.parent / TOKEN_FILE).read_text()
        for workers in args.workers:
            for rate in args.rate:
                server, port = serve(db, workers)
                try:
                    f = run(port, server, args.clients, args.seconds, args.seed, token, rate or None, args.writes)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                capacity = cores / (f["server_cpu_ms"] / 1000) if f["server_cpu_ms"] else float("nan")
                offered = f"{rate:.0f}/s" if rate else "max"
                print(f"{workers:>7} {offered:>8} {f['rps']:>7.0f} {f['p50_ms']:>7.1f} {f['p99_ms']:>7.1f} "
                      f"{f['errors']:>4.0f} {f['throttled']:>5.0f} {f['server_cpu_ms']:>17.2f} "
                      f"{f['client_cpu_ms']:>17.2f} {capacity:>14.0f} req/s", flush=True)
        if args.db and not args.keep and args.db.exists():
            args.db.unlink()


if __name__ == "__main__":
    main()
