"""Bulk ingestion on Dask distributed: one task per input file, resumable after a kill.

A :class:`distributed.LocalCluster` (one single-threaded worker process per core asked for) runs
the tasks by default; give a scheduler address (``tcp://host:8786``) to use an existing cluster,
whose workers must have jakatlas installed and see the input and output folders at the same paths.
Tasks are retried (``retries``), and the scheduler reschedules the work of a worker that dies.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from jakatlas.bulk.inputs import InputFile, discover_inputs
from jakatlas.bulk.manifest import ManifestEntry, parser_version, pipeline_version, read_manifest
from jakatlas.bulk.task import TaskOutcome, process_file
from jakatlas.errors import InputError, JakatlasError

__all__ = ["IngestSummary", "run_ingest", "to_run"]


class IngestSummary(BaseModel):
    """The outcome of one ``jakatlas ingest`` run."""

    out: str
    inputs: int
    processed: list[ManifestEntry]
    skipped: list[str]
    failed: dict[str, str]
    seconds: float
    workers: int

    @property
    def records(self) -> int:
        return sum(e.records for e in self.processed)

    @property
    def candidates(self) -> int:
        return sum(e.candidates for e in self.processed)


def to_run(inputs: list[InputFile], done: dict[str, ManifestEntry]) -> tuple[list[InputFile], list[str]]:
    """Split inputs into those to process and those whose manifest entry is current.

    An entry is current when its MD5 equals the sidecar's (or the file's, without a sidecar) and
    both parser and pipeline versions are today's.
    """
    from jakatlas.bulk.inputs import file_md5

    todo: list[InputFile] = []
    skipped: list[str] = []
    for spec in inputs:
        entry = done.get(spec.name)
        current = (
            entry is not None
            and entry.parser_version == parser_version()
            and entry.pipeline_version == pipeline_version()
            and entry.md5 == (spec.expected_md5 or file_md5(Path(spec.path)))
        )
        (skipped.append(spec.name) if current else todo.append(spec))
    return todo, skipped


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator[object]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise JakatlasError(
            "Bulk ingestion needs Dask distributed and pyarrow; install them with "
            "pip install -e \".[bulk]\" -c constraints.txt."
        ) from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise JakatlasError(
                f"Cannot reach the Dask scheduler at {scheduler} ({exc}); check the address and that "
                "'dask scheduler' is running there."
            ) from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def run_ingest(
    specs: list[str],
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    retries: int = 2,
    show_progress: bool = True,
    client: Any = None,
) -> IngestSummary:
    """Ingest every input of ``specs`` (folders, files, globs) into ``out``; see the module docs.

    ``workers=0`` runs the tasks one after another in this process, without Dask; ``client`` (a
    ``distributed.Client``) uses that client's cluster instead of starting one. Without
    ``resume`` an output folder that already holds manifest entries is refused, so two
    different ingests never mix.
    """
    started = time.perf_counter()
    out_dir = Path(out).resolve()
    inputs = discover_inputs(specs)
    done = read_manifest(out_dir)
    if done and not resume:
        raise InputError(
            f"{out_dir} already holds an ingest ({len(done)} inputs done); pass --resume to continue it "
            "or choose an empty --out folder."
        )
    todo, skipped = to_run(inputs, done)
    outcomes: list[TaskOutcome] = []
    failed: dict[str, str] = {}
    n_workers = 0
    if todo and workers == 0 and not scheduler:  # in this process, no cluster (small inputs, debugging)
        outcomes = [process_file(spec, str(out_dir)) for spec in todo]
    elif todo:
        with contextlib.nullcontext(client) if client is not None else _client(workers, scheduler) as client:
            from distributed import progress

            futures = [
                client.submit(process_file, spec, str(out_dir), key=f"ingest-{spec.name}",  # type: ignore[attr-defined]
                              retries=retries, pure=False)
                for spec in todo
            ]
            if show_progress:
                progress(futures, notebook=False)
                print(flush=True)
            for spec, fut in zip(todo, futures, strict=True):
                try:
                    outcomes.append(fut.result())
                except Exception as exc:  # noqa: BLE001  (a task that failed after its retries)
                    failed[spec.name] = f"{spec.name}: task failed after {retries} retries: {exc!r}"
            # counted at the end: workers of an existing cluster may join while the tasks run
            n_workers = len(client.scheduler_info()["workers"])  # type: ignore[attr-defined]
    for o in outcomes:
        if o.status != "done":
            failed[o.input] = o.error or "failed"
    processed = [o.entry for o in outcomes if o.entry is not None]
    return IngestSummary(out=str(out_dir), inputs=len(inputs), processed=processed, skipped=skipped,
                         failed=failed, seconds=round(time.perf_counter() - started, 3), workers=n_workers)
