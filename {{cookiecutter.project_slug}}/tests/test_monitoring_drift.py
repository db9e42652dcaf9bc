"""Drift report on tabular data: the shipped drifted sample fails the check, fresh training-like data passes."""

import json

from {{ cookiecutter.package_name }}.monitoring import drift
from {{ cookiecutter.package_name }}.tabular import scoring

from serving_helpers import save_tiny_model, shipped_rows


def test_drifted_sample_fails_with_a_report_and_plots(tmp_path, capsys):
    code = drift.main(["--output", str(tmp_path), "--no-predictions"])
    assert code == 1
    summary = json.loads((tmp_path / "drift.json").read_text())
    assert {"interest_rate", "annual_income"} <= set(summary["drifted"])
    assert "DRIFT DETECTED" in (tmp_path / "report.md").read_text()
    assert (tmp_path / "psi.png").stat().st_size > 0
    assert (tmp_path / "distributions.png").stat().st_size > 0
    assert "drift detected" in capsys.readouterr().out


def test_undrifted_sample_passes(tmp_path):
    sample = tmp_path / "recent.csv"
    shipped_rows(800, seed=3).drop(columns=["defaulted"]).to_csv(sample, index=False)
    assert drift.main(["--current", str(sample), "--output", str(tmp_path / "report"), "--no-predictions"]) == 0
    summary = json.loads((tmp_path / "report" / "drift.json").read_text())
    assert summary["drifted"] == []


def test_with_a_model_the_predicted_class_is_compared_too(tmp_path):
    model = scoring.load(save_tiny_model(tmp_path / "model"))
    sample = tmp_path / "recent.csv"
    shipped_rows(800, seed=3).drop(columns=["defaulted"]).to_csv(sample, index=False)
    reference = drift.PROJECT_ROOT / drift.RAW_DATA
    summary = drift.report(sample, reference, tmp_path / "report", drift.thresholds("dev"), model)
    assert summary["prediction_drift_checked"]
    predicted = [f for f in summary["features"] if f["feature"] == "prediction"]
    assert len(predicted) == 1 and predicted[0]["kind"] == "categorical"
