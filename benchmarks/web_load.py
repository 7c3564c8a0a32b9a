"""Load benchmark of the web API: uvicorn with N workers, driven by wrk, on SQLite and PostgreSQL.

Usage::

    python benchmarks/web_load.py                       # 60 s per backend and mode, 2 workers
    python benchmarks/web_load.py --duration 10 --skip-postgres --modes cached,uncached,dossier

Modes (each on the same freshly built atlas, in the same run):

- ``cached``: one evidence query repeated (served from the response cache);
- ``uncached``: the app started with every cache off (``JAKATLAS_WEB_CACHE=off``) and a wrk Lua
  script rotating several hundred different requests: study lists with varied filters (disease,
  drug, design, level, outcome, status) and pages, disease and drug records, FHIR Evidence
  searches (subject, _count, _id) and reads;
- ``dossier``: the HTML disease dossier pages of every disease in turn (normal caches).

Reports requests per second, p50 and p99 latency and errors (non-2xx responses plus socket
errors) parsed from ``wrk --latency``, the uncached/cached ratio, and prints a Markdown table.
Targets on 2 cores: cached and uncached >= 1,500 req/s with p99 < 50 ms, dossier >= 300 req/s, 0 errors.
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
import urllib.parse
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
    mode: str
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


def parse_wrk(output: str, backend: str, mode: str = "cached") -> Result:
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
    return Result(backend, mode, rps, p50, p99, total, errors)


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


def uncached_paths(limit: int = 400) -> list[str]:
    """Several hundred different, valid read requests drawn from the knowledge base (fixed seed)."""
    import random

    from jakatlas.data import knowledge_base
    from jakatlas.models.evidence import DESIGNS

    kb = knowledge_base()
    rng = random.Random(8)
    diseases = sorted({s.diseases[0].name for s in kb.studies.values() if s.diseases})
    drugs = sorted({i.name for s in kb.studies.values() for i in s.interventions if i.name in
                    {d.name for d in kb.drugs.values()}})
    studies = sorted(kb.studies)
    outcomes = ["HiSCR", "SALT", "EASI", "IGA", "itch", "response", "mRSS", "PASI"]
    paths: list[str] = []
    q = urllib.parse.quote
    while len(paths) < limit:
        kind = rng.randrange(10)
        if kind <= 3:
            params: dict[str, object] = {}
            if rng.random() < 0.6:
                params["disease"] = rng.choice(diseases)
            if rng.random() < 0.4:
                params["drug"] = rng.choice(drugs)
            if rng.random() < 0.2:
                params["design"] = rng.choice(list(DESIGNS))
            if rng.random() < 0.3:
                params["level"] = rng.randint(1, 5)
            if rng.random() < 0.2:
                params["outcome"] = rng.choice(outcomes)
            if rng.random() < 0.2:
                params["status"] = rng.choice(["curated", "all", "candidate"])
            params["limit"] = rng.choice([5, 10, 20, 50])
            params["offset"] = rng.choice([0, 0, 5, 10, 20])
            paths.append("/api/v1/studies?" + urllib.parse.urlencode(params))
        elif kind == 4:
            paths.append(f"/api/v1/diseases/{q(rng.choice(diseases), safe='')}")
        elif kind == 5:
            paths.append(f"/api/v1/drugs/{q(rng.choice(drugs), safe='')}")
        elif kind == 6:
            paths.append(f"/api/v1/studies/{q(rng.choice(studies), safe='')}")
        elif kind == 7:
            params = {"subject": rng.choice(diseases), "_count": rng.choice([5, 10, 20])}
            if rng.random() < 0.3:
                params["drug"] = rng.choice(drugs)
            paths.append("/fhir/Evidence?" + urllib.parse.urlencode(params))
        elif kind == 8:
            paths.append(f"/fhir/Evidence?_id={q(rng.choice(studies), safe='')}")
        else:
            paths.append(f"/fhir/Evidence/{q(rng.choice(studies), safe='')}")
    return list(dict.fromkeys(paths))


def dossier_paths() -> list[str]:
    from jakatlas.data import knowledge_base

    return [f"/diseases/{urllib.parse.quote(d, safe='')}" for d in sorted(knowledge_base().diseases)]


def _lua(paths: list[str]) -> str:
    items = ",\n".join('  "' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    return ("local paths = {\n" + items + "\n}\nlocal i = 0\n"
            "request = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")


def run_backend(backend: str, url: str, *, mode: str, duration: int, workers: int, threads: int,
                connections: int) -> Result:
    """Start uvicorn on ``url``, check and warm every request, drive it with wrk and stop it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "JAKATLAS_DB": url, "JAKATLAS_WEB_CACHE": "off" if mode == "uncached" else "on"}
    cmd = [sys.executable, "-m", "uvicorn", "jakatlas.web.app:create_app_from_env", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
           "--log-level", "warning", "--no-access-log"]
    paths = {"cached": [QUERY], "uncached": uncached_paths(), "dossier": dossier_paths()}[mode]
    proc = subprocess.Popen(cmd, env=env)
    try:
        _wait_ready(base, proc)
        for _ in range(workers * 2):  # every request answers 200, and every worker is warm
            for p in paths if len(paths) > 1 else paths * 50:
                with urllib.request.urlopen(base + p, timeout=30) as r:
                    r.read()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(_lua(paths))
        try:
            out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                                  "--timeout", "5s", "-s", lua.name, base], capture_output=True, text=True,
                                 check=True).stdout
        finally:
            os.unlink(lua.name)
        print(out, file=sys.stderr)
        return parse_wrk(out, backend, mode)
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


