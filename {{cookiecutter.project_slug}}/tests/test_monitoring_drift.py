"""Drift report on tabular data: the shipped drifted sample fails the check, fresh training-like data passes."""

import contextlib
import io
import json
import re

import pytest

from {{ cookiecutter.package_name }}.monitoring import drift, statistics
from {{ cookiecutter.package_name }}.tabular import prep, scoring

from serving_helpers import save_tiny_model, shipped_rows


@pytest.fixture(scope="module")
def shipped_report(tmp_path_factory):
    """``make drift`` on the shipped samples, once for the tests that read its outputs: (exit code, printed, folder)."""
    output = tmp_path_factory.mktemp("drift")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = drift.main(["--output", str(output), "--no-predictions"])
    return code, printed.getvalue(), output


def test_drifted_sample_fails_with_a_report_and_plots(shipped_report):
    code, printed, output = shipped_report
    assert code == 1
    summary = json.loads((output / "drift.json").read_text())
    assert {"interest_rate", "annual_income"} <= set(summary["drifted"])
    assert "DRIFT DETECTED" in (output / "report.md").read_text()
    assert (output / "psi.png").stat().st_size > 0
    assert (output / "distributions.png").stat().st_size > 0
    assert "drift detected" in printed


def test_report_says_psi_decides_and_shows_the_tests_as_context(shipped_report):
    """home_ownership: chi-square p ~ 1e-12 but PSI ~ 0.08. "p=3.9e-12  ok" alone read as a contradiction."""
    _, printed, output = shipped_report
    threshold = drift.thresholds("dev")["psi_threshold"]
    assert f"drift at PSI >= {threshold}, psi_threshold from config/dev.yml" in printed
    assert "for context (do not decide)" in printed
    (line,) = [line for line in printed.splitlines() if line.strip().startswith("home_ownership")]
    decision, context = re.split(r"(?<=-> ok)\s+", line.split(maxsplit=1)[1], maxsplit=1)
    assert decision == f"PSI {float(decision.split()[1]):.4f} < {threshold} -> ok"
    assert context.startswith("chi-square p=") and float(context.split("p=")[1].split(",")[0]) < 1e-6
    assert " ".join(printed.split()).count(" ".join(statistics.WHY_ONLY_PSI_DECIDES.split())) == 1

    report = (output / "report.md").read_text()
    assert f"| decides: PSI vs {threshold} | for context (do not decide): test |" in report
    assert statistics.WHY_ONLY_PSI_DECIDES in report
    (row,) = [row for row in report.splitlines() if row.startswith("| home_ownership |")]
    assert row.split(" | ")[2].endswith(f"< {threshold} -> ok")


def test_reference_holds_exactly_the_rows_prep_kept(shipped_report, tmp_path):
    """A row without a target is valid production input, not training data: it counted as 5001 of 5000."""
    _, _, output = shipped_report
    summary = json.loads((output / "drift.json").read_text())
    prepared = prep.prep(drift.PROJECT_ROOT / drift.RAW_DATA, tmp_path)
    assert (summary["reference_rows"], summary["reference_rejected"]) == (
        prepared["rows_valid"],
        prepared["rows_rejected"],
    )


def test_report_says_which_source_each_feature_comes_from(shipped_report):
    _, _, output = shipped_report
    summary = json.loads((output / "drift.json").read_text())
    assert summary["sources"]["payment_history"] == [
        "history_payments_90d",
        "history_max_days_late_90d",
        "history_paid_ratio_90d",
    ]
    assert "credit_score" in summary["sources"]["applications"]
    compared = {f["feature"] for f in summary["features"]}
    assert compared == {name for names in summary["sources"].values() for name in names}
    assert "- from payment_history: history_payments_90d" in (output / "report.md").read_text()


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
