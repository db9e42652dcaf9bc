"""Model quality with ground truth: predictions joined to delayed labels, per window, against test-time quality."""

import json

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.monitoring import quality
from {{ cookiecutter.package_name }}.tabular import scoring

from serving_helpers import save_tiny_model


@pytest.fixture(scope="module")
def sample_predictions(tmp_path_factory):
    model = scoring.load(save_tiny_model(tmp_path_factory.mktemp("quality") / "model"))
    return quality.sample_predictions(model)


def baseline_file(folder, value: float):
    path = folder / "tags.json"
    path.write_text(json.dumps({"gate_metric": "f1_macro", "test_f1_macro": str(value)}))
    return path


def test_shipped_labels_join_the_drift_sample_in_weekly_windows(sample_predictions, tmp_path):
    limits = quality.settings("dev")
    labels = quality.PROJECT_ROOT / limits["labels"]
    baseline = quality.test_time_quality(baseline_file(tmp_path, 0.5))
    summary = quality.report(sample_predictions, labels, tmp_path / "report", limits, baseline)
    assert summary["predictions"] == 800
    assert summary["labelled"] == len(pd.read_csv(labels))
    assert [w["labelled"] for w in summary["windows"]][:3] == [200, 200, 200]  # the newest week is partly labelled
    assert summary["windows"][0]["metrics"]["f1_macro"] > 0  # the gate's metric, per window
    assert (tmp_path / "report" / "report.md").read_text().count("| 2026-") == 4
    assert json.loads((tmp_path / "report" / "quality.json").read_text())["metric"] == "f1_macro"


def test_a_drop_beyond_max_drop_fails_and_a_small_one_passes(sample_predictions, tmp_path):
    labels = quality.PROJECT_ROOT / quality.DEFAULTS["labels"]
    predictions = tmp_path / "predictions.csv"
    sample_predictions.to_csv(predictions, index=False)
    args = ["--predictions", str(predictions), "--labels", str(labels), "--output", str(tmp_path / "out")]
    assert quality.main([*args, "--baseline", str(baseline_file(tmp_path, 0.99))]) == 1
    newest = json.loads((tmp_path / "out" / "quality.json").read_text())["windows"][-1]
    assert newest["degraded"] and "DROP" in (tmp_path / "out" / "report.md").read_text()
    assert quality.main([*args, "--baseline", str(baseline_file(tmp_path, 0.1))]) == 0


def test_collected_json_lines_join_by_correlation_id_and_row(tmp_path):
    """A request of two rows: the collector writes one event, the label feed one row per scored item."""
    events = [
        {"correlationid": "req-1", "time": "2026-10-01T10:00:00Z", "data": [{"prediction": 1, "probability": 0.9},
                                                                          {"prediction": 0, "probability": 0.2}]},
        {"correlationid": "req-2", "time": "2026-10-02T10:00:00Z", "data": [{"prediction": 0, "probability": 0.1}]},
    ]  # fmt: skip
    folder = tmp_path / "model_outputs" / "2026" / "10"
    folder.mkdir(parents=True)
    (folder / "part.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    labels = tmp_path / "labels.csv"
    labels.write_text("correlation_id,row,defaulted\nreq-1,0,1\nreq-1,1,1\nreq-2,0,0\nunknown,0,1\n")
    predictions = quality.read_predictions(tmp_path / "model_outputs")
    limits = {**quality.DEFAULTS, "min_labels": 1}
    joined = quality.join(predictions, quality.read_labels(labels, limits), limits["time_column"])
    assert sorted(zip(joined["correlation_id"], joined["row"], joined["label"], strict=True)) == [
        ("req-1", 0, 1),
        ("req-1", 1, 1),
        ("req-2", 0, 0),
    ]
    summary = quality.assess(joined, {"metric": "accuracy", "test_value": 1.0, "source": "test"}, limits, 3)
    assert summary["windows"][0]["metrics"]["accuracy"] == pytest.approx(2 / 3, abs=1e-6)
    assert summary["degraded"]
