"""Synthesis commands: dossier, map, grade, mechanism."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from jakatlas.cli._app import DB_OPTION, app
from jakatlas.cli.render import counted, markdown_table, print_json, table
from jakatlas.data import knowledge_base
from jakatlas.errors import InputError

if TYPE_CHECKING:
    from jakatlas.models.bias import RiskOfBias
    from jakatlas.report.dossier import Dossier

DOSSIER_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}
MAP_FORMATS = (".png", ".svg", ".html")


class SizeChoice(StrEnum):
    patients = "patients"
    studies = "studies"


class SynthFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


def _out_format(out: Path, allowed: dict[str, str] | tuple[str, ...], what: str) -> str:
    ext = out.suffix.lower()
    if ext not in allowed:
        shown = ", ".join(dict.fromkeys(allowed))
        raise InputError(f"Cannot write a {what} to {out.name!r}: unknown extension {out.suffix or '(none)'!r}.",
                         hint=f"Use one of {shown}.")
    if not out.parent.exists():
        raise InputError(f"Cannot write {out}: folder {out.parent} does not exist.", hint="Create it first.")
    return allowed[ext] if isinstance(allowed, dict) else ext.lstrip(".")


@app.command("dossier")
def dossier(
    disease: str = typer.Argument(..., help="Disease name, synonym or abbreviation (e.g. 'HS')."),
    out: Path = typer.Option(..., "--out", "-o", help="Output file: .md, .html or .pdf (format from the extension)."),
    candidates: bool = typer.Option(False, "--candidates", help="Include extracted, not yet curated evidence."),
    concentration: float | None = typer.Option(None, "--concentration", min=0.0,
                                               help="Free drug concentration (nM) for the Hill model."),
    tables: Path | None = typer.Option(None, "--tables", help="Also write every dossier table as CSV into this folder."),
    db: str | None = DB_OPTION,
) -> None:
    """Write the evidence dossier of a disease: evidence table, effect sizes with a forest plot,
    placebo context, GRADE certainty, mechanism coverage, safety and references.

    Example: jakatlas dossier "hidradenitis suppurativa" --out hs.html --tables hs-tables
    """
    from jakatlas.report.dossier import build_dossier, to_html, to_markdown, to_pdf
    from jakatlas.store.atlas import Atlas

    fmt = _out_format(out, DOSSIER_FORMATS, "dossier")
    dis = knowledge_base().disease(disease)
    atlas = Atlas(db)
    d = build_dossier(atlas, dis, candidates=candidates, concentration_nm=concentration)
    if fmt == "md":
        to_markdown(d, out)
    elif fmt == "html":
        out.write_text(to_html(d), encoding="utf-8")
    else:
        to_pdf(d, out)
    typer.echo(f"Wrote the {dis.name} dossier to {out} ({counted(len({s.id for s in d.studies}), 'study', 'studies')}, "
               f"{counted(len(d.synthesis.grades), 'graded outcome')}).")
    if tables is not None:
        from jakatlas.report.tables import write_tables

        written = write_tables(d, tables, dis.id)
        typer.echo(f"Wrote {len(written)} tables as CSV to {tables}: {', '.join(p.name for p in written)}.")


@app.command("map")
def evidence_map_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="Output file: .png, .svg or .html (interactive)."),
    size: SizeChoice = typer.Option(SizeChoice.patients, "--size", help="Bubble area: patients (sum of n) or studies."),
    candidates: bool = typer.Option(False, "--candidates", help="Include extracted, not yet curated evidence."),
    db: str | None = DB_OPTION,
) -> None:
    """Draw the evidence-gap map: diseases x JAK inhibitors, bubble = patients or studies,
    colour = best OCEBM 2011 level.

    Example: jakatlas map --out map.png --size studies
    """
    from jakatlas.report.evidence_map import evidence_map, write_map
    from jakatlas.store.atlas import Atlas

    _out_format(out, MAP_FORMATS, "map")
    emap = evidence_map(Atlas(db), candidates=candidates)
    pairs = write_map(emap, out, size=size.value)
    typer.echo(f"Wrote {out}: {len(pairs)} disease-drug pairs, {len(emap.diseases)} diseases x "
               f"{len(emap.drugs)} JAK inhibitors.")


def _synthesis(disease: str, db: str | None, candidates: bool, concentration: float | None = None) -> Dossier:
    from jakatlas.report.dossier import build_dossier
    from jakatlas.store.atlas import Atlas

    dis = knowledge_base().disease(disease)
    return build_dossier(Atlas(db), dis, candidates=candidates, concentration_nm=concentration)


@app.command("grade")
def grade(
    disease: str = typer.Argument(..., help="Disease name, synonym or abbreviation."),
    fmt: SynthFormat = typer.Option(SynthFormat.table, "--format", "-f", help="Output format."),
    candidates: bool = typer.Option(False, "--candidates", help="Include extracted, not yet curated evidence."),
    db: str | None = DB_OPTION,
) -> None:
    """OCEBM 2011 level of every study and GRADE certainty per drug and outcome, with reasons.

    Example: jakatlas grade HS --format json
    """
    d = _synthesis(disease, db, candidates)
    syn = d.synthesis
    robs: dict[str, RiskOfBias] = {}
    for g in syn.grades:
        for sid, rob in g.risk_of_bias:
            if rob is not None:
                robs.setdefault(f"{sid} ({rob.tool})", rob)
    if fmt is SynthFormat.json:
        print_json({"disease": syn.disease,
                    "grades": [{**{k: v for k, v in asdict(g).items() if k != "risk_of_bias"},
                                "risk_of_bias": [{"study_id": sid, **(r.model_dump() if r else {})}
                                                 for sid, r in g.risk_of_bias],
                                "reasons": list(g.reasons)} for g in syn.grades],
                    "levels": [{**asdict(x), "basis": x.basis} for x in syn.levels]})
        return
    headers = ["Drug", "Outcome", "Certainty", "Studies", "n", "Reasons"]
    rows = [[g.drug, g.outcome, g.certainty, len(g.study_ids), g.total_n, " ".join(g.reasons)] for g in syn.grades]
    lv_headers = ["Study", "Level", "Basis", "Derived", "Reason / disagreement"]
    lv_rows = [[x.study_id, x.level, x.basis, x.computed, x.disagreement or x.reason] for x in syn.levels]
    rb_headers = ["Study", "Tool", "Basis", "Overall", "Domains (judgement: reason)"]
    rb_rows = [[key.rsplit(" (", 1)[0], r.tool, r.basis, r.overall,
                "; ".join(f"{dom}: {v}" + (f" ({r.reasons[dom]})" if dom in r.reasons else "")
                          for dom, v in r.domains.items())] for key, r in robs.items()]
    if fmt is SynthFormat.md:
        print(f"# GRADE certainty: {syn.disease}\n\n{markdown_table(headers, rows)}\n\n"
              f"## Risk of bias per study\n\n{markdown_table(rb_headers, rb_rows)}\n\n"
              f"## OCEBM 2011 levels\n\n{markdown_table(lv_headers, lv_rows)}")
        return
    table(f"GRADE certainty: {syn.disease}", headers, rows)
    table("Risk of bias per study (RoB 2 for randomised comparisons, ROBINS-I otherwise)", rb_headers, rb_rows)
    table("OCEBM 2011 levels", lv_headers, lv_rows)


@app.command("mechanism")
def mechanism(
    disease: str = typer.Argument(..., help="Disease name, synonym or abbreviation."),
    concentration: float | None = typer.Option(None, "--concentration", min=0.0,
                                               help="Free drug concentration (nM) for the Hill model."),
    fmt: SynthFormat = typer.Option(SynthFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """Cytokines of a disease, their JAK pairs, and each JAK inhibitor's coverage (with an
    optional Hill-equation model at a free concentration).

    Example: jakatlas mechanism "lichen planus" --concentration 50
    """
    from jakatlas.synthesis.mechanism import mechanism_report

    kb = knowledge_base()
    dis = kb.disease(disease)
    m = mechanism_report(dis, kb.cytokines, kb.drugs.values(), concentration_nm=concentration)
    if fmt is SynthFormat.json:
        print_json({**asdict(m), "jak_independent": [c.name for c in m.jak_independent],
                    "unknown": [c.name for c in m.unknown]})
        return
    c_headers = ["Cytokine", "Signalling", "JAKs", "Main STATs"]
    c_rows = [[c.name, c.status.replace("_", "-"), "+".join(c.jaks) or "-", ", ".join(c.stats) or "-"]
              for c in m.cytokines]
    d_headers = ["Drug", "Targets", "Coverage", "Explanation"]
    d_rows = [[x.drug, "/".join(x.targets) or "-", "-" if x.score is None else f"{100 * x.score:.0f}%",
               x.explanation] for x in m.drugs]
    tail = []
    if m.jak_independent:
        tail.append(f"JAK-independent (not blocked directly by any JAK inhibitor): {', '.join(c.name for c in m.jak_independent)}.")
    if m.unknown:
        tail.append(f"Signalling unknown: {', '.join(c.name for c in m.unknown)}.")
    if m.indirect:
        tail.append("Indirect routes, not scored: " + " ".join(m.indirect))
    tail.append("Coverage counts a reached cytokine as 1 and a partly reached one as 0.5; each status says whether "
                "it rests on a sourced dominant JAK, the two-JAK receptor model or a secondary target.")
    if concentration is not None:
        tail.append("Hill model assumptions: " + " ".join(m.assumptions))
    if fmt is SynthFormat.md:
        print(f"# Mechanism coverage: {m.disease}\n\n{markdown_table(c_headers, c_rows)}\n\n"
              f"{markdown_table(d_headers, d_rows)}\n\n" + "\n".join(f"- {t}" for t in tail))
        return
    table(f"Cytokines of {m.disease}", c_headers, c_rows)
    table("JAK-inhibitor coverage", d_headers, d_rows)
    for t in tail:
        typer.echo(t)
