"""The extractor development set: gold files are well formed, and the extractor keeps a floor.

Gold files (``tests/devset/gold``) follow the acceptance seed format and are scored by
``shared/acceptance/check_extraction.py``; see ``tests/devset/README.md``. The format checks
also cover the other gold sets (held-out and real-text sets) listed in ``GOLD_SETS``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from jakatlas.models.evidence import DESIGNS

REPO = Path(__file__).resolve().parents[1]
DEVSET = REPO / "tests" / "devset"
GOLD_DIR = DEVSET / "gold"
DOCS_DIR = DEVSET / "docs"
BENCHMARK = REPO / "benchmarks" / "devset_accuracy.py"
SCORER = REPO.parent / "shared" / "acceptance" / "check_extraction.py"

GOLD_PATHS = sorted(GOLD_DIR.glob("*.json"))
GOLD_IDS = [p.stem for p in GOLD_PATHS]
# Every gold set scored with the same scorer: their files obey the same format rules.
GOLD_SETS = ("devset", "heldout", "heldout2", "realdev", "realheld", "realdev2", "realheld2")
ALL_GOLD_PATHS = [p for name in GOLD_SETS for p in sorted((REPO / "tests" / name / "gold").glob("*.json"))]
ALL_GOLD_IDS = [f"{p.parents[1].name}/{p.stem}" for p in ALL_GOLD_PATHS]

# Floors for the extractor on this set; a regression guard, to be raised as the extractor improves.
MIN_MICRO_RECALL = 0.75
MIN_MICRO_PRECISION = 0.7

CHECK_KEYS = {
    "registry", "design_in", "phase", "n", "duration", "frequency_contains", "dose_contains",
    "comparator", "variant_contains", "ae_value", "evidence_level", "outcome",
}
OUTCOME_KEYS = {"measure_any", "value", "comparator_value", "baseline_value"}
MENTION_LABELS = {"DRUG", "DISEASE", "CYTOKINE", "STAT", "JAK", "OUTCOME_MEASURE", "REGISTRY_ID", "ABBREVIATION"}
UNITS = {"day", "week", "month", "year"}


def _gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _article_words(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        m = re.search(r"<article.*?</article>", text, re.S)
        assert m, f"{path.name}: an HTML document must wrap its report in <article>"
        parser = _Text()
        parser.feed(m.group(0))
        text = " ".join(parser.parts)
    return len(text.split())


def _load_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    if not SCORER.is_file():
        pytest.skip(f"acceptance scorer not found at {SCORER}")
    return _load_module("check_extraction", SCORER)


@pytest.fixture(scope="module")
def kb():
    from jakatlas.data import knowledge_base
    from jakatlas.errors import DataFileError

    try:
        return knowledge_base()
    except (FileNotFoundError, DataFileError) as exc:
        pytest.skip(f"knowledge-base data files are not available yet ({exc})")


def test_devset_size_and_pairing() -> None:
    docs = {p.name for p in DOCS_DIR.iterdir() if p.suffix in (".txt", ".html")}
    referenced = {Path(_gold(p)["document"]).name for p in GOLD_PATHS}
    assert docs == referenced, "every document needs exactly one gold file and vice versa"
    negatives = [p for p in GOLD_PATHS if not _gold(p)["studies"]]
    assert len(GOLD_PATHS) - len(negatives) >= 24
    assert len(negatives) >= 2
    assert any(p.endswith(".html") for p in docs)


@pytest.mark.parametrize("path", ALL_GOLD_PATHS, ids=ALL_GOLD_IDS)
def test_gold_file_is_well_formed(path: Path) -> None:
    gold = _gold(path)
    assert set(gold) == {"document", "note", "studies", "mentions", "allowed_extra_pairs"}
    assert gold["document"].startswith("../docs/")
    doc = (path.parent / gold["document"]).resolve()
    assert doc.is_file(), f"missing document {doc}"
    assert doc.stem == path.stem
    assert isinstance(gold["note"], str) and gold["note"]
    for s in gold["studies"]:
        assert set(s) == {"label", "drug", "disease", "checks"}
        for key in ("drug", "disease"):
            assert s[key] and all(isinstance(x, str) and x == x.lower() for x in s[key]), (s["label"], key)
        unknown = set(s["checks"]) - CHECK_KEYS
        assert not unknown, f"{s['label']}: checks the scorer does not know: {unknown}"
        _check_values(s["label"], s["checks"])
    for m in gold["mentions"]:
        assert set(m) == {"label", "text_any"} and m["label"] in MENTION_LABELS
        assert m["text_any"] and all(isinstance(t, str) and t for t in m["text_any"])
    for pair in gold["allowed_extra_pairs"]:
        assert len(pair) == 2 and all(isinstance(x, str) and x == x.lower() for x in pair)


def _check_values(label: str, checks: dict) -> None:
    for key, want in checks.items():
        where = f"{label}: {key}"
        if key == "registry":
            assert re.fullmatch(r"NCT\d{8}", want), where
        elif key == "design_in":
            assert want and set(want) <= set(DESIGNS), where
        elif key in ("phase", "frequency_contains", "dose_contains", "variant_contains", "comparator"):
            assert isinstance(want, str) and want, where
            if key in ("comparator", "frequency_contains"):
                assert want == want.lower(), where
        elif key == "n":
            assert isinstance(want, int) and want > 0, where
        elif key == "duration":
            assert set(want) == {"value", "unit"} and want["unit"] in UNITS and want["value"] > 0, where
        elif key == "ae_value":
            assert _is_number(want), where
        elif key == "evidence_level":
            assert want in (1, 2, 3, 4, 5), where
        elif key == "outcome":
            assert want, where
            for o in want:
                assert set(o) <= OUTCOME_KEYS and o.get("measure_any"), where
                assert len(o) > 1, f"{where}: an outcome check needs at least one number"
                assert all(_is_number(o[k]) for k in o if k != "measure_any"), where


@pytest.mark.parametrize("path", GOLD_PATHS, ids=GOLD_IDS)
def test_document_length(path: Path) -> None:
    doc = (path.parent / _gold(path)["document"]).resolve()
    assert 80 <= _article_words(doc) <= 400


@pytest.mark.parametrize("path", ALL_GOLD_PATHS, ids=ALL_GOLD_IDS)
def test_gold_is_accepted_and_satisfiable(path: Path, scorer: ModuleType) -> None:
    """An ideal extraction, built from the gold itself, scores 1.0 on both figures."""
    gold = _gold(path)
    studies = [_ideal_study(s) for s in gold["studies"]]
    mentions = [{"label": m["label"], "text": m["text_any"][0]} for m in gold["mentions"]]
    recall, precision = scorer.score({"studies": studies, "mentions": mentions}, gold, False)
    if gold["studies"] or gold["mentions"]:
        assert recall == 1.0
    if gold["studies"]:
        assert precision == 1.0


def _ideal_study(g: dict) -> dict:
    c = g["checks"]
    return {
        "interventions": [{"name": g["drug"][0], "dose": c.get("dose_contains"),
                           "frequency": c.get("frequency_contains")}],
        "comparators": [{"name": c["comparator"]}] if "comparator" in c else [],
        "diseases": [{"name": g["disease"][0], "variant": c.get("variant_contains")}],
        "design": c["design_in"][0] if "design_in" in c else None,
        "phase": c.get("phase"),
        "n": c.get("n"),
        "duration": c.get("duration"),
        "registry_ids": [c["registry"]] if "registry" in c else [],
        "outcomes": [{"measure": o["measure_any"][0], **{k: v for k, v in o.items() if k != "measure_any"}}
                     for o in c.get("outcome", [])],
        "adverse_events": [{"term": "any adverse event", "value": c["ae_value"]}] if "ae_value" in c else [],
        "evidence_level": c.get("evidence_level"),
    }


@pytest.mark.parametrize("path", ALL_GOLD_PATHS, ids=ALL_GOLD_IDS)
def test_gold_names_are_canonical(path: Path, kb) -> None:
    """The first disease of each gold study is a knowledge-base canonical name; drugs resolve."""
    canonical = {d.name for d in kb.diseases.values()}
    drug_names = {d.name for d in kb.drugs.values()} | {"jak inhibitor"}
    for s in _gold(path)["studies"]:
        assert s["disease"][0] in canonical, f"{s['label']}: {s['disease'][0]!r} is not a canonical disease"
        assert s["drug"][0] in drug_names, f"{s['label']}: {s['drug'][0]!r} is not a knowledge-base drug name"


@pytest.fixture(scope="module")
def benchmark_summary():
    try:
        from jakatlas.extract import extract_path  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"jakatlas.extract.extract_path is not available yet ({exc})")
    if not SCORER.is_file():
        pytest.skip(f"acceptance scorer not found at {SCORER}")
    bench = _load_module("devset_accuracy", BENCHMARK)
    return bench.run(GOLD_DIR, SCORER)


@pytest.mark.slow
def test_extractor_meets_devset_floor(benchmark_summary) -> None:
    s = benchmark_summary
    assert s.errors == 0, [d.error for d in s.documents if d.error]
    assert s.micro_recall >= MIN_MICRO_RECALL, f"micro field recall {s.micro_recall:.3f}"
    assert s.micro_precision >= MIN_MICRO_PRECISION, f"micro pair precision {s.micro_precision:.3f}"
