#!/usr/bin/env python3
"""Accuracy and speed of evidence inference (``jakatlas.infer``) on the validation split.

Prints the validation figures of the shipped model (pipeline macro-F1, oracle-span macro-F1,
evidence-identification accuracy) and its speed: prompts per CPU second for the whole pipeline
(reading the article, splitting, ranking, classifying) against the project's spaCy tokenizer
(``get_pipeline().tokenizer``) over the same articles in the same process. With ``--train`` it
also times a full training run on the train split (CPU and wall-clock seconds).

    python benchmarks/infer_eval.py [--corpus DIR] [--train]

Times are CPU seconds of this process (``time.process_time``); the machine is shared, so
wall-clock figures in particular move with other load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "evidence_inference"
VALIDATION = "splits/ev2_validation_article_ids.txt"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--train", action="store_true", help="also time a training run on the train split")
    a = ap.parse_args(argv)
    if not (a.corpus / VALIDATION).is_file():
        print(f"corpus not found: {a.corpus}", file=sys.stderr)
        return 2

    from jakatlas.extract import get_pipeline
    from jakatlas.infer.corpus import load_examples, read_article
    from jakatlas.infer.evaluate import evaluate
    from jakatlas.infer.model import article_view, load_model
    from jakatlas.infer.pipeline import infer_view

    split = a.corpus / VALIDATION
    examples = load_examples(a.corpus, split)
    pmcids = sorted({e.pmcid for e in examples})
    texts = {p: read_article(a.corpus, p) for p in pmcids}
    model = load_model()
    nlp = get_pipeline()

    t0 = time.process_time()
    for _ in nlp.tokenizer.pipe(texts.values(), batch_size=32):
        pass
    t_tok = time.process_time() - t0

    t0 = time.process_time()
    views = {p: article_view(t) for p, t in texts.items()}
    for e in examples:
        infer_view(views[e.pmcid], e.intervention, e.comparator, e.outcome, model)
    t_inf = time.process_time() - t0

    report = evaluate(a.corpus, split, model)
    figures = {
        "prompts": len(examples), "articles": len(pmcids),
        "pipeline_macro_f1": report.pipeline_macro_f1, "oracle_macro_f1": report.oracle_macro_f1,
        "evidence_accuracy": report.evidence_accuracy,
        "tokenizer_cpu_s": round(t_tok, 2), "inference_cpu_s": round(t_inf, 2),
        "prompts_per_cpu_s": round(len(examples) / t_inf, 1),
        "ratio_inference_to_tokenizer": round(t_inf / t_tok, 2),
        "cpu_count": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 1),
    }
    if a.train:
        from jakatlas.infer.train import run_training

        with tempfile.TemporaryDirectory() as tmp:
            w0, c0 = time.perf_counter(), time.process_time()
            run_training(a.corpus, Path(tmp) / "m.joblib", validation_split=Path(tmp) / "none.txt")
            figures["training_cpu_s"] = round(time.process_time() - c0, 1)
            figures["training_wall_s"] = round(time.perf_counter() - w0, 1)
    print(json.dumps(figures, indent=2))
    print("| measure | figure |\n|---|---:|")
    print(f"| pipeline macro-F1 | {report.pipeline_macro_f1:.3f} |")
    print(f"| oracle-span macro-F1 | {report.oracle_macro_f1:.3f} |")
    print(f"| evidence accuracy (top-1) | {report.evidence_accuracy:.3f} |")
    print(f"| spaCy tokenizer over the {len(pmcids)} articles | {t_tok:.2f} CPU s |")
    print(f"| whole pipeline, {len(examples)} prompts | {t_inf:.2f} CPU s ({len(examples) / t_inf:.1f} prompts/s; "
          f"**{t_inf / t_tok:.2f}x** tokenization) |")
    if a.train:
        print(f"| training on the train split | {figures['training_cpu_s']} CPU s, {figures['training_wall_s']} s wall |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
