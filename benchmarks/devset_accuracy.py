#!/usr/bin/env python3
"""Accuracy of the evidence extractor on the development set (``tests/devset``).

Every gold file in ``tests/devset/gold`` names one document in ``tests/devset/docs``. The
extractor runs in this process (``jakatlas.extract.extract_path``) and each document is scored
with ``score()`` from the acceptance scorer (``shared/acceptance/check_extraction.py``), loaded
by path so the figures here are the figures the acceptance check would give.

Reported per document: field recall (gold checks satisfied / gold checks, mentions included),
pair precision (extracted (drug, disease) pairs the gold allows / extracted pairs), and gold
studies found. Summary: micro averages (pooled counts), macro averages (mean over positive
documents), and for the negative documents (gold without studies) the number of studies the
extractor invented.

    python benchmarks/devset_accuracy.py [--verbose] [--scorer PATH] [--gold-dir DIR] [--json OUT]

Exit status is 0 whenever the run completes, whatever the figures; 2 when the scorer, the gold
directory or the extractor cannot be loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCORER = REPO.parent / "shared" / "acceptance" / "check_extraction.py"
DEFAULT_GOLD_DIR = REPO / "tests" / "devset" / "gold"

Extractor = Callable[[Path], dict[str, Any]]


class SetupError(RuntimeError):
    """The scorer, the gold files or the extractor could not be loaded."""


def load_scorer(path: Path | str = DEFAULT_SCORER) -> ModuleType:
    """Import the acceptance scorer from a file path (it is not an installed module)."""
    path = Path(path)
    if not path.is_file():
        raise SetupError(f"scorer not found: {path} (use --scorer)")
    spec = importlib.util.spec_from_file_location("check_extraction", path)
    if spec is None or spec.loader is None:
        raise SetupError(f"cannot import scorer from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("score", "run_checks", "matches", "names", "norm"):
        if not hasattr(module, name):
            raise SetupError(f"scorer {path} has no function {name}()")
    return module


def default_extractor() -> Extractor:
    """``jakatlas.extract.extract_path`` wrapped to return the contract's JSON object."""
    try:
        from jakatlas.extract import extract_path
    except ImportError as exc:
        raise SetupError(f"jakatlas.extract.extract_path is not available ({exc})") from exc

    def run(path: Path) -> dict[str, Any]:
        result = extract_path(path)
        return result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)

    return run


def gold_paths(gold_dir: Path | str = DEFAULT_GOLD_DIR) -> list[Path]:
    gold_dir = Path(gold_dir)
    paths = sorted(gold_dir.glob("*.json"))
    if not paths:
        raise SetupError(f"no gold files in {gold_dir}")
    return paths


def document_path(gold_path: Path, gold: dict) -> Path:
    return (gold_path.parent / gold["document"]).resolve()


def n_checks(gold: dict) -> int:
    """Number of scored items in a gold file, counted exactly as ``score()`` counts them."""
    total = 0
    for g in gold["studies"]:
        total += 1 + sum(len(v) if k == "outcome" else 1 for k, v in g.get("checks", {}).items())
    return total + len(gold.get("mentions", []))


@dataclass
class DocScore:
    name: str
    negative: bool
    recall: float
    hits: int
    total: int
    precision: float
    good_pairs: int
    pairs: int
    gold_studies: int
    found_studies: int
    extracted_studies: int
    seconds: float
    error: str | None = None
    details: list[str] = field(default_factory=list)


def _pair_counts(scorer: ModuleType, doc: dict, gold: dict) -> tuple[int, int]:
    """(allowed, all) extracted (intervention, disease) pairs, with the scorer's own normalisation."""
    norm, names = scorer.norm, scorer.names
    allowed = {(norm(a), norm(b)) for a, b in gold.get("allowed_extra_pairs", [])}
    for g in gold["studies"]:
        allowed |= {(norm(d), norm(x)) for d in g["drug"] for x in g["disease"]}
    studies = doc.get("studies") or []
    pairs = {(d, x) for s in studies for d in names(s.get("interventions")) for x in names(s.get("diseases"))}
    good = {p for p in pairs if p in allowed or (p[0], "*") in allowed}
    return len(good), len(pairs)


def _found_studies(scorer: ModuleType, doc: dict, gold: dict) -> int:
    """Gold studies matched by an extracted study, using the scorer's one-to-one greedy assignment."""
    studies = doc.get("studies") or []
    used: set[int] = set()
    found = 0
    for g in gold["studies"]:
        best_i, best = -1, -1
        for i, s in enumerate(studies):
            if i in used or not scorer.matches(s, g):
                continue
            got = sum(ok for _, ok in scorer.run_checks(s, g.get("checks", {})))
            if got > best:
                best_i, best = i, got
        if best_i >= 0:
            used.add(best_i)
            found += 1
    return found


