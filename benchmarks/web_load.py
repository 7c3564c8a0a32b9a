"""Load benchmark of the web API: uvicorn with N workers, driven by wrk, on SQLite and PostgreSQL.

Usage::

    python benchmarks/web_load.py                       # 60 s per backend, 2 workers
    python benchmarks/web_load.py --duration 10 --skip-postgres

Reports requests per second, p50 and p99 latency and errors (non-2xx responses plus socket
errors) parsed from ``wrk --latency``, and prints a Markdown table for the README.
Target on 2 cores: >= 1,000 req/s, p99 < 50 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

QUERY = "/api/v1/studies?disease=hidradenitis%20suppurativa"
PG_BASE = os.environ.get("JAKATLAS_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


@dataclass(frozen=True)
class Result:
    backend: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"cannot read wrk latency {text!r}")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str, backend: str) -> Result:
    """Read req/s, p50, p99, total requests and errors from ``wrk --latency`` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    return Result(backend, rps, p50, p99, total, errors)


def _build(url: str) -> None:
    from jakatlas.store.atlas import Atlas

    Atlas(url).build()


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not become ready in time")


def run_backend(backend: str, url: str, *, duration: int, workers: int, threads: int, connections: int) -> Result:
    """Start uvicorn on ``url``, warm it up, drive it with wrk and stop it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "JAKATLAS_DB": url}
    cmd = [sys.executable, "-m", "uvicorn", "jakatlas.web.app:create_app_from_env", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
           "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=env)
    try:
        _wait_ready(base, proc)
        for _ in range(50 * workers):  # warm every worker's cache and connection pool
            with urllib.request.urlopen(base + QUERY, timeout=10) as r:
                r.read()
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                              "--timeout", "5s", base + QUERY], capture_output=True, text=True, check=True).stdout
        print(out, file=sys.stderr)
        return parse_wrk(out, backend)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _pg_schema() -> str | None:
    try:
        import psycopg

        schema = f"jk_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        return schema
    except Exception as exc:  # noqa: BLE001 - any failure means: skip PostgreSQL with a reason
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def table(results: list[Result], *, duration: int, workers: int, connections: int) -> str:
    lines = [f"Evidence query `GET {QUERY}`, uvicorn {workers} workers, wrk {connections} connections, "
             f"{duration} s, {os.cpu_count()} CPU cores.", "",
             "| backend | req/s | p50 (ms) | p99 (ms) | requests | errors |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.backend} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.requests:,} | {r.errors} |"
              for r in results]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=60, help="seconds of load per backend (default 60)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections")
    ap.add_argument("--skip-postgres", action="store_true")
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk).", file=sys.stderr)
        return 2
    results = []
    kw = {"duration": args.duration, "workers": args.workers, "threads": args.threads,
          "connections": args.connections}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'atlas.db'}"
        _build(url)
        results.append(run_backend("SQLite (WAL)", url, **kw))
    schema = None if args.skip_postgres else _pg_schema()
    if schema:
        try:
            url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
            _build(url)
            results.append(run_backend("PostgreSQL", url, **kw))
        finally:
            _drop_schema(schema)
    print(table(results, duration=args.duration, workers=args.workers, connections=args.connections))
    ok = all(r.requests_per_s >= 1000 and r.p99_ms < 50 and r.errors == 0 for r in results)
    print("\nTarget (>= 1,000 req/s, p99 < 50 ms, 0 errors):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
