"""The two trained stages, their training on a split, and the shipped model file with its sidecar.

Stage 1 (evidence ranking) is a logistic regression over the sentence's word 1-2-gram TF-IDF and
the dense prompt-overlap and statistics features; stage 2 (direction) is a multinomial logistic
regression over the word 1-3-gram TF-IDF of the prompt-masked evidence text and the dense
statistics/direction features (:mod:`jakatlas.infer.features`). Both are fitted on the train split
only. The model is stored with joblib next to a JSON sidecar naming the model format, the
jakatlas and scikit-learn versions, the SHA-256 of the split and corpus files it was trained on,
its configuration and its validation figures; :func:`load_model` refuses a file whose format or
scikit-learn version differs from the running one, because pickled estimators are only
guaranteed to load under the version that wrote them.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from jakatlas.errors import InputError, JakatlasError
from jakatlas.infer.corpus import LABELS, Example, file_sha256, read_article
from jakatlas.infer.features import (
    ArticleView,
    PromptTerms,
    classify_dense,
    evidence_dense,
    mask_prompt,
)
from jakatlas.infer.sentences import split_sentences

__all__ = ["FORMAT", "Config", "InferenceModel", "ModelError", "default_model_path", "load_model",
           "save_model", "train_model"]

FORMAT = 1
MODEL_NAME = "evidence_inference.joblib"


class ModelError(JakatlasError):
    """The evidence-inference model is missing, damaged or was written by another version."""

    exit_code = 2


@dataclass
class Config:
    """Training settings (chosen on the validation split; see README)."""

    rank_c: float = 1.0
    rank_negatives: int = 60
    clf_c: float = 1.0
    top_k: int = 3
    seed: int = 0


@dataclass
class InferenceModel:
    """Fitted vectorisers and classifiers of both stages."""

    rank_vec: Any
    ranker: Any
    clf_vec: Any
    clf: Any
    config: Config
    meta: dict[str, Any] = field(default_factory=dict)

    def rank(self, view: ArticleView, terms: PromptTerms) -> np.ndarray:
        """Evidence score (log-odds) of every sentence of ``view`` for the prompt."""
        if not view.spans:
            return np.zeros(0)
        dense = np.array([evidence_dense(view, terms, i) for i in range(len(view.spans))])
        words = self.rank_vec.transform([s.text for s in view.spans])
        return np.asarray(self.ranker.decision_function(sp.hstack([words, sp.csr_matrix(dense)]).tocsr()))

    def classify(self, texts: Sequence[str], terms: PromptTerms) -> np.ndarray:
        """Class probabilities, columns in :data:`~jakatlas.infer.corpus.LABELS` order."""
        words = self.clf_vec.transform([mask_prompt(t, terms) for t in texts])
        dense = sp.csr_matrix(np.array([classify_dense(t, terms) for t in texts]))
        probs = np.asarray(self.clf.predict_proba(sp.hstack([words, dense]).tocsr()))
        out = np.zeros((len(texts), len(LABELS)))
        out[:, [int(k) for k in self.clf.classes_]] = probs  # a class absent from training keeps 0
        return out


def article_view(text: str) -> ArticleView:
    return ArticleView(text, split_sentences(text))


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def train_model(root: Path, examples: list[Example], config: Config | None = None) -> InferenceModel:
    """Fit both stages on ``examples`` (the train split) read from the corpus at ``root``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    cfg = config or Config()
    rng = random.Random(cfg.seed)
    views: dict[str, ArticleView] = {}
    r_text: list[str] = []
    r_dense: list[list[float]] = []
    r_y: list[int] = []
    c_text: list[str] = []
    c_dense: list[list[float]] = []
    c_y: list[int] = []
    for ex in examples:
        if ex.pmcid not in views:
            views[ex.pmcid] = article_view(read_article(root, ex.pmcid))
        view = views[ex.pmcid]
        terms = view.terms(ex.intervention, ex.comparator, ex.outcome)
        pos = [i for i, s in enumerate(view.spans) if _overlaps((s.start, s.end), ex.spans)]
        neg = [i for i in range(len(view.spans)) if i not in set(pos)]
        rng.shuffle(neg)
        for i in sorted(pos + neg[: cfg.rank_negatives]):
            r_text.append(view.spans[i].text)
            r_dense.append(evidence_dense(view, terms, i))
            r_y.append(int(i in pos))
        for (s, e), (_, label) in zip(ex.spans, ex.evidence, strict=True):
            text = view.text[s:e]
            c_text.append(mask_prompt(text, terms))
            c_dense.append(classify_dense(text, terms))
            c_y.append(LABELS.index(label))
    if len(set(c_y)) < 2 or len(set(r_y)) < 2:
        raise InputError("The training split needs evidence for at least two labels and sentences that are "
                         "not evidence. Pass a larger split.")
    rank_vec = TfidfVectorizer(ngram_range=(1, 2), min_df=3, max_features=60000, sublinear_tf=True, dtype=np.float32)
    xr = sp.hstack([rank_vec.fit_transform(r_text), sp.csr_matrix(np.array(r_dense))]).tocsr()
    ranker = LogisticRegression(C=cfg.rank_c, max_iter=3000).fit(xr, np.array(r_y))
    clf_vec = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True, dtype=np.float32)
    xc = sp.hstack([clf_vec.fit_transform(c_text), sp.csr_matrix(np.array(c_dense))]).tocsr()
    clf = LogisticRegression(C=cfg.clf_c, max_iter=3000).fit(xc, np.array(c_y))
    return InferenceModel(rank_vec, ranker, clf_vec, clf, cfg)


