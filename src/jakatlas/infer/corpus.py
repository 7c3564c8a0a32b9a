"""Read a directory in the Evidence Inference 2.0 layout (DeYoung et al., BioNLP 2020,
doi:10.18653/v1/2020.bionlp-1.13): ``articles/PMC<id>.txt``, ``prompts.csv``,
``v2_annotations.csv`` and ``splits/*.txt`` (one PMCID a line).

A prompt's gold label is the majority of its annotators' labels among annotations marked valid
(ties go to the label given first); its evidence spans are every valid annotation's
``[Evidence Start, Evidence End)`` range in the article text.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from jakatlas.errors import InputError

__all__ = ["LABELS", "Example", "article_path", "file_sha256", "load_examples", "normalise_label", "read_article",
           "read_split"]

LABELS: tuple[str, str, str] = ("significantly decreased", "no significant difference", "significantly increased")
_ALIASES = {"significantly increase": "significantly increased", "significantly decrease": "significantly decreased"}
_PROMPT_COLUMNS = {"PromptID", "PMCID", "Outcome", "Intervention", "Comparator"}
_ANNOTATION_COLUMNS = {"PromptID", "PMCID", "Valid Label", "Label", "Evidence Start", "Evidence End"}


@dataclass
class Example:
    """One prompt of the corpus with its article, gold label and evidence spans."""

    prompt_id: str
    pmcid: str
    intervention: str
    comparator: str
    outcome: str
    label: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (span text, annotator's label)


def normalise_label(raw: str) -> str:
    """Map the corpus' label spellings onto :data:`LABELS`; raise on anything else."""
    label = _ALIASES.get(raw.strip().lower(), raw.strip().lower())
    if label not in LABELS:
        raise InputError(f"unknown label {raw!r}: expected one of {', '.join(LABELS)}.")
    return label


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_split(path: Path) -> list[str]:
    """The PMCIDs of a split file (one a line, blank lines ignored)."""
    try:
        ids = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        raise InputError(f"{path}: split file not found. Pass a file of PMCIDs, one a line.") from None
    bad = [i for i in ids if not i.isdigit()]
    if bad:
        raise InputError(f"{path}: {bad[0]!r} is not a PMCID. A split file holds numeric PMCIDs, one a line.")
    return ids


def _rows(path: Path, needed: set[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(f"{path} is missing. The directory needs articles/, prompts.csv, v2_annotations.csv "
                         "and splits/ as in Evidence Inference 2.0.")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}.")
        return list(reader)


def article_path(root: Path, pmcid: str) -> Path:
    return root / "articles" / f"PMC{pmcid}.txt"


def read_article(root: Path, pmcid: str) -> str:
    """The article text exactly as stored, so the corpus offsets index it."""
    path = article_path(root, pmcid)
    if not path.is_file():
        raise InputError(f"{path} is missing: every article of the split must be in articles/.")
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def load_examples(root: Path, split: Path) -> list[Example]:
    """The prompts of the articles listed in ``split`` that have at least one valid annotation."""
    ids = set(read_split(split))
    prompts = {r["PromptID"]: r for r in _rows(root / "prompts.csv", _PROMPT_COLUMNS) if r["PMCID"] in ids}
    by_prompt: dict[str, list[dict[str, str]]] = {}
    for r in _rows(root / "v2_annotations.csv", _ANNOTATION_COLUMNS):
        if r["PMCID"] in ids and r["PromptID"] in prompts and r["Valid Label"].strip().lower() == "true":
            by_prompt.setdefault(r["PromptID"], []).append(r)
    out: list[Example] = []
    for pid, rows in by_prompt.items():
        p = prompts[pid]
        labels = [normalise_label(r["Label"]) for r in rows]
        counts = Counter(labels)
        top = max(counts.values())
        label = next(lab for lab in labels if counts[lab] == top)
        ex = Example(pid, p["PMCID"], p["Intervention"].strip(), p["Comparator"].strip(), p["Outcome"].strip(), label)
        for r, lab in zip(rows, labels, strict=True):
            try:
                s, e = int(r["Evidence Start"]), int(r["Evidence End"])
            except ValueError:
                continue
            if 0 <= s < e:
                ex.spans.append((s, e))
                ex.evidence.append((r.get("Annotations", ""), lab))
        out.append(ex)
    out.sort(key=lambda x: (int(x.pmcid), int(x.prompt_id)))
    return out