def score_document(scorer: ModuleType, gold_path: Path, extract: Extractor, verbose: bool = False) -> DocScore:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    doc_path = document_path(gold_path, gold)
    error = None
    start = time.perf_counter()
    try:
        doc = extract(doc_path)
    except Exception as exc:  # noqa: BLE001 - one failing document must not stop the benchmark
        doc, error = {}, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        recall, precision = scorer.score(doc, gold, verbose)
    total = n_checks(gold)
    good, pairs = _pair_counts(scorer, doc, gold)
    return DocScore(
        name=doc_path.name,
        negative=not gold["studies"],
        recall=recall if total else 1.0,
        hits=round(recall * total),
        total=total,
        precision=precision,
        good_pairs=good,
        pairs=pairs,
        gold_studies=len(gold["studies"]),
        found_studies=_found_studies(scorer, doc, gold),
        extracted_studies=len(doc.get("studies") or []),
        seconds=seconds,
        error=error,
        details=[line for line in buf.getvalue().splitlines() if line.strip()],
    )


@dataclass
class Summary:
    documents: list[DocScore]
    micro_recall: float
    micro_precision: float
    macro_recall: float
    macro_precision: float
    studies_found: int
    studies_gold: int
    negatives: int
    negative_false_positive_studies: int
    errors: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(scores: list[DocScore]) -> Summary:
    hits = sum(s.hits for s in scores)
    total = sum(s.total for s in scores)
    good = sum(s.good_pairs for s in scores)
    pairs = sum(s.pairs for s in scores)
    positives = [s for s in scores if not s.negative]
    with_pairs = [s for s in positives if s.pairs]
    negatives = [s for s in scores if s.negative]
    return Summary(
        documents=scores,
        micro_recall=hits / total if total else 0.0,
        micro_precision=good / pairs if pairs else 0.0,
        macro_recall=sum(s.recall for s in positives) / len(positives) if positives else 0.0,
        macro_precision=sum(s.precision for s in with_pairs) / len(with_pairs) if with_pairs else 0.0,
        studies_found=sum(s.found_studies for s in positives),
        studies_gold=sum(s.gold_studies for s in positives),
        negatives=len(negatives),
        negative_false_positive_studies=sum(s.extracted_studies for s in negatives),
        errors=sum(1 for s in scores if s.error),
        seconds=sum(s.seconds for s in scores),
    )


def run(
    gold_dir: Path | str = DEFAULT_GOLD_DIR,
    scorer_path: Path | str = DEFAULT_SCORER,
    extract: Extractor | None = None,
    verbose: bool = False,
) -> Summary:
    """Score every gold file; raises :class:`SetupError` when something cannot be loaded."""
    scorer = load_scorer(scorer_path)
    paths = gold_paths(gold_dir)
    extract = extract or default_extractor()
    return summarise([score_document(scorer, p, extract, verbose) for p in paths])


def print_report(summary: Summary, verbose: bool = False, out=sys.stdout) -> None:
    width = max(len(s.name) for s in summary.documents)
    head = f"{'document':<{width}}  kind  recall           precision       studies g/f/x   sec"
    print(head, file=out)
    print("-" * len(head), file=out)
    for s in summary.documents:
        kind = "neg" if s.negative else "pos"
        rec = f"{s.recall:.3f} ({s.hits}/{s.total})" if s.total else "   -"
        prec = f"{s.precision:.3f} ({s.good_pairs}/{s.pairs})" if s.pairs else "   - (0 pairs)"
        studies = f"{s.gold_studies}/{s.found_studies}/{s.extracted_studies}"
        print(f"{s.name:<{width}}  {kind}   {rec:<16} {prec:<15} {studies:<14} {s.seconds:5.2f}", file=out)
        if s.error:
            print(f"  extraction failed: {s.error}", file=out)
        if verbose:
            for line in s.details:
                print(f"  {line.strip()}", file=out)
    n_pos = len(summary.documents) - summary.negatives
    print("-" * len(head), file=out)
    print("studies g/f/x = gold / gold matched by an extracted study / extracted", file=out)
    print(f"documents: {len(summary.documents)} ({n_pos} positive, {summary.negatives} negative); "
          f"extraction errors: {summary.errors}; extraction time {summary.seconds:.1f} s", file=out)
    print(f"gold studies found: {summary.studies_found}/{summary.studies_gold}", file=out)
    print(f"negatives: {summary.negative_false_positive_studies} false-positive studies "
          f"in {summary.negatives} documents", file=out)
    print(f"macro: field recall {summary.macro_recall:.3f}, pair precision {summary.macro_precision:.3f} "
          f"(mean over positive documents; precision over those with extracted pairs)", file=out)
    print(f"micro: field recall {summary.micro_recall:.3f}, pair precision {summary.micro_precision:.3f}", file=out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scorer", default=str(DEFAULT_SCORER), help="path to check_extraction.py")
    ap.add_argument("--gold-dir", default=str(DEFAULT_GOLD_DIR), help="directory of gold JSON files")
    ap.add_argument("--verbose", action="store_true", help="show the missed checks and disallowed pairs")
    ap.add_argument("--json", metavar="OUT", help="also write the summary as JSON to this file")
    a = ap.parse_args(argv)
    try:
        summary = run(a.gold_dir, a.scorer, verbose=a.verbose)
    except SetupError as exc:
        print(f"devset_accuracy: {exc}", file=sys.stderr)
        return 2
    print_report(summary, verbose=a.verbose)
    if a.json:
        Path(a.json).write_text(json.dumps(summary.as_dict(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
