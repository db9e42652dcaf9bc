"""Feature attribution drift in the drift report: importance rankings of training and production compared."""

import json

from {{ cookiecutter.package_name }}.monitoring import attribution, drift
from {{ cookiecutter.package_name }}.tabular import scoring

from serving_helpers import save_tiny_model, shipped_rows


def test_drift_report_with_a_model_compares_feature_importance(tmp_path):
    model = scoring.load(save_tiny_model(tmp_path / "model"))
    limits = drift.thresholds("dev")
    summary = drift.report(drift.DEFAULT_CURRENT, drift.PROJECT_ROOT / drift.RAW_DATA, tmp_path / "out", limits, model)
    found = summary["attribution"]
    # The shipped drift sample's outcomes arrive in data/delayed-labels.csv: they are the production target.
    assert found["current_target"].startswith("delayed labels")
    assert 0 < found["ndcg"] <= 1 and found["drifted"] == (found["ndcg"] < limits["attribution_ndcg_threshold"])
    assert set(found["training"]) == set(found["production"]) == set(scoring.DRIFT_CATEGORICAL + scoring.DRIFT_NUMERIC)
    assert "## Feature attribution drift" in (tmp_path / "out" / "report.md").read_text()
    assert json.loads((tmp_path / "out" / "drift.json").read_text())["attribution"]["ndcg"] == found["ndcg"]


def test_the_same_data_ranks_features_the_same_way(tmp_path):
    """Training-like production rows without labels: the model's predictions are the target; rankings agree."""
    model = scoring.load(save_tiny_model(tmp_path / "model"))
    sample = tmp_path / "recent.csv"
    shipped_rows(600, seed=5).drop(columns=["defaulted"]).to_csv(sample, index=False)
    found = attribution.compare(model, drift.PROJECT_ROOT / drift.RAW_DATA, sample, None, 0.9)
    assert found["current_target"].startswith("the model's predictions")
    assert found["ndcg"] > 0.9 and not found["drifted"]
