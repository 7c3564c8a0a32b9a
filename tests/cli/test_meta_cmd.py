"""``jakatlas meta`` end to end on the BCG trials, including its error messages."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import jakatlas.cli.meta_cmd  # noqa: F401  (registers the command)
from jakatlas.cli import _load_commands, app, main
from jakatlas.errors import InputError, StatisticsError
from jakatlas.synthesis.effects import escalc

BCG = Path(__file__).resolve().parents[1] / "fixtures" / "dat_bcg.csv"
runner = CliRunner()
_load_commands()  # as main() does: with one command only, Typer would run it without its name

# metafor, rma(yi, vi, data=dat) on dat.bcg log RR (see tests/synthesis/test_metafor_alignment.py for
# sources): estimate -0.7145 (95% CI -1.0669 to -0.3622), tau² 0.3132 (SE 0.1664), I² 92.22%,
# H² 12.86, Q(12) 152.2330; exp() of the log-scale figures gives RR 0.4894 (0.3441 to 0.6962).
THREE_DECIMALS = 5e-4


def _rows() -> list[dict[str, str]]:
    with BCG.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines: list[list[object]] = [list(header), *rows]
    path.write_text("\n".join(",".join(str(c) for c in r) for r in lines) + "\n", encoding="utf-8")
    return path


def test_help_has_an_example() -> None:
    res = runner.invoke(app, ["meta", "--help"])
    assert res.exit_code == 0
    assert "Example: jakatlas meta trials.csv --measure RR --method REML --knha" in res.output


def test_reml_table_reproduces_metafor() -> None:
    res = runner.invoke(app, ["meta", str(BCG), "--measure", "RR", "--method", "REML"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Random-effects model (REML), k = 13 (pooled on the log scale, shown as RR)" in out
    assert "Pooled RR: 0.4894 (95% CI 0.3441 to 0.6962), z = -3.9744, p < 0.0001" in out
    assert "95% prediction interval: 0.1546 to 1.5490" in out
    assert "tau^2 = 0.3132 (SE 0.1664), tau = 0.5597, I^2 = 92.22%, H^2 = 12.86" in out
    assert "Heterogeneity: Q(12) = 152.23, p < 0.0001" in out
    # Per-study rows: counts, back-transformed RR with its CI, and the REML weight.
    assert "Aronson" in out and "4/123" in out and "11/139" in out
    assert "0.4109 [0.1343, 1.2574]" in out and "5.1%" in out


def test_json_output_carries_both_scales() -> None:
    res = runner.invoke(app, ["meta", str(BCG), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["method"] == "REML" and data["measure"] == "RR" and data["input"] == "counts"
    assert data["estimate"] == pytest.approx(-0.7145, abs=THREE_DECIMALS)
    assert data["ci_lower"] == pytest.approx(-1.0669, abs=THREE_DECIMALS)
    assert data["tau2"] == pytest.approx(0.3132, abs=THREE_DECIMALS)
    assert data["i2"] == pytest.approx(92.22, abs=0.005)
    assert data["q"] == pytest.approx(152.2330, abs=THREE_DECIMALS)
    assert data["ratio_scale"]["estimate"] == pytest.approx(0.4894, abs=THREE_DECIMALS)
    assert len(data["studies"]) == 13
    assert data["studies"][0] == {"label": "Aronson 1948", "yi": pytest.approx(-0.8893, abs=1e-4),
                                  "vi": pytest.approx(0.3256, abs=1e-4), "weight": pytest.approx(5.0, abs=0.1),
                                  "ai": 4, "bi": 119, "ci": 11, "di": 128}


def test_knha_uses_t_with_k_minus_1_df() -> None:
    res = runner.invoke(app, ["meta", str(BCG), "--method", "DL", "--knha"])
    assert res.exit_code == 0, res.output
    assert "Random-effects model (DL), k = 13, Hartung-Knapp adjustment" in res.output
    assert "t(12) = " in res.output
    data = json.loads(runner.invoke(app, ["meta", str(BCG), "--method", "dl", "--knha", "-f", "json"]).output)
    assert data["knha"] is True and data["df"] == 12 and data["test"] == "t"


def test_equal_effects_has_no_prediction_interval() -> None:
    res = runner.invoke(app, ["meta", str(BCG), "--method", "EE", "--measure", "or"])
    assert res.exit_code == 0, res.output
    # metafor/metan: EE log OR -0.4361 -> OR 0.6465 (0.5951 to 0.7024).
    assert "Equal-effects model, k = 13" in res.output
    assert "Pooled OR: 0.6465 (95% CI 0.5951 to 0.7024)" in res.output
    assert "prediction interval" not in res.output


def test_risk_difference_is_not_back_transformed() -> None:
    res = runner.invoke(app, ["meta", str(BCG), "--measure", "RD", "--method", "EE"])
    assert res.exit_code == 0, res.output
    assert "Pooled RD: -0.0009 (95% CI -0.0014 to -0.0005)" in res.output


def test_yi_vi_input_pools_as_given(tmp_path: Path) -> None:
    rows = _rows()
    es = escalc("RR", *([int(r[c]) for r in rows] for c in ("ai", "bi", "ci", "di")))
    path = _write(tmp_path / "effects.csv", ["study", "yi", "vi"],
                  [[r["study"], y, v] for r, y, v in zip(rows, es.yi, es.vi, strict=True)])
    from_effects = json.loads(runner.invoke(app, ["meta", str(path), "-m", "RR", "-f", "json"]).output)
    from_counts = json.loads(runner.invoke(app, ["meta", str(BCG), "-f", "json"]).output)
    assert from_effects["input"] == "yi/vi"
    assert from_effects["estimate"] == pytest.approx(from_counts["estimate"], abs=1e-12)
    assert from_effects["tau2"] == pytest.approx(from_counts["tau2"], abs=1e-12)


def test_group_column_adds_a_subgroup_test(tmp_path: Path) -> None:
    path = _write(tmp_path / "grouped.csv", ["study", "ai", "bi", "ci", "di", "group"],
                  [[r["study"], r["ai"], r["bi"], r["ci"], r["di"], r["alloc"]] for r in _rows()])
    res = runner.invoke(app, ["meta", str(path), "--method", "REML"])
    assert res.exit_code == 0, res.output
    assert "Subgroups:" in res.output
    assert "  random (k = 7): RR " in res.output and "  systematic (k = 4): RR " in res.output
    assert "Test for subgroup differences: Q(2) = " in res.output
    data = json.loads(runner.invoke(app, ["meta", str(path), "-f", "json"]).output)
    assert data["subgroups"]["df_between"] == 2
    assert [g["name"] for g in data["subgroups"]["groups"]] == ["random", "alternate", "systematic"]
    assert data["studies"][0]["group"] == "random"


@pytest.mark.parametrize(
    ("header", "rows", "error", "message"),
    [
        (["study", "events", "total"], [["A", 1, 10]], InputError,
         "missing columns. The header must be 'study,ai,bi,ci,di'"),
        (["study", "ai", "bi", "ci", "di"], [["A", 1, 9, 2, 8], ["B", "x", 9, 2, 8]], InputError,
         "row 3, column 'ai': 'x' is not a number"),
        (["study", "ai", "bi", "ci", "di"], [["A", 1, 9, 2, 8], ["B", -1, 9, 2, 8]], InputError,
         "row 3, column 'ai': counts cannot be negative (got -1)"),
        (["study", "ai", "bi", "ci", "di"], [["A", 1.5, 9, 2, 8], ["B", 1, 9, 2, 8]], InputError,
         "counts must be whole numbers"),
        (["study", "yi", "vi"], [["A", 0.1, 0.0], ["B", 0.2, 0.1]], InputError,
         "row 2: vi must be positive (got 0.0)"),
        (["study", "ai", "bi", "ci", "di"], [["A", 1, 9, 2, 8]], StatisticsError,
         "A random-effects model (REML) needs at least 2 studies, got 1; add studies or use --method EE."),
        (["study", "ai", "bi", "ci", "di"], [], InputError, "has a header but no studies"),
    ],
)
def test_bad_input_raises_a_message_that_says_how_to_fix(tmp_path: Path, header: list[str], rows: list[list[object]],
                                                         error: type[Exception], message: str) -> None:
    path = _write(tmp_path / "bad.csv", header, rows)
    res = runner.invoke(app, ["meta", str(path), *(["--measure", "GEN"] if "yi" in header else [])])
    assert res.exit_code != 0
    assert isinstance(res.exception, error)
    assert message in str(res.exception)


def test_semicolon_files_get_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("study;ai;bi;ci;di\nA;1;9;2;8\n", encoding="utf-8")
    res = runner.invoke(app, ["meta", str(path)])
    assert "semicolon-separated; use commas" in str(res.exception)


def test_main_prints_one_line_and_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    monkeypatch.setattr(sys, "argv", ["jakatlas", "meta", str(missing)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err == f"Error: File not found: {missing}. Check the path to the CSV file.\n"


# -- measure, zero cells, duplicate labels, MH/Peto, plots, leave-one-out, Egger -------------------
def test_yi_vi_input_needs_an_explicit_measure_and_gen_is_never_back_transformed(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", ["study", "yi", "vi"], [["A", 0.5, 0.04], ["B", 0.3, 0.09], ["C", 0.1, 0.05]])
    res = runner.invoke(app, ["meta", str(path)])
    assert isinstance(res.exception, InputError)
    assert str(res.exception) == (f"{path}: yi/vi input needs --measure to say what yi is: RR or OR (yi = log "
                                  "ratio; results shown as ratios), RD, MD, SMD, or GEN (any other effect, never "
                                  "back-transformed). Use --measure RR, OR, RD, MD, SMD, GEN.")
    gen = runner.invoke(app, ["meta", str(path), "--measure", "GEN", "--method", "EE"])
    assert gen.exit_code == 0, gen.output
    assert "Equal-effects model, k = 3\n" in gen.output and "Pooled GEN: 0.3" in gen.output
    data = json.loads(runner.invoke(app, ["meta", str(path), "-m", "GEN", "-f", "json"]).output)
    assert "ratio_scale" not in data
    bad = runner.invoke(app, ["meta", str(BCG), "--measure", "SMD"])
    assert str(bad.exception) == f"{BCG}: --measure SMD does not fit counts input; use one of RR, OR, RD."


def test_duplicate_study_labels_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "dup.csv", ["study", "ai", "bi", "ci", "di"],
                  [["Rosenthal", 3, 228, 11, 209], ["Rosenthal", 17, 1699, 65, 1600], ["X", 1, 9, 2, 8]])
    res = runner.invoke(app, ["meta", str(path)])
    assert isinstance(res.exception, InputError)
    assert str(res.exception) == (f"{path}: study label 'Rosenthal' appear more than once; give each study one row "
                                  "with a unique label (add the year or the arm, or combine the arms first).")


def test_double_zero_studies_are_left_out_with_a_note_and_corrections_are_stated(tmp_path: Path) -> None:
    path = _write(tmp_path / "z.csv", ["study", "ai", "bi", "ci", "di"],
                  [["A", 0, 20, 0, 20], ["B", 0, 30, 4, 26], ["C", 5, 45, 9, 41], ["D", 2, 18, 6, 14]])
    res = runner.invoke(app, ["meta", str(path), "--method", "EE"])
    assert res.exit_code == 0, res.output
    assert "k = 3" in res.output
    assert ("Note: Left out 1 study with no events (or only events) in both arms, which carry no information on a "
            "ratio: A (--keep-double-zero keeps them).") in res.output
    assert ("Note: Continuity correction: 0.5 added to every cell of 1 table with a zero cell (B); --cc 0 turns it "
            "off.") in res.output
    off = runner.invoke(app, ["meta", str(path), "--method", "EE", "--cc", "0"])
    assert isinstance(off.exception, InputError)
    assert str(off.exception) == (f"{path}: B has a zero cell, so the log RR is undefined without a continuity "
                                  "correction. Use --cc 0.5, or --method MH (or PETO for OR), which need none.")
    mh = runner.invoke(app, ["meta", str(path), "--method", "MH", "--cc", "0"])
    assert mh.exit_code == 0, mh.output
    kept = json.loads(runner.invoke(app, ["meta", str(path), "--method", "EE", "--keep-double-zero", "-f",
                                          "json"]).output)
    assert kept["k"] == 4


def test_mantel_haenszel_and_peto_from_the_cli_match_metafor() -> None:
    """metafor's tests/testthat/test_misc_metan_vs_rma.{mh,peto}_with_dat.bcg.r (also Stata metan)."""
    mh = runner.invoke(app, ["meta", str(BCG), "--method", "MH"])
    assert mh.exit_code == 0, mh.output
    assert "Equal-effects model (Mantel-Haenszel), k = 13 (pooled on the log scale, shown as RR)" in mh.output
    assert "Pooled RR: 0.6353 (95% CI 0.5881 to 0.6862), z = -11.5338, p < 0.0001" in mh.output
    assert "Heterogeneity: Q(12) = 152.57, p < 0.0001" in mh.output
    peto = runner.invoke(app, ["meta", str(BCG), "--method", "PETO", "--measure", "OR"])
    assert "Pooled OR: 0.6222 (95% CI 0.5746 to 0.6738), z = -11.6689, p < 0.0001" in peto.output
    assert "Heterogeneity: Q(12) = 167.73, p < 0.0001" in peto.output
    wrong = runner.invoke(app, ["meta", str(BCG), "--method", "PETO"])
    assert str(wrong.exception) == "Peto's method pools odds ratios, not RR. Use --measure OR."


