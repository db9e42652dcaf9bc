"""The drift report as an Azure ML pipeline step, over what the data collector wrote."""

import json
from datetime import UTC, datetime
{%- if cookiecutter.ml_scenario == "tabular" %}

import pandas as pd

from {{ cookiecutter.package_name }}.monitoring import drift, drift_job
{%- else %}

from {{ cookiecutter.package_name }}.monitoring import drift_job
{%- endif %}


def write_collected(folder, events) -> None:
    path = folder / "modelDataCollector" / "ep" / "blue" / "model_inputs" / "2026" / "11" / "30" / "10"
    path.mkdir(parents=True)
    (path / "part.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")


def test_collected_requests_of_the_window_are_flattened(tmp_path):
    write_collected(tmp_path, [
        {"time": "2026-11-29T10:00:00Z", "data": [{"a": 1}, {"a": 2}]},
        {"time": "2026-10-01T10:00:00Z", "data": [{"a": 99}]},  # older than the window
    ])  # fmt: skip
    outputs = tmp_path / "modelDataCollector" / "ep" / "blue" / "model_outputs"
    outputs.mkdir(parents=True)
    (outputs / "part.jsonl").write_text(json.dumps({"time": "2026-11-29T10:00:00Z", "data": [{"a": -1}]}) + "\n")
    rows = drift_job.collected_rows(tmp_path, days=7, now=datetime(2026, 11, 30, tzinfo=UTC))
    assert rows["a"].tolist() == [1, 2]  # inputs only, in the window


def test_no_recent_data_is_not_a_drift_verdict(tmp_path):
    write_collected(tmp_path / "collected", [{"time": "2020-01-01T00:00:00Z", "data": [{"a": 1}]}])
    args = ["--collected", str(tmp_path / "collected"), "--reference", "unused", "--output", str(tmp_path / "out")]
    assert drift_job.main(args) == 0
    assert "No production data" in (tmp_path / "out" / "report.md").read_text()
{%- if cookiecutter.ml_scenario == "tabular" %}


def test_the_step_reports_drift_in_collected_requests_and_fails(tmp_path):
    sample = pd.read_csv(drift.DEFAULT_CURRENT).drop(columns=["application_id"])
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    chunks = sample.groupby(sample.index // 50)
    events = [{"time": now, "data": json.loads(chunk.to_json(orient="records"))} for _, chunk in chunks]
    write_collected(tmp_path / "collected", events)
    reference = str(drift.PROJECT_ROOT / drift.RAW_DATA)
    args = ["--collected", str(tmp_path / "collected"), "--reference", reference, "--output", str(tmp_path / "out")]
    assert drift_job.main(args) == 1
    summary = json.loads((tmp_path / "out" / "drift.json").read_text())
    assert summary["current_rows"] == len(sample) and "interest_rate" in summary["drifted"]
{%- endif %}
