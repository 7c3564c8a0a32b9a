"""Atlas commands: build, drugs, diseases, show, add, token."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, Progress, TextColumn

from jakatlas.cli._app import DB_OPTION, FORMAT_OPTION, OutputFormat, app
from jakatlas.cli.render import console, counted, markdown_table, print_json, table
from jakatlas.data import knowledge_base
from jakatlas.errors import InputError
from jakatlas.models.knowledge import Disease
from jakatlas.store.atlas import Atlas
from jakatlas.store.views import DiseaseView, DrugView, EvidenceRow, disease_view, drug_view, lookup

token_app = typer.Typer(help="Manage curator API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")

EVIDENCE_HEADERS = ["Drug", "Dose", "Disease", "Design", "n", "Duration", "Result", "Level", "Source"]


def _evidence_cells(e: EvidenceRow) -> list[object]:
    src = e.citation or ""
    if e.links:
        src += f" [{e.links[0][0]}]"
    design = (e.design or "").replace("_", " ") + (f", phase {e.phase}" if e.phase else "")
    drugs = ", ".join(e.drugs) + (f" vs {', '.join(e.comparators)}" if e.comparators else "")
    nr = "not reported"
    return [drugs, e.dose or nr, "; ".join(e.diseases), design or nr, nr if e.n is None else e.n, e.duration or nr,
            e.result, e.evidence_level, src]


def _evidence_table(rows: list[EvidenceRow], candidates: bool) -> tuple[list[str], list[list[object]]]:
    """Headers and cells; with candidates a Status column says which rows no curator has reviewed."""
    if not candidates:
        return EVIDENCE_HEADERS, [_evidence_cells(e) for e in rows]
    return [*EVIDENCE_HEADERS, "Status"], [[*_evidence_cells(e), e.status] for e in rows]


@app.command()
def build(db: str | None = DB_OPTION) -> None:
    """Build (or refresh) the atlas database from the curated knowledge base.

    Idempotent: running it twice changes nothing.

    Example: jakatlas build --db sqlite:///atlas.db
    """
    kb = knowledge_base()
    atlas = Atlas(db)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("Loading", total=None)

        def tick(name: str, done: int, total: int) -> None:
            bar.update(task, description=f"Loading {name}", completed=done, total=total)

        report = atlas.build(kb, progress=tick)
    ins, upd = sum(report.inserted.values()), sum(report.updated.values())
    print(f"Atlas built at {report.url}: {len(kb.drugs)} drugs, {len(kb.diseases)} diseases, "
          f"{len(kb.cytokines)} cytokines, {len(kb.outcomes)} outcome measures, {len(kb.studies)} studies "
          f"({ins} inserted, {upd} updated).")


@app.command()
def drugs(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List the drugs of the knowledge base (JAK inhibitors first).

    Example: jakatlas drugs --format md
    """
    kb = knowledge_base()
    order = sorted(kb.drugs.values(), key=lambda d: (d.drug_class not in ("jak_inhibitor", "tyk2_inhibitor"), d.name))
    rows = [[d.name, ", ".join(d.brands), ", ".join(d.codes), "/".join(d.targets), d.status,
             len(kb.studies_for(drug=d.name))] for d in order]
    headers = ["Drug", "Brands", "Codes", "Targets", "Status", "Studies"]
    if fmt is OutputFormat.json:
        print_json([d.model_dump(mode="json") for d in order])
    elif fmt is OutputFormat.md:
        print(markdown_table(headers, rows))
    else:
        table("Drugs", headers, rows)


