"""``--scheduler``: the same ingest on an existing Dask cluster (a scheduler and a worker started here)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jakatlas.bulk import latest_summary, run_ingest

SRC = Path(__file__).resolve().parents[2] / "src"
SHARED_XML = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "pubmed_xml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_ingest_runs_on_an_existing_scheduler(tmp_path: Path) -> None:
    if not SHARED_XML.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED_XML}")
    folder = tmp_path / "in"
    shutil.copytree(SHARED_XML, folder)
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--no-dashboard"], env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(1)
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                       "--no-dashboard"], env=env, start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        summary = run_ingest([str(folder)], tmp_path / "out", scheduler=address, show_progress=False)
        assert summary.failed == {} and summary.workers == 1
        assert [e.input for e in summary.processed] == ["pubmed1.xml", "pubmed2.xml"]
        assert latest_summary(tmp_path / "out")["citations"] == 4
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
