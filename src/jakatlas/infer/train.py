"""Reproducible training: fit on the train split, score on validation, write model + sidecar.

``jakatlas infer-train DIR`` runs :func:`run_training`; with the shipped corpus and the default
:class:`~jakatlas.infer.model.Config` it rebuilds the model shipped in the package.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from jakatlas.errors import InputError
from jakatlas.infer.corpus import load_examples
from jakatlas.infer.evaluate import evaluate
from jakatlas.infer.model import Config, data_identity, save_model, train_model

__all__ = ["TRAIN_SPLIT", "VALIDATION_SPLIT", "run_training"]

TRAIN_SPLIT = "splits/ev2_train_article_ids.txt"
VALIDATION_SPLIT = "splits/ev2_validation_article_ids.txt"


def run_training(root: Path, out: Path, *, train_split: Path | None = None, validation_split: Path | None = None,
                 config: Config | None = None) -> dict[str, Any]:
    """Train on ``train_split``, score on ``validation_split`` (if it exists), save to ``out``."""
    train_split = train_split or root / TRAIN_SPLIT
    validation_split = validation_split or root / VALIDATION_SPLIT
    if train_split.resolve() == validation_split.resolve():
        raise InputError("The train and validation splits are the same file. Pass different files.")
    t0 = time.perf_counter()
    examples = load_examples(root, train_split)
    if not examples:
        raise InputError(f"{train_split}: no annotated prompts to train on.")
    model = train_model(root, examples, config)
    seconds = time.perf_counter() - t0
    metrics: dict[str, Any] = {"train_prompts": len(examples), "cpu_count": os.cpu_count()}
    data = {"corpus": "Evidence Inference 2.0 (MIT)", "train": data_identity(root, train_split)}
    if validation_split.is_file():
        report = evaluate(root, validation_split, model)
        metrics["validation"] = report.model_dump()
        data["validation"] = data_identity(root, validation_split)
    return save_model(model, out, data=data, metrics=metrics, seconds=seconds)
