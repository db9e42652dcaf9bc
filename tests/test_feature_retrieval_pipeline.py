"""feature_store=true: on Azure ML the training pipeline reads its history features from the feature store.

Azure ML's `feature_retrieval` component (registry `azureml`) joins the observations with the feature sets a
feature retrieval spec lists, point in time, and writes parquet; prep then reads that output instead of joining
the payment history itself (issue 19: "training gets its features by point-in-time retrieval from the feature store").

Sources:
- component spec: Azure/azureml-assets assets/featurestore/components/feature_retrieval/spec.yaml
  @5330f4e898179fb60c9ee72433de9cf35cc55163 (name feature_retrieval, version 1.1.1, type spark; inputs, enum of
  observation_data_format; output output_data), vendored in tests/data/azureml_feature_retrieval.json by
  tests/tools/extract_azureml_feature_retrieval.py;
- registry reference, spark resources and binding: Azure/azureml-examples
  sdk/python/featurestore_sample/project/fraud_model/pipelines/training_pipeline.yaml
  @000c0abb840286d2f9a95b3e8b1df0185dc0abf5 (`azureml://registries/azureml/components/feature_retrieval/versions/1.1.1`);
- retrieval spec format: the same repository, .../fraud_model/feature_retrieval_spec/feature_retrieval_spec.yaml
  @7c5b6b9f05a71b2fb5222783545f6c92ec4ce9c0 (feature_stores: [{uri, features: [{feature_name, feature_set}]}],
  serialization_version 2);
- output layout `<output>/data/*.parquet` + feature_retrieval_spec.yaml: Azure/azureml-assets
  assets/featurestore/components/src/retrieval.py (`training_df.write...parquet(os.path.join(output_data, "data/"))`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

FEATURE_STORE = {"ml_scenario": "tabular", "feature_store": True}
SPEC_DATA = json.loads((Path(__file__).parent / "data" / "azureml_feature_retrieval.json").read_text())
COMPONENT = SPEC_DATA["components"]["feature_retrieval"]
REGISTRY_REF = re.compile(r"^azureml://registries/azureml/components/feature_retrieval/versions/(?P<version>[\w.]+)$")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from conftest import Baker

    return Baker(tmp_path_factory.mktemp("retrieval"))(**FEATURE_STORE)


def _pipeline(project: Path) -> dict:
    return yaml.safe_load((project / "mlops/azureml/train/pipeline.yml").read_text())


def _retrieval_step(pipeline: dict) -> tuple[str, dict]:
    steps = [(name, job) for name, job in pipeline["jobs"].items() if "feature_retrieval" in str(job.get("component"))]
    assert len(steps) == 1, "the training pipeline has no feature_retrieval step"
    return steps[0]


def test_pipeline_loads_and_validates_with_azure_ai_ml(project):
    from azure.ai.ml import load_job

    job = load_job(project / "mlops/azureml/train/pipeline.yml")
    result = job._validate()
    assert result.passed, result.error_messages


def test_retrieval_step_references_the_published_component_and_binds_every_required_input(project):
    name, step = _retrieval_step(_pipeline(project))
    match = REGISTRY_REF.match(step["component"])
    assert match and match["version"] == COMPONENT["version"], step["component"]
    assert step.get("type") == "spark" == COMPONENT["type"]
    bound = step.get("inputs") or {}
    required = {input_name for input_name, body in COMPONENT["inputs"].items() if body["required"]}
    assert required <= set(bound), f"{name}: unbound {sorted(required - set(bound))}"
    assert set(bound) <= set(COMPONENT["inputs"]), f"{name}: unknown {sorted(set(bound) - set(COMPONENT['inputs']))}"
    assert bound["observation_data_format"] in COMPONENT["inputs"]["observation_data_format"]["enum"]
    # The retrieval spec is given (the component asserts one of input_model / feature_retrieval_spec).
    assert "feature_retrieval_spec" in bound
    assert set(step.get("outputs") or {}) <= set(COMPONENT["outputs"])
    # Serverless Spark needs an instance type and a runtime version (the example pipeline sets both).
    assert step["resources"]["instance_type"] and step["resources"]["runtime_version"]


def test_prep_consumes_the_retrieval_output(project):
    pipeline = _pipeline(project)
    name, _ = _retrieval_step(pipeline)
    prep_inputs = pipeline["jobs"]["prep"]["inputs"]
    assert f"${{{{parent.jobs.{name}.outputs.output_data}}}}" in prep_inputs.values()
    component = yaml.safe_load((project / "mlops/azureml/components/prep.yml").read_text())
    bound = [key for key, value in prep_inputs.items() if "outputs.output_data" in str(value)]
    assert bound and bound[0] in component["inputs"] and f"${{{{inputs.{bound[0]}}}}}" in component["command"]


def test_retrieval_spec_lists_the_feature_set_and_every_history_feature_of_the_contract(project):
    pipeline = _pipeline(project)
    _, step = _retrieval_step(pipeline)
    spec_input = step["inputs"]["feature_retrieval_spec"]
    spec_input = spec_input.get("path", spec_input) if isinstance(spec_input, dict) else spec_input
    parent = re.fullmatch(r"\$\{\{parent\.inputs\.(\w+)\}\}", spec_input)
    assert parent, spec_input
    folder = (project / "mlops/azureml/train" / pipeline["inputs"][parent[1]]["path"]).resolve()
    spec = yaml.safe_load((folder / "feature_retrieval_spec.yaml").read_text())
    assert spec["serialization_version"] == 2
    (store,) = spec["feature_stores"]
    assert store["uri"].startswith("azureml://subscriptions/")
    featureset = yaml.safe_load((project / "featurestore/featuresets/payment_history/featureset.yml").read_text())
    wanted_set = f"{featureset['name']}:{featureset['version']}"
    contract = yaml.safe_load(next(project.glob("src/*/tabular/contract.yml")).read_text())
    history = {f["name"] for f in contract["features"] if f["name"].startswith("history_")}
    assert history and {f["feature_name"] for f in store["features"]} == history
    assert {f["feature_set"] for f in store["features"]} == {wanted_set}


def test_ci_submits_the_retrieval_spec_with_each_environments_feature_store(project):
    # The spec's uri is a template (azureml://subscriptions/<id>/resourcegroups/<rg>/workspaces/<store>, the example's
    # format): ci/train.sh replaces every placeholder and passes the staged folder as the pipeline input.
    spec = (project / "featurestore/retrieval/feature_retrieval_spec.yaml").read_text()
    (store,) = yaml.safe_load(spec)["feature_stores"]
    placeholders = set(re.findall(r"[A-Z][A-Z_]+", store["uri"]))
    assert placeholders
    train = (project / "ci/train.sh").read_text()
    for placeholder in placeholders:
        assert f"s|{placeholder}|" in train, placeholder
    assert "feature_store.name)|" in train
    assert '--set "inputs.feature_retrieval_spec.path=$retrieval"' in train
