"""Inputs of ``jakatlas extract`` and ``add``: a file, '-', a folder or a glob; long-document progress."""

from __future__ import annotations

import glob
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from jakatlas.errors import InputError

if TYPE_CHECKING:
    from jakatlas.ingest.document import Document
    from jakatlas.models.evidence import ExtractionResult

__all__ = ["PROGRESS_CHARS", "expand_paths", "extract_with_progress"]

#: Documents longer than this show a progress bar on a terminal.
PROGRESS_CHARS = 1_000_000


def expand_paths(spec: str) -> list[str]:
    """``-``, a file, the files of a folder (sorted, hidden ones and ``.md5`` skipped) or a glob's matches."""
    if spec == "-":
        return ["-"]
    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".md5"))
    elif path.exists() or not glob.has_magic(spec):
        return [spec]  # a file, or a missing path whose reader error says so
    else:
        files = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
    if not files:
        raise InputError(f"{spec}: no files found; give a file, a folder or a glob such as 'reports/*.txt'.")
    return [str(p) for p in files]


@contextmanager
def _bar(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def extract_with_progress(document: Document, label: str) -> ExtractionResult:
    """Extract ``document`` section by section; a progress bar shows for long ones on a terminal."""
    from jakatlas.bulk.chunked import extract_long

    if len(document.text) <= PROGRESS_CHARS or not sys.stderr.isatty():
        return extract_long(document)
    with _bar(f"Extracting {label}", len(document.text)) as advance:
        return extract_long(document, progress=advance)
