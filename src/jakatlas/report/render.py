"""Renderers for the disease dossier: Markdown, self-contained HTML (Jinja2), PDF (headless Chromium)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape

from jakatlas.errors import JakatlasError
from jakatlas.report.glance import at_a_glance
from jakatlas.report.plots import data_uri, figure_bytes, forest_plot
from jakatlas.synthesis._common import fmt_timepoint, fmt_weeks

if TYPE_CHECKING:
    from jakatlas.report.dossier import Dossier, ForestPanel
    from jakatlas.synthesis.atlas_effects import ArmEffect
    from jakatlas.synthesis.disease import DiseaseSynthesis

__all__ = ["CHROMIUM_CANDIDATES", "render_markdown", "render_html", "render_pdf", "find_chromium", "effect_cells",
           "count_notes", "link_label", "risk_of_bias_rows"]

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_S = 120


def _env() -> Environment:
    env = Environment(loader=PackageLoader("jakatlas.report", "templates"),
                      autoescape=select_autoescape(["html", "htm", "xml", "j2"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["weeks"] = fmt_weeks
    env.filters["timepoint"] = fmt_timepoint
    env.filters["dash"] = lambda v: "\u2014" if v in (None, "") else v
    return env


def _panel_png(panel: ForestPanel) -> bytes:
    return figure_bytes(forest_plot(panel.rows, xlabel=panel.xlabel, favours=panel.favours), "png")


def effect_cells(r: ArmEffect) -> list[str]:
    """Table cells of one arm effect: study, arm, outcome, time, on drug, comparator, effect."""
    drug = "\u2014" if r.value is None else (f"{r.value:g}%" if r.kind in ("comparative", "single_arm")
                                             or (r.unit or "").startswith("%") and r.kind == "insufficient"
                                             else f"{r.value:g} {r.unit or ''}".strip())
    if r.n is not None and r.kind in ("comparative", "single_arm"):
        drug += f" (n={r.n})"
    comp = "\u2014"
    if r.comparator_value is not None:
        pct = "%" if r.kind in ("comparative", "insufficient") else ""
        comp = f"{r.comparator or 'comparator'} {r.comparator_value:g}{pct}"
        if r.comparator_n is not None:
            comp += f" (n={r.comparator_n})"
    time = fmt_timepoint(r.weeks, r.weeks_assumed)
    arm = r.arm or r.drug
    tag = {"subgroup": "subgroup", "historical": "historical control", "combined": "all doses"}.get(r.role)
    if tag and tag.split()[0] not in arm.lower():
        arm += f" [{tag}]"
    effect = r.summary + (" \u2020" if r.kind == "comparative" and r.note else "")
    return [r.label, arm, r.measure, time, drug, comp, effect]


def count_notes(rows: list[ArmEffect] | tuple[ArmEffect, ...]) -> list[str]:
    """Reconstruction notes of comparative rows (marked \u2020 in the table), one per study and note."""
    seen: dict[str, None] = {}
    for r in rows:
        if r.kind == "comparative" and r.note:
            seen.setdefault(f"{r.label}: {r.note}", None)
    return list(seen)


def link_label(label: str, url: str) -> str:
    """'web' links are shown by their host name."""
    if label != "web":
        return label
    from urllib.parse import urlparse

    host = urlparse(url).netloc
    return host[4:] if host.startswith("www.") else (host or "web")


def _md_table(headers: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        return ("" if v is None else str(v)).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out)


def risk_of_bias_rows(syn: DiseaseSynthesis) -> list[list[str]]:
    """One row per study and tool used by the grades: study, tool, basis, overall, domains."""
    seen: dict[tuple[str, str], list[str]] = {}
    for g in syn.grades:
        for sid, r in g.risk_of_bias:
            if r is not None and (sid, r.tool) not in seen:
                seen[(sid, r.tool)] = [sid, r.tool, r.basis, r.overall,
                                       "; ".join(f"{d}: {v}" for d, v in r.domains.items())]
    return list(seen.values())


def render_markdown(d: Dossier, path: Path | str | None = None) -> str:
    """The dossier as Markdown; with ``path``, write it and its forest plots (PNG) beside it."""
    syn = d.synthesis
    out: list[str] = [f"# {d.disease.name.capitalize()}: JAK inhibitor evidence dossier", ""]
    out.append(f"_Generated {d.generated} by jakatlas {d.version} from {d.database}. {d.caveats[0]}_")
    out.append("")
    names = ", ".join(d.disease.synonyms + d.disease.abbreviations) or "\u2014"
    out += [f"- Also known as: {names}", f"- Identifiers: {', '.join(d.disease.identifiers) or 'unknown'}",
            f"- Evidence: {len(d.studies)} study rows, "
        + (f"{d.n_patients} patients with reported n" if d.n_patients is not None else "n not reported"), ""]
    out += ["## At a glance", ""] + [f"- **{f.label}:** {f.value}" for f in at_a_glance(d)] + [""]
    out += ["## Summary by drug", "", _md_table(
        ["Drug", "Selectivity", "Status", "Dermatologic approvals", "Studies", "Patients", "Best OCEBM level",
         "Bottom line"],
        [[s.drug, s.selectivity, s.status, s.approvals, s.studies, "not reported" if s.patients is None else s.patients,
          s.best_level, s.bottom_line]
         for s in d.drugs]), ""]
    out += ["## Evidence table", ""]
    for drug in [s.drug for s in d.drugs]:
        out += [f"### {drug}", "", _md_table(
            ["Study", "Design", "n", "Dose", "Duration", "Result", "OCEBM", "GRADE certainty", "Sources"],
            [[x.label if x.title.startswith(x.label) else f"{x.label}: {x.title}", x.design, x.n, x.dose, x.duration, x.result,
              f"{x.level}" + (" (see note)" if x.level_note else "") if x.level else "\u2014",
              x.certainty, ", ".join(x.sources)] for x in d.studies if x.drug == drug]), ""]
        notes = [f"- {x.label}: {x.level_note}" for x in d.studies if x.drug == drug and x.level_note]
        out += [*notes, ""] if notes else []
    out += ["## Effect sizes", "", _md_table(
        ["Study", "Arm", "Outcome", "Time", "JAK inhibitor", "Comparator", "Effect (95% CI)"],
        [effect_cells(r) for r in syn.effects]), "",
        *[f"\u2020 {n}" for n in count_notes(syn.effects)], "",
        "RD = risk difference (percentage points), RR = risk ratio, NNTB/NNTH = number needed to treat to "
        "benefit/harm (Altman 1998).", ""]
    if path is not None:
        target = Path(path)
        for i, panel in enumerate(d.forest, start=1):
            png = target.with_name(f"{target.stem}-forest-{i}.png")
            png.write_bytes(_panel_png(panel))
            out += [f"![Forest plot: {panel.title}]({png.name})", ""]
    if syn.pooled:
        out += ["### Pooled estimates", "", _md_table(
            ["Group", "Outcome", "Time", "Studies", "Estimate"],
            [[f"{p.group} ({p.group_kind})", p.measure, fmt_weeks(p.weeks), ", ".join(p.labels), p.summary]
             for p in syn.pooled]), ""]
    else:
        out += ["No pooled estimate: no outcome has two or more placebo-controlled studies with arm sizes at "
                "the same timepoint.", ""]
    out += ["## Placebo context", ""]
    for c in syn.placebo:
        out += [f"**{c.measure}.** {c.summary}", "", _md_table(
            ["Study", "Comparator", "Response", "n", "Time"],
            [[r.label, r.comparator, f"{r.value:g}%", "not reported" if r.n is None else r.n,
              fmt_timepoint(r.weeks, r.weeks_assumed)]
             for r in c.rates]), ""]
    out += [f"- {f.label}: {f.text}" for f in syn.flags]
    out += ["" if syn.flags else "No controlled placebo or vehicle responder rates in the atlas for this disease."
            if not syn.placebo else "", "## GRADE certainty", ""]
    for g in syn.grades:
        out.append(f"- **{g.drug}, {g.outcome}: {g.certainty.upper()}** ({len(g.study_ids)} "
                   f"stud{'y' if len(g.study_ids) == 1 else 'ies'}). " + " ".join(g.key_reasons))
    robs = risk_of_bias_rows(syn)
    if robs:
        out += ["", "Risk of bias per study (RoB 2 for randomised comparisons, ROBINS-I otherwise; *derived* "
                    "judgements are inferred conservatively from the record, not read from the paper):", "",
                _md_table(["Study", "Tool", "Basis", "Overall", "Domains"], robs)]
    m = syn.mechanism
    out += ["", "## Mechanism coverage", "", _md_table(
        ["Cytokine", "Signalling", "JAKs", "Main STATs"],
        [[c.name, c.status.replace("_", "-"), "+".join(c.jaks) or "\u2014", ", ".join(c.stats) or "\u2014"]
         for c in m.cytokines]), ""]
    if m.jak_independent:
        out.append(f"JAK-independent (not blocked directly by any JAK inhibitor): {', '.join(c.name for c in m.jak_independent)}.")
    if m.unknown:
        out.append(f"Signalling unknown in the sources: {', '.join(c.name for c in m.unknown)}.")
    if m.indirect:
        out.append("Indirect routes (shown, not scored): " + " ".join(m.indirect))
    out += ["", _md_table(["Drug", "Targets", "Coverage", "Explanation"],
                          [[x.drug, "/".join(x.targets) or "\u2014",
                            "\u2014" if x.score is None else f"{100 * x.score:.0f}%", x.explanation]
                           for x in m.drugs]), ""]
    if m.concentration_nm is not None:
        out += [f"Model assumptions (Hill equation at {m.concentration_nm:g} nM):", *[f"- {a}" for a in m.assumptions], ""]
    out += ["## Safety", ""]
    for s in d.safety:
        out.append(f"- **{s.drug}**: boxed warning: {s.boxed_warning}")
        out += [f"  - {e}" for e in s.events] or ["  - no adverse-event figures in these studies"]
    out += ["", "## References", ""]
    for ref in d.references:
        links = " \u00b7 ".join(f"[{link_label(label, url)}]({url})" for label, url in ref.links)
        out.append(f"- [{ref.tag}] {ref.title} ({ref.type})" + (f". {links}" if links else ""))
    out += ["", "## Notes", "", *[f"- {c}" for c in d.caveats], ""]
    text = "\n".join(out)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def render_html(d: Dossier) -> str:
    """Self-contained HTML: inline CSS, figures as data URIs, autoescaped text."""
    figures = [(p.title, data_uri(_panel_png(p), "png")) for p in d.forest]
    tpl = _env().get_template("dossier.html.j2")
    return tpl.render(d=d, syn=d.synthesis, figures=figures, effect_cells=effect_cells, glance=at_a_glance(d),
                      count_notes=count_notes(d.synthesis.effects), link_label=link_label,
                      rob_rows=risk_of_bias_rows(d.synthesis))


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary (``JAKATLAS_CHROMIUM`` overrides), or None."""
    env = os.environ.get("JAKATLAS_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def render_pdf(d: Dossier, path: Path | str) -> None:
    """Print the HTML dossier to PDF with headless Chromium (no network, throwaway profile)."""
    binary = find_chromium()
    if binary is None:
        raise JakatlasError("Cannot write a PDF: Chromium is not installed.",
                            hint="Install it (Debian: apt-get install chromium) or write .html and print it.")
    out = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="jakatlas-pdf-") as tmp:
        page = Path(tmp) / "dossier.html"
        page.write_text(render_html(d), encoding="utf-8")
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-pdf-header-footer", f"--user-data-dir={Path(tmp) / 'profile'}",
               f"--print-to-pdf={out}", page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise JakatlasError(f"Chromium did not finish the PDF within {PDF_TIMEOUT_S} s.",
                                hint="Try again, or write .html and print it from a browser.") from exc
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            detail = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise JakatlasError(f"Chromium failed to write {out.name} (exit {proc.returncode}: {detail[0]}).",
                                hint="Check that the folder is writable, or write .html instead.")
