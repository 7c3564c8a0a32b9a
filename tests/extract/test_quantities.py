"""Numbers in text: sample sizes, percentages, doses, frequencies, durations, p-values, CIs."""

from __future__ import annotations

import pytest

from jakatlas.extract.quantities import find_quantities, normalise_frequency, parse_number


def kinds(text: str, kind: str) -> list[tuple[str, float | None, str | None]]:
    return [(q.text, q.value, q.role) for q in find_quantities(text) if q.kind == kind]


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Twelve patients with vitiligo were treated.", 12),
        ("in 48 patients with alopecia areata", 48),
        ("The trial enrolled n = 210 adults.", 210),
        ("(n=9)", 9),
        ("22 AD patients received the drug", 22),
        ("a patient treated for alopecia", 1),
        ("a 61-year-old man presented", 1),
        ("twenty-three women had the disease", 23),
        ("Enrollment: 46 participants", 46),
        ("A total of 1,200 patients were randomized", 1200),
    ],
)
def test_sample_sizes(text: str, n: int) -> None:
    assert [q.value for q in find_quantities(text) if q.kind == "n"][0] == n


@pytest.mark.parametrize(
    "text",
    ["Two phase 3 trials assessed the drug.", "15% of patients", "at week 12 in 4 arms", "8 weeks in the trial",
     "a case series was published", "a patient-reported outcome"],
)
def test_not_sample_sizes(text: str) -> None:
    assert not kinds(text, "n")


def test_percentages_thresholds_and_ranges() -> None:
    found = kinds("a 50% reduction was needed; 42.3% vs 28.6%; range 52.9–64.0%; at least a 75% fall", "percent")
    assert found == [("50%", 50.0, "threshold"), ("42.3%", 42.3, None), ("28.6%", 28.6, None),
                     ("64.0%", 64.0, None), ("at least a 75%", 75.0, "threshold")]
    assert kinds("fell by -21.2%", "percent") == [("-21.2%", -21.2, None)]
    assert kinds("10-20% of cases", "percent") == [("20%", 20.0, None)]


def test_doses() -> None:
    assert [t for t, _, _ in kinds("upadacitinib 15 mg or 30 mg, and 10 mg/kg; cream 1.5%", "dose")] == [
        "15 mg", "30 mg", "10 mg/kg", "1.5%"]
    assert [t for t, _, _ in kinds("ruxolitinib 1.5% cream", "dose")] == ["1.5%"]


@pytest.mark.parametrize(
    ("text", "canon"),
    [("QD", "once daily"), ("once-daily", "once daily"), ("once a day", "once daily"), ("5 mg daily", "once daily"),
     ("BID", "twice daily"), ("b.i.d.", "twice daily"), ("twice-daily", "twice daily"), ("twice a day", "twice daily"),
     ("TID", "three times daily"), ("weekly", "weekly"), ("every 2 weeks", "every 2 weeks"), ("Q4W", "every 4 weeks")],
)
def test_frequencies(text: str, canon: str) -> None:
    assert normalise_frequency(text) == canon
    assert [t for t, _, _ in kinds(f"drug {text} for a month", "frequency")] == [canon]


@pytest.mark.parametrize(
    ("text", "value", "unit", "role"),
    [("treated for 8 weeks", 8, "week", "for"), ("after 52 weeks", 52, "week", "at"), ("at week 16", 16, "week", "at"),
     ("a 1-year pilot trial", 1, "year", "adj"), ("over six months", 6, "month", "for"),
     ("Duration: 24 weeks", 24, "week", "for"), ("16 weeks of randomised treatment", 16, "week", "for")],
)
def test_durations(text: str, value: float, unit: str, role: str) -> None:
    q = next(q for q in find_quantities(text) if q.kind == "duration")
    assert (q.value, q.unit, q.role) == (value, unit, role)


def test_ages_are_not_durations() -> None:
    assert not kinds("a 45-year-old woman aged 45 years with a disease duration of 5 years", "duration")


def test_p_values_and_confidence_intervals() -> None:
    qs = find_quantities("difference 12.1% (95% CI, 4.2-20.0; P < .001) and p = 0.03")
    assert [(q.value) for q in qs if q.kind == "p_value"] == [0.001, 0.03]
    ci = next(q for q in qs if q.kind == "ci")
    assert ci.extra == {"low": 4.2, "high": 20.0}
    assert [q.value for q in qs if q.kind == "percent"] == [12.1]


def test_parse_number() -> None:
    assert parse_number("1,200") == 1200
    assert parse_number("0·5") == 0.5
    assert parse_number("thirty-one") == 31
    assert parse_number("many") is None


@pytest.mark.parametrize(("text", "span"), [("281 adult patients with RA", "281 adult patients"),
                                            ("12 adult women with vitiligo", "12 adult women"),
                                            ("40 adults were treated", "40 adults")])
def test_a_population_word_used_as_a_modifier_stays_in_the_count(text: str, span: str) -> None:
    """'281 adult patients': the count covers the noun, so what follows it ('with RA') is seen."""
    assert [q.text for q in find_quantities(text) if q.kind == "n"] == [span]


@pytest.mark.parametrize("text", ["serum creatinine rose by 0.07 mg/dL and 0.08 mg/dL",
                                  "trough levels of 5 µg/mL", "a level of 12 mg/L"])
def test_a_concentration_is_not_a_dose(text: str) -> None:
    assert kinds(text, "dose") == []


def test_doses_still_read_with_their_units() -> None:
    assert [t for t, _v, _r in kinds("10 mg twice daily, 15 mg/day or 2 mg/kg", "dose")] == \
        ["10 mg", "15 mg/day", "2 mg/kg"]


@pytest.mark.parametrize("text", ["responses were greater (overlapping 95% CIs)",
                                  "the estimates differed (non-overlapping 90% confidence intervals)"])
def test_the_level_of_an_interval_is_not_a_result(text: str) -> None:
    levels = [q for q in find_quantities(text) if q.kind == "percent" and q.value in (90.0, 95.0)]
    assert levels and all(q.role == "ci_level" for q in levels)


def test_percentages_in_the_name_of_response_criteria_are_names() -> None:
    text = "the American College of Rheumatology 20%/50%/70% improvement criteria (ACR20/50/70)"
    roles = [(q.value, q.role) for q in find_quantities(text) if q.kind == "percent"]
    assert roles == [(20.0, "name"), (50.0, "name"), (70.0, "name")]
