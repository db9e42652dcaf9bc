"""The monitor's model-quality and feature-attribution signals: defects planted in a real tabular bake are caught.

The rules and their sources (Microsoft Learn concept-model-monitoring and how-to-monitor-model-performance,
azure-ai-ml 1.35's monitoring schema, Azure/azureml-examples cli/monitoring) are in
tests/contracts/azureml_semantics.py; the untouched bakes pass them (tests/test_contracts.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from contracts import azureml_semantics
from validators import run_validators

BY_NAME = {contract.name: contract for contract in azureml_semantics.CONTRACTS}
MONITOR = "mlops/azureml/monitoring/monitor.yml"


@pytest.fixture
def bake_copy(baked, tmp_path):
    def make(mode: str) -> Path:
        root = tmp_path / mode
        shutil.copytree(baked(deployment_mode=mode), root)
        return root

    return make


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{relative} holds {old!r} {text.count(old)} times: update the planted defect"
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems(root: Path, name: str) -> list[str]:
    return run_validators(root, (BY_NAME[name],))[name]


def test_the_bakes_watch_quality_and_attribution(bake_copy):
    for mode in ("online", "batch"):
        text = (bake_copy(mode) / MONITOR).read_text(encoding="utf-8")
        assert "type: model_performance" in text and "type: feature_attribution_drift" in text


def test_ground_truth_context_of_the_docs_example_is_caught(bake_copy):
    # how-to-monitor-model-performance.md writes `data_context: actuals`; azure-ai-ml's enum says ground_truth.
    root = bake_copy("online")
    edit(root, MONITOR, "        data_context: ground_truth\n", "        data_context: training\n")
    found = problems(root, "azureml-monitor-signals")
    assert any("model performance is ground_truth, not training" in p for p in found), found


def test_collected_outputs_are_joined_on_the_collectors_id_column(bake_copy):
    root = bake_copy("online")
    edit(root, MONITOR, "          correlation_id: correlationid\n", "          correlation_id: request_id\n")
    found = problems(root, "azureml-monitor-signals")
    assert any("id column is correlationid, not request_id" in p for p in found), found


def test_ground_truth_without_its_id_column_is_caught(bake_copy):
    root = bake_copy("batch")
    edit(
        root,
        MONITOR,
        "          actual: defaulted\n          correlation_id: correlation_id\n",
        "          actual: defaulted\n",
    )
    found = problems(root, "azureml-monitor-signals")
    assert any("ground truth without data_column_names.correlation_id" in p for p in found), found


def test_ground_truth_asset_must_be_registered_by_deploy(bake_copy):
    root = bake_copy("online")
    edit(root, "ci/deploy.sh", 'az ml data create --file "$truth"', 'echo skipped "$truth"')
    found = problems(root, "azureml-monitor-inputs-exist")
    assert any("credit-default-ground-truth:1, which ci/deploy.sh does not register" in p for p in found), found


def test_live_colour_outputs_must_be_set_by_deploy(bake_copy):
    # The file names the blue colour's collected outputs: after a switch to green the signal would read stale data.
    root = bake_copy("online")
    edit(root, "ci/deploy.sh", "monitoring_signals.model_quality.production_data.input_data.path", "x.path")
    found = problems(root, "azureml-monitor-inputs-exist")
    assert any("model_quality.production_data reads data asset" in p for p in found), found


def test_attribution_drift_needs_the_training_target(bake_copy):
    root = bake_copy("batch")
    text = (root / MONITOR).read_text(encoding="utf-8")
    start = text.index("    feature_attribution_drift:")
    fixed = text[start:].replace("        data_column_names:\n          target_column: defaulted\n", "", 1)
    (root / MONITOR).write_text(text[:start] + fixed, encoding="utf-8")
    found = problems(root, "azureml-monitor-signals")
    assert any("feature attribution drift needs the training data with" in p for p in found), found


def test_batch_attribution_drift_joins_inputs_and_outputs(bake_copy):
    root = bake_copy("batch")
    edit(root, MONITOR, "          data_column_names:\n            correlation_id: application_id\n", "")
    found = problems(root, "azureml-monitor-signals")
    assert any("need data_column_names.correlation_id to be joined" in p for p in found), found