def test_plots_leave_one_out_and_egger_from_the_cli(tmp_path: Path) -> None:
    forest, funnel = tmp_path / "forest.png", tmp_path / "funnel.svg"
    res = runner.invoke(app, ["meta", str(BCG), "--leave-one-out", "--plot", str(forest), "--plot", str(funnel)])
    assert res.exit_code == 0, res.output
    assert forest.read_bytes().startswith(b"\x89PNG") and funnel.read_text().lstrip().startswith("<?xml")
    assert f"Wrote the forest plot to {forest}." in res.output and f"Wrote the funnel plot to {funnel}." in res.output
    assert "Leave-one-out (REML):" in res.output
    # metafor leave1out() on dat.bcg (REML, log RR) omitting the first study: estimate -0.7071 -> RR 0.4931
    assert "  without Aronson 1948: RR 0.4931 (0.3398 to 0.7155)" in res.output
    assert ("Egger's test for funnel-plot asymmetry (k = 13): intercept -2.1120 (SE 1.5072), t(11) = -1.4013, "
            "p = 0.1887") in res.output
    bad = runner.invoke(app, ["meta", str(BCG), "--plot", str(tmp_path / "plot.png")])
    assert str(bad.exception) == ("Cannot tell which plot to write to 'plot.png'. Name the file forest*.png|svg or "
                                  "funnel*.png|svg.")


