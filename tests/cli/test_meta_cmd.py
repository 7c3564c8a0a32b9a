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
    assert data["studies"][0] == {"label": "Aronson", "yi": pytest.approx(-0.8893, abs=1e-4),
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
    from_effects = json.loads(runner.invoke(app, ["meta", str(path), "-f", "json"]).output)
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
    res = runner.invoke(app, ["meta", str(path)])
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
