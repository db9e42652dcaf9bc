"""The Azure ML semantics contract catches each defect of issue 12 that it covers, planted in a real bake.

Each test copies a bake, puts back what the template generated before the fix (defects 3, 5, 6 and 7 of
issue 12) and shows that the contract reports it; the untouched bake passes (tests/test_contracts.py).
The rules and their sources are in tests/contracts/azureml_semantics.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from contracts import azureml_semantics
from validators import run_validators

BY_NAME = {contract.name: contract for contract in azureml_semantics.CONTRACTS}


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
    assert old in text, f"{relative} no longer contains {old!r}: update the planted defect"
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems(root: Path, name: str) -> list[str]:
    return run_validators(root, (BY_NAME[name],))[name]


def test_defect_3_schedule_update_with_a_file(bake_copy):
    root = bake_copy("online")
    edit(root, "ci/deploy.sh", 'az ml schedule create --file "$monitor"', 'az ml schedule update --file "$monitor"')
    found = problems(root, "azureml-monitor-inputs-exist")
    assert any("schedule update` has no --file" in p for p in found), found


def test_defect_5_a_reference_registered_only_by_training(bake_copy):
    # Before the fix the monitor read the training data asset, which only ci/train.sh (dev) registers.
    root = bake_copy("online")
    edit(root, "ci/deploy.sh", 'az ml data create --file "$reference"', 'echo skipped "$reference"')
    found = problems(root, "azureml-monitor-inputs-exist")
    assert any("credit-default-reference:1, which ci/deploy.sh does not register" in p for p in found), found


def test_defect_6_raw_csv_reference_without_target_or_prediction_columns(bake_copy):
    root = bake_copy("online")
    monitor = "mlops/azureml/monitoring/monitor.yml"
    edit(
        root,
        monitor,
        "          type: mltable\n        data_context: training\n        data_column_names:\n"
        "          target_column: defaulted\n",
        "          type: uri_file\n        data_context: training\n",
    )
    edit(root, monitor, "        data_context: model_outputs\n", "        data_context: training\n")
    found = problems(root, "azureml-monitor-signals")
    assert any("must be an mltable data asset, not uri_file" in p for p in found), found
    assert any("without data_column_names.target_column" in p for p in found), found
    assert any("prediction drift needs a reference with the production prediction columns" in p for p in found)


def test_defect_6_id_and_label_compared_as_features(bake_copy):
    root = bake_copy("online")
    path = root / "mlops/azureml/monitoring/monitor.yml"
    listed = re.compile(r"      features:\n(        - \w+\n)+")
    assert listed.search(path.read_text(encoding="utf-8"))
    path.write_text(listed.sub("      features: all_features\n", path.read_text(encoding="utf-8")), encoding="utf-8")
    found = problems(root, "azureml-monitor-signals")
    assert any("all_features on a training table" in p for p in found), found


def test_defect_7_batch_output_nowhere_the_monitor_reads(bake_copy):
    root = bake_copy("batch")
    edit(root, "ci/deploy.sh", '--output-path "azureml://datastores/workspaceblobstore/paths/$predictions/"', "")
    found = problems(root, "azureml-paths-written-before-read")
    assert any("prediction_drift reads" in p and "--output-path" in p for p in found), found


def test_defect_7_batch_inputs_not_uploaded_where_the_monitor_reads(bake_copy):
    root = bake_copy("batch")
    edit(root, "ci/deploy.sh", '--destination-path "$inputs"', '--destination-path "elsewhere/$run"')
    found = problems(root, "azureml-paths-written-before-read")
    assert any("uploads nothing there" in p for p in found), found


def test_defect_7_batch_monitor_pinned_to_a_model_version(bake_copy):
    root = bake_copy("batch")
    edit(root, "ci/deploy.sh", 'apply_monitor --set "create_monitor.monitoring_target.model_id=$served"',
         "apply_monitor")  # fmt: skip
    found = problems(root, "azureml-monitor-inputs-exist")
    assert any("model_id is pinned" in p for p in found), found


def test_defect_7_ci_never_creates_the_batch_monitor(bake_copy):
    root = bake_copy("batch")
    edit(root, "ci/deploy.sh", 'az ml schedule create --file "$monitor"', "true")
    found = problems(root, "azureml-monitor-inputs-exist")
    assert any("never creates the monitor" in p for p in found), found


def test_names_disagreeing_with_the_config(bake_copy):
    root = bake_copy("online")
    edit(
        root,
        "mlops/azureml/monitoring/monitor.yml",
        "endpoint_deployment_id: azureml:",
        "endpoint_deployment_id: azureml:x",
    )
    found = problems(root, "azureml-names-agree")
    assert any("watches azureml:x" in p for p in found), found


def test_endpoint_yaml_applied_without_the_environments_name(bake_copy):
    root = bake_copy("batch")
    edit(root, "ci/deploy.sh", 'az ml batch-endpoint create --file "$spec_dir/endpoint.yml" --name "$endpoint"',
         'az ml batch-endpoint create --file "$spec_dir/endpoint.yml"')  # fmt: skip
    found = problems(root, "azureml-names-agree")
    assert any("endpoint.yml without --name" in p for p in found), found


def test_defect_6_the_id_column_compared_as_a_feature(bake_copy):
    root = bake_copy("online")
    edit(root, "mlops/azureml/monitoring/monitor.yml", "      features:\n        - age\n",
         "      features:\n        - application_id\n        - age\n")  # fmt: skip
    found = problems(root, "azureml-monitor-signals")
    assert any("application_id (the target or an id) is listed as a feature" in p for p in found), found