def test_egger_is_not_run_below_ten_studies(tmp_path: Path) -> None:
    rows = _rows()[:6]
    path = _write(tmp_path / "six.csv", ["study", "ai", "bi", "ci", "di"],
                  [[r["study"], r["ai"], r["bi"], r["ci"], r["di"]] for r in rows])
    res = runner.invoke(app, ["meta", str(path)])
    assert "Egger's test not run: k = 6 (at least 10 studies are needed)." in res.output
    assert json.loads(runner.invoke(app, ["meta", str(path), "-f", "json"]).output)["egger"] is None


def test_means_input_gives_md_or_hedges_g(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.csv", ["study", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"],
                  [["A", 10, 2, 20, 8, 2.5, 25], ["B", 12, 3, 30, 11, 3, 30], ["C", 9, 2, 15, 8.5, 2, 16]])
    need = runner.invoke(app, ["meta", str(path)])
    assert str(need.exception).endswith("means input needs --measure to say the effect: MD or SMD (Hedges' g). "
                                        "Use --measure MD, SMD.")
    smd = json.loads(runner.invoke(app, ["meta", str(path), "-m", "SMD", "--method", "EE", "-f", "json"]).output)
    assert smd["measure"] == "SMD" and smd["input"] == "means"
    assert smd["studies"][0]["yi"] == pytest.approx(0.8571, abs=1e-4)