TARGETS = {"cached": 1500, "uncached": 1500, "dossier": 300}


def table(results: list[Result], *, duration: int, workers: int, connections: int) -> str:
    lines = [f"uvicorn {workers} workers, wrk {connections} connections, {duration} s per row, "
             f"{os.cpu_count()} CPU cores, load average before the run {os.getloadavg()[0]:.1f}.", "",
             "| backend | mode | req/s | p50 (ms) | p99 (ms) | requests | errors |",
             "|---|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.backend} | {r.mode} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
              f"{r.requests:,} | {r.errors} |" for r in results]
    for backend in dict.fromkeys(r.backend for r in results):
        by = {r.mode: r for r in results if r.backend == backend}
        if "cached" in by and "uncached" in by:
            lines.append(f"\n{backend}: uncached/cached throughput ratio "
                         f"{by['uncached'].requests_per_s / by['cached'].requests_per_s:.2f}")
    return "\n".join(lines)


def _met(r: Result) -> bool:
    p99_ok = r.p99_ms < 50 or r.mode == "dossier"
    return r.requests_per_s >= TARGETS[r.mode] and p99_ok and r.errors == 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=60, help="seconds of load per backend and mode (default 60)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections")
    ap.add_argument("--modes", default="cached,uncached,dossier", help="comma-separated: cached,uncached,dossier")
    ap.add_argument("--skip-postgres", action="store_true")
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk).", file=sys.stderr)
        return 2
    modes = [m for m in args.modes.split(",") if m]
    if not set(modes) <= set(TARGETS):
        print(f"unknown mode in {args.modes!r}; choose from {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    results = []
    kw = {"duration": args.duration, "workers": args.workers, "threads": args.threads,
          "connections": args.connections}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'atlas.db'}"
        _build(url)
        for mode in modes:
            results.append(run_backend("SQLite (WAL)", url, mode=mode, **kw))
    schema = None if args.skip_postgres else _pg_schema()
    if schema:
        try:
            url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
            _build(url)
            for mode in modes:
                results.append(run_backend("PostgreSQL", url, mode=mode, **kw))
        finally:
            _drop_schema(schema)
    print(table(results, duration=args.duration, workers=args.workers, connections=args.connections))
    ok = all(_met(r) for r in results)
    print("\nTargets (cached and uncached >= 1,500 req/s with p99 < 50 ms, dossier >= 300 req/s, 0 errors):",
          "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
