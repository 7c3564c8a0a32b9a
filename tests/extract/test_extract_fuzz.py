"""Hypothesis fuzz: ``extract()`` never raises on arbitrary text and stays fast."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jakatlas.extract import extract, is_relevant

WORDS = st.sampled_from([
    "tofacitinib", "JAK1", "INCB054707", "placebo", "versus", "vs", "(", ")", "%", "12%", "5 mg", "twice daily",
    "patients", "a patient", "Two", "phase 2", "trials", "(NCT01234567", "and", "NCT07654321)", "study 1",
    "the first study", "no", "adverse events", "lichen planus", "(LP)", "HS", "HiSCR", "from 3 to 1", "fell by",
    "rose to", "at baseline", "\n", ". ", "; ", "week 16", "randomized", "open-label", "JAK inhibition", "[1,2]",
    "STOP-HS1", "STAT-3", "IFN-γ", "≥50%", "-", "DLQI", "than", "higher", "in the", "group", "Study 2 - NCT0000000",
])
TEXTS = st.one_of(st.text(max_size=400), st.lists(WORDS, max_size=80).map(" ".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_extract_never_raises_and_is_bounded(text: str) -> None:
    t0 = time.perf_counter()
    result = extract(text)
    assert time.perf_counter() - t0 < 2.0
    n = len(text)
    for study in result.studies:
        assert study.interventions and study.diseases
        assert all(0 <= s.start <= s.end <= n for s in study.spans)
        for o in study.outcomes:
            assert all(0 <= s.start <= s.end <= n for s in o.spans)
    assert all(0 <= m.start < m.end <= n and text[m.start:m.end] == m.text for m in result.mentions)
    assert isinstance(is_relevant(text), bool)
