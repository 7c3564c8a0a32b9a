"""The extracted candidate the web tests store: a case report with hostile text around real spans."""

from __future__ import annotations

from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study

# Hostile text: the study page must show it as text, never run it.
CANDIDATE_TEXT = (
    "Case report. <script>window.__pwned = 1</script> A 54-year-old woman with erosive oral lichen planus "
    "received baricitinib 4 mg once daily. After 12 weeks the erosions had healed completely."
)
SPAN_TEXT = "received baricitinib 4 mg once daily"


def candidate_result() -> ExtractionResult:
    start = CANDIDATE_TEXT.index(SPAN_TEXT)
    return ExtractionResult(
        source=SourceInfo(id="case.txt", kind="text", sha256="c" * 64, title="Oral lichen planus case"),
        studies=[Study(
            id="s1", interventions=[{"name": "baricitinib", "dose": "4 mg", "frequency": "once daily"}],
            diseases=[{"name": "lichen planus", "variant": "erosive"}], design="case_report", n=1,
            evidence_level=4, duration={"value": 12, "unit": "week"},
            outcomes=[{"measure": "healing of erosions", "value": 100.0, "unit": "%",
                       "spans": [{"start": CANDIDATE_TEXT.index("the erosions"),
                                  "end": CANDIDATE_TEXT.index("completely") + len("completely")}]}],
            spans=[{"start": start, "end": start + len(SPAN_TEXT)}])],
    )
