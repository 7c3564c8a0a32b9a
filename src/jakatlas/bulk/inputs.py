"""Finding bulk inputs (PubMed baseline/update files) and checking them against their ``.md5`` files.

NLM publishes each ``pubmedNNnXXXX.xml.gz`` with a sidecar ``pubmedNNnXXXX.xml.gz.md5`` reading
``MD5(pubmedNNnXXXX.xml.gz)= <hex>``; the ``md5sum`` format (``<hex>  <name>``) is accepted too.
Update files continue the baseline's numbering, so name order is application order.
"""

from __future__ import annotations

import glob
import hashlib
import re
from pathlib import Path

from pydantic import BaseModel

from jakatlas.errors import InputError

__all__ = ["InputFile", "discover_inputs", "file_md5", "read_md5_sidecar"]

_PATTERNS = ("*.xml.gz", "*.xml")
_HEX = re.compile(r"\b([0-9a-fA-F]{32})\b")


class InputFile(BaseModel):
    """One input file: its path, name (unique within a run) and the MD5 its sidecar promises."""

    path: str
    name: str
    size: int
    expected_md5: str | None = None


def read_md5_sidecar(path: Path) -> str | None:
    """The MD5 hex digest in ``path.md5`` (either format), or ``None`` when there is no sidecar."""
    sidecar = path.with_name(path.name + ".md5")
    if not sidecar.is_file():
        return None
    match = _HEX.search(sidecar.read_text("ascii", "replace"))
    if match is None:
        raise InputError(f"{sidecar}: no MD5 digest found; download the .md5 file again or delete it.")
    return match.group(1).lower()


def file_md5(path: Path, chunk: int = 1 << 20) -> str:
    """MD5 of the file's bytes, read in 1 MB chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _candidates(spec: str) -> list[Path]:
    path = Path(spec)
    if path.is_dir():
        return sorted({p for pattern in _PATTERNS for p in path.glob(pattern) if p.is_file()})
    if path.is_file():
        return [path]
    matched = [Path(p) for p in glob.glob(spec, recursive=True)]
    return sorted(p for p in matched if p.is_file() and not p.name.endswith(".md5"))


def discover_inputs(specs: list[str]) -> list[InputFile]:
    """Input files named by folders, files or glob patterns, in application (name) order.

    Raises :class:`InputError` when nothing matches or two inputs share a file name.
    """
    found: dict[str, Path] = {}
    for spec in specs:
        paths = _candidates(spec)
        if not paths:
            raise InputError(
                f"{spec}: no PubMed XML files found (looked for pubmed*.xml.gz and *.xml); "
                "give a folder, a file or a glob such as 'baseline/pubmed*.xml.gz'."
            )
        for p in paths:
            previous = found.get(p.name)
            if previous is not None and previous.resolve() != p.resolve():
                raise InputError(
                    f"Two inputs are both named {p.name} ({previous} and {p}); outputs are keyed by file "
                    "name, so ingest them into separate --out folders."
                )
            found[p.name] = p
    return [
        InputFile(path=str(p), name=name, size=p.stat().st_size, expected_md5=read_md5_sidecar(p))
        for name, p in sorted(found.items())
    ]
