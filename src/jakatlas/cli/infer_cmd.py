"""``jakatlas infer``, ``infer-train`` and ``infer-eval``: evidence inference (a thin layer over
:mod:`jakatlas.infer`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from jakatlas.cli._app import app
from jakatlas.cli.render import console, print_json, table
from jakatlas.errors import InputError

__all__ = ["InferFormat", "default_split", "infer_command", "infer_eval_command", "infer_train_command"]


class InferFormat(StrEnum):
    json = "json"
    table = "table"


def _model(path: Path | None):  # type: ignore[no-untyped-def]
    from jakatlas.infer import load_model

    return load_model(path)


@app.command("infer")
def infer_command(
    article: Path = typer.Argument(..., help="Trial report: plain text, HTML or PubMed XML."),
    intervention: str = typer.Option(..., "--intervention", "-i", help="The intervention, as the article names it."),
    comparator: str = typer.Option(..., "--comparator", "-c", help="The comparator, e.g. placebo."),
    outcome: str = typer.Option(..., "--outcome", "-o", help="The outcome measure."),
    top_k: int = typer.Option(3, "--top-k", min=1, max=20, help="Evidence sentences to pool and show."),
    model: Path | None = typer.Option(None, "--model", help="A model written by 'jakatlas infer-train'."),
    fmt: InferFormat = typer.Option(InferFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """Did the intervention significantly increase, decrease or not change the outcome? With the evidence.

    Example: jakatlas infer trial.txt --intervention tofacitinib --comparator placebo --outcome "EASI-75"
    """
    from jakatlas.infer import infer_document

    if article.is_dir():
        raise InputError(f"{article} is a folder. Pass one article file.")
    _, res = infer_document(article, intervention, comparator, outcome, model=_model(model), top_k=top_k)
    if fmt is InferFormat.json:
        print_json(res.model_dump(mode="json"))
        return
    probs = ", ".join(f"{k} {v:.2f}" for k, v in res.probabilities.items())
    console.print(f"{res.label} (machine-inferred; {probs})", markup=False)
    from rich.table import Table

    t = Table(show_lines=True, header_style="bold", expand=True)
    for name, ratio in (("#", None), ("Start", None), ("End", None), ("Evidence", 6), ("Score", None), ("Label", 2)):
        t.add_column(name, overflow="fold", ratio=ratio, no_wrap=ratio is None)
    for n, e in enumerate(res.evidence, 1):
        t.add_row(str(n), str(e.start), str(e.end), e.text, f"{e.score:.2f}", e.label)
    console.print(t)


@app.command("infer-train")
def infer_train_command(
    corpus: Path = typer.Argument(..., help="Directory in the Evidence Inference 2.0 layout."),
    out: Path = typer.Option(Path("evidence_inference.joblib"), "--out", help="Model file to write (+ .json sidecar)."),
    split: Path | None = typer.Option(None, "--split", help="Train split (default splits/ev2_train_article_ids.txt)."),
    validation: Path | None = typer.Option(None, "--validation", help="Validation split for the recorded figures."),
) -> None:
    """Train the two-stage evidence-inference model on the train split and record its figures.

    Example: jakatlas infer-train ../shared/corpora/evidence_inference --out src/jakatlas/infer/model/evidence_inference.joblib
    """
    from jakatlas.infer.train import run_training

    _check_corpus(corpus)
    meta = run_training(corpus, out, train_split=split, validation_split=validation)
    val = meta["metrics"].get("validation")
    console.print(f"Wrote {out} ({meta['model_bytes']:,} bytes) and {out.with_suffix('.json')}; "
                  f"trained on {meta['metrics']['train_prompts']} prompts in {meta['training_seconds']} s.", markup=False)
    if val:
        console.print(f"validation: pipeline macro-F1 {val['pipeline_macro_f1']:.3f}, oracle macro-F1 "
                      f"{val['oracle_macro_f1']:.3f}, evidence accuracy {val['evidence_accuracy']:.3f}", markup=False)


def _check_corpus(corpus: Path) -> None:
    if not corpus.is_dir():
        raise InputError(f"{corpus} is not a directory. Pass a directory with articles/, prompts.csv, "
                         "v2_annotations.csv and splits/.")


def default_split(corpus: Path) -> Path:
    """The test split if the directory has one, else the validation split."""
    files = sorted((corpus / "splits").glob("*.txt")) if (corpus / "splits").is_dir() else []
    for key in ("test", "validation", "dev"):
        hits = [f for f in files if key in f.name]
        if hits:
            return hits[0]
    raise InputError(f"{corpus / 'splits'} has no test or validation split. Pass one with --split FILE.")


@app.command("infer-eval")
def infer_eval_command(
    corpus: Path = typer.Argument(..., help="Directory in the Evidence Inference 2.0 layout."),
    split: Path | None = typer.Option(None, "--split", help="Split file of PMCIDs (default: the test split, "
                                      "else the validation split, under DIR/splits)."),
    model: Path | None = typer.Option(None, "--model", help="A model written by 'jakatlas infer-train'."),
    fmt: InferFormat = typer.Option(InferFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """Score the pipeline: pipeline and oracle-span macro-F1, evidence-identification accuracy.

    Example: jakatlas infer-eval ../shared/corpora/evidence_inference --split splits/ev2_validation_article_ids.txt
    """
    from jakatlas.infer.evaluate import evaluate

    _check_corpus(corpus)
    if split is not None and not split.is_file() and (corpus / split).is_file():
        split = corpus / split
    report = evaluate(corpus, split or default_split(corpus), _model(model))
    if fmt is InferFormat.json:
        print_json(report.model_dump(mode="json"))
        return
    table(f"{report.split}: {report.prompts} prompts, {report.articles} articles",
          ["Label", "F1 (pipeline)"], [[k, f"{v:.3f}"] for k, v in report.per_class_f1.items()])
    console.print(f"{report.prompts_per_second:.1f} prompts/s ({report.seconds:.1f} s)", markup=False)
    console.print(f"evidence accuracy (top-1 overlaps a span): {report.evidence_accuracy:.4f}", markup=False)
    console.print(f"oracle-span macro-F1: {report.oracle_macro_f1:.4f}", markup=False)
    console.print(f"pipeline macro-F1: {report.pipeline_macro_f1:.4f}", markup=False)
