#!/usr/bin/env python3
"""Start-up time of the ``jakatlas`` command against a bare ``python -c pass`` in the same run.

Each command runs ``--repeat`` times in a fresh interpreter, interleaved with the baseline so that
load from elsewhere on the machine hits both alike; the figure is the median wall-clock time.

    python benchmarks/cli_startup.py [--repeat 15]

Target: ``jakatlas --help`` under 0.3 s. The last lines printed are a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "jakatlas --help": [sys.executable, "-c", "from jakatlas.cli import main; main()", "--help"],
    "jakatlas meta --help": [sys.executable, "-c", "from jakatlas.cli import main; main()", "meta", "--help"],
    "jakatlas drugs": [sys.executable, "-c", "from jakatlas.cli import main; main()", "drugs", "-f", "json"],
}


def _once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.repeat):
        for name, argv in CASES.items():
            times[name].append(_once(argv))
    base = statistics.median(times["python -c pass (baseline)"])
    print("| command | median (s) | x baseline |")
    print("|---|---:|---:|")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| `{name}` | {med:.3f} | {med / base:.1f}x |")


if __name__ == "__main__":
    main()