def default_model_path() -> Path:
    """The model shipped in the package (``jakatlas/infer/model/``)."""
    return Path(str(resources.files("jakatlas.infer") / "model" / MODEL_NAME))


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _versions() -> dict[str, str]:
    import sklearn

    from jakatlas import __version__

    return {"jakatlas": __version__, "scikit-learn": sklearn.__version__}


def save_model(model: InferenceModel, path: Path, *, data: dict[str, Any], metrics: dict[str, Any],
               seconds: float) -> dict[str, Any]:
    """Write the model and its JSON sidecar; return the sidecar."""
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": FORMAT, "model": model}, path, compress=3)
    meta = {
        "format": FORMAT,
        "versions": _versions(),
        "model_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "model_bytes": path.stat().st_size,
        "labels": list(LABELS),
        "config": asdict(model.config),
        "training_data": data,
        "training_seconds": round(seconds, 1),
        "metrics": metrics,
        "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _sidecar(path).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    model.meta = meta
    return meta


_REBUILD = "Rebuild it with 'jakatlas infer-train DIR --out PATH' or reinstall jakatlas with its pinned scikit-learn."
_CACHE: dict[Path, InferenceModel] = {}


def load_model(path: Path | None = None) -> InferenceModel:
    """Load (and cache) the model at ``path`` (default: the shipped one), checking its sidecar."""
    import joblib

    path = (path or default_model_path()).resolve()
    if path in _CACHE:
        return _CACHE[path]
    if not path.is_file():
        raise ModelError(f"No evidence-inference model at {path}.", hint=_REBUILD)
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelError(f"The sidecar {_sidecar(path)} of the model is missing or not JSON.", hint=_REBUILD) from None
    have = _versions()
    if meta.get("format") != FORMAT:
        raise ModelError(f"The model at {path} has format {meta.get('format')!r}; this jakatlas reads format "
                         f"{FORMAT}.", hint=_REBUILD)
    wrote = meta.get("versions", {}).get("scikit-learn")
    if wrote != have["scikit-learn"]:
        raise ModelError(f"The model at {path} was written with scikit-learn {wrote}, but {have['scikit-learn']} "
                         f"is installed. Install scikit-learn=={wrote} (see constraints.txt), or rebuild the model "
                         "with 'jakatlas infer-train DIR --out PATH'.")
    if hashlib.sha256(path.read_bytes()).hexdigest() != meta.get("model_sha256"):
        raise ModelError(f"The model at {path} does not match the SHA-256 in its sidecar.", hint=_REBUILD)
    blob = joblib.load(path)
    model = blob["model"]
    model.meta = meta
    _CACHE[path] = model
    return model


def data_identity(root: Path, split: Path) -> dict[str, Any]:
    """SHA-256 of every file a training run read (split, prompts, annotations)."""
    return {
        "split": split.name,
        "split_sha256": file_sha256(split),
        "prompts_sha256": file_sha256(root / "prompts.csv"),
        "annotations_sha256": file_sha256(root / "v2_annotations.csv"),
    }