@app.command()
def diseases(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List the diseases of the knowledge base with their abbreviations and study counts.

    Example: jakatlas diseases --format json
    """
    kb = knowledge_base()
    order = sorted(kb.diseases.values(), key=lambda d: d.name)
    rows = [[d.name, ", ".join(d.abbreviations), ", ".join(d.identifiers),
             len(kb.studies_for(disease=d.name))] for d in order]
    headers = ["Disease", "Abbreviations", "Identifiers", "Studies"]
    if fmt is OutputFormat.json:
        print_json([d.model_dump(mode="json") for d in order])
    elif fmt is OutputFormat.md:
        print(markdown_table(headers, rows))
    else:
        table("Diseases", headers, rows)


def _show_disease(v: DiseaseView, fmt: OutputFormat, candidates: bool = False) -> None:
    d = v.disease
    headers, rows = _evidence_table(v.evidence, candidates)
    cyt = ", ".join(f"{c['name']}" + ("" if c["jak_dependent"] is not False else " (JAK-independent)")
                    for c in v.cytokines)
    if fmt is OutputFormat.md:
        print(f"# {d.name}\n")
        print(f"- Synonyms: {', '.join(d.synonyms + d.abbreviations) or '-'}")
        print(f"- Identifiers: {', '.join(d.identifiers) or 'unknown'}")
        print(f"- Cytokines: {cyt or 'unknown'}\n")
        print(markdown_table(headers, rows))
        return
    console.print(f"[bold]{d.name}[/bold]")
    console.print(f"Synonyms: {', '.join(d.synonyms + d.abbreviations) or '-'}")
    console.print(f"Identifiers: {', '.join(d.identifiers) or 'unknown'}")
    console.print(f"Cytokines: {cyt or 'unknown'}")
    table(f"Evidence ({counted(len(rows), 'study', 'studies')})", headers, rows)


def _show_drug(v: DrugView, fmt: OutputFormat, candidates: bool = False) -> None:
    d = v.drug
    lines = [
        f"Class: {d.drug_class}; status: {d.status}" + (f" ({d.development})" if d.development else ""),
        f"Codes: {', '.join(d.codes) or '-'}; brands: {', '.join(d.brands) or '-'}",
        f"Targets: {', '.join(d.targets) or '-'}",
    ]
    lines += [f"Selectivity: {s.statement} [{', '.join(s.sources)}]" for s in d.selectivity]
    lines += [f"IC50 {i.target}: {i.value_nm:g} nM ({i.assay}) [{', '.join(i.sources)}]" for i in d.ic50]
    lines += [f"Approval: {a.regulator} {a.date or 'date not reported'}: {a.indication} ({a.status})" for a in d.approvals]
    lines += [f"Dose: {x.text}" for x in d.doses]
    if d.boxed_warning:
        bw = d.boxed_warning
        lines.append("Boxed warning: " + {True: "yes", False: "no", None: "unknown"}[bw.present]
                     + (f" - {bw.text}" if bw.text else ""))
    headers, rows = _evidence_table(v.evidence, candidates)
    if fmt is OutputFormat.md:
        print(f"# {d.name}\n")
        print("\n".join(f"- {x}" for x in lines) + "\n")
        print(markdown_table(headers, rows))
        return
    console.print(f"[bold]{d.name}[/bold]")
    for x in lines:
        console.print(x, markup=False)
    table(f"Evidence ({counted(len(rows), 'study', 'studies')})", headers, rows)


@app.command()
def show(
    name: str = typer.Argument(..., help="Disease or drug: name, synonym, abbreviation or development code."),
    fmt: OutputFormat = FORMAT_OPTION,
    candidates: bool = typer.Option(False, "--candidates", help="Include extracted, not yet curated evidence."),
    db: str | None = DB_OPTION,
) -> None:
    """Show a disease or a drug with its evidence from the atlas.

    Example: jakatlas show INCB054707 --format json
    """
    rec = lookup(name)
    atlas = Atlas(db)
    view = disease_view(atlas, rec, candidates=candidates) if isinstance(rec, Disease) \
        else drug_view(atlas, rec, candidates=candidates)
    if fmt is OutputFormat.json:
        print_json(view.model_dump(mode="json"))
    elif isinstance(view, DiseaseView):
        _show_disease(view, fmt, candidates)
    else:
        _show_drug(view, fmt, candidates)


@app.command()
def add(
    path: str = typer.Argument(..., metavar="PATH|DIR|GLOB|-",
                               help="Document, folder or glob (text, HTML, PubMed XML, CT.gov JSON) or '-'."),
    db: str | None = DB_OPTION,
) -> None:
    """Extract evidence from a document and store it as candidates (not curated).

    Adding the same document twice adds nothing. A folder or glob adds every file; long
    documents are read in sections, with a progress bar.

    Example: jakatlas add report.html
    """
    from jakatlas.cli._inputs import expand_paths, extract_with_progress
    from jakatlas.infer.attach import attach_inferences
    from jakatlas.ingest.readers import read_document

    paths = expand_paths(path)
    atlas = Atlas(db)
    failed = 0
    for p in paths:
        try:
            if p == "-":
                doc = read_document(typer.get_binary_stream("stdin").read(), name="<stdin>")
            else:
                doc = read_document(p)
            report = atlas.add_candidates(attach_inferences(extract_with_progress(doc, p), doc.text), doc.text)
        except InputError as exc:
            if len(paths) == 1:
                raise
            failed += 1
            typer.echo(f"Error: {exc}", err=True)
            continue
        console.print(f"Added {len(report.added)} candidate studies from {p} "
                      f"({len(report.existing)} already present).")
    if failed:
        raise typer.Exit(2)


@token_app.command("create")
def token_create(name: str = typer.Argument(..., help="Curator name."), db: str | None = DB_OPTION) -> None:
    """Create a curator API token (printed once; only its hash is stored).

    Example: jakatlas token create alice
    """
    from jakatlas.store.curation import create_token

    print(create_token(Atlas(db), name))


@token_app.command("revoke")
def token_revoke(name: str = typer.Argument(..., help="Curator name."), db: str | None = DB_OPTION) -> None:
    """Revoke a curator's token.

    Example: jakatlas token revoke alice
    """
    from jakatlas.store.curation import revoke_token

    revoke_token(Atlas(db), name)
    console.print(f"Token {name!r} revoked.")
