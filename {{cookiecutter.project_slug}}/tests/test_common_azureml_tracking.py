"""The Azure ML components' code against a stand-in for Azure ML's MLflow endpoint (only the routes it serves).

Each component's own ``command`` (mlops/azureml/components/*.yml) runs in-process, one simulated Azure ML
job after another, as Azure ML runs them: the job's run already exists and MLFLOW_RUN_ID names it, and
AZUREML_RUN_ID is set (azureml-mlflow: azureml/mlflow/_common/constants.py). A route Azure ML does not serve,
such as MLflow 3's /api/2.0/mlflow/logged-models that ``log_model`` calls (Azure/azure-sdk-for-python#44896),
fails here as it fails there. The routes and their sources: tests/data/azureml_mlflow_routes.json.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import mlflow
import mlflow.pyfunc
import pytest
import yaml
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.common import artifacts, loop, registry, tracking
from {{ cookiecutter.package_name }}.config import PROJECT_ROOT

from azureml_tracking_standin import TrackingStandIn

COMPONENTS = PROJECT_ROOT / "mlops" / "azureml" / "components"
STEPS = ("prep", "train", "evaluate", "register")
# Component inputs changed to keep the test fast; a low floor makes the short training's model the champion.
FAST = {
    "tabular": {"max_iter": 40},
    "cv": {"epochs": 1},
    "nlp": {"epochs": 1},
}[loop.SCENARIO] | {"min_score": 0.0}
{%- if cookiecutter.responsible_ai %}
# As config/dev.yml and the pipeline run it: the report is logged to the evaluate run and the training run.
FAST |= {"rai_mode": "dry_run"}
{%- endif %}
MODEL_NAME = loop.scenario_module(loop.SCENARIO).MODEL_NAME
# A workspace's tracking URI, in the form Microsoft Learn "Configure MLflow for Azure Machine Learning" shows.
WORKSPACE_URI = (
    "azureml://westeurope.api.azureml.ms/mlflow/v1.0/subscriptions/0/resourceGroups/rg"
    "/providers/Microsoft.MachineLearningServices/workspaces/ws"
)


def component_command(step: str, folders: dict[str, Path], values: dict) -> tuple[str, list[str]]:
    """The module and arguments Azure ML would run for a component: its inputs and outputs filled in from
    ``folders`` (data and step outputs, by name), ``values`` and the component's defaults; an optional
    ``$[[...]]`` group is dropped when its input has no value."""
    component = yaml.safe_load((COMPONENTS / f"{step}.yml").read_text(encoding="utf-8"))
    known = {name: spec.get("default") for name, spec in component.get("inputs", {}).items()}
    known |= {name: folders[name] for name in component.get("inputs", {}) if name in folders}
    known |= {name: folders[name] for name in component.get("outputs", {})}
    known |= {name: value for name, value in values.items() if name in known}

    def fill(match: re.Match) -> str:
        value = known[match.group(2)]
        assert value is not None, f"{step}: no value for {match.group(0)}"
        return shlex.quote(str(value))

    def optional(match: re.Match) -> str:
        names = re.findall(r"\$\{\{(?:inputs|outputs)\.(\w+)\}\}", match.group(1))
        return match.group(1) if all(known.get(name) is not None for name in names) else ""

    command = re.sub(r"\$\[\[(.*?)\]\]", optional, component["command"])
    words = shlex.split(re.sub(r"\$\{\{(inputs|outputs)\.(\w+)\}\}", fill, command))
    assert words[:2] == ["python", "-m"], f"{step}: {component['command']}"
    return words[2], words[3:]


def run_job(client: MlflowClient, experiment_id: str, step: str, argv_of, monkeypatch) -> str:
    """One Azure ML job: the platform creates the run, the component's module logs into it."""
    run = client.create_run(experiment_id, run_name=step)
    monkeypatch.setenv("MLFLOW_RUN_ID", run.info.run_id)
    monkeypatch.setenv("AZUREML_RUN_ID", run.info.run_id)
    module, argv = argv_of(step)
    assert importlib.import_module(module).main(argv) == 0, f"{step} failed"
    while mlflow.active_run():
        mlflow.end_run()
    return run.info.run_id


@pytest.mark.parametrize(
    ("env", "on_azureml"),
    [
        ({}, False),
        ({"MLFLOW_TRACKING_URI": "sqlite:///mlflow.db"}, False),
        # Set in every Azure ML job (azureml-mlflow: azureml/mlflow/_common/constants.py, RunEnvVars.ID).
        ({"AZUREML_RUN_ID": "job-1"}, True),
        ({"MLFLOW_TRACKING_URI": WORKSPACE_URI}, True),
    ],
)
def test_azureml_is_recognised_and_its_champion_is_addressed_by_version(monkeypatch, env, on_azureml):
    for name in ("MLFLOW_TRACKING_URI", "AZUREML_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert tracking.on_azureml() is on_azureml
    expected = "models:/m/3" if on_azureml else "models:/m@champion"
    assert registry.serving_uri("m", "3") == expected


@pytest.fixture
def standin(tmp_path, monkeypatch):
    # An earlier test's mlflow.set_experiment() leaves its experiment active for the whole process, in a module
    # global and in MLFLOW_EXPERIMENT_ID (MLflow sets it for subprocesses): an Azure ML job has neither.
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    monkeypatch.setattr(mlflow.tracking.fluent, "_active_experiment_id", None)
    with TrackingStandIn(tmp_path / "azureml") as server:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
        monkeypatch.chdir(tmp_path)
        mlflow.set_tracking_uri(server.url)
        mlflow.set_registry_uri(server.url)
        yield server
        while mlflow.active_run():
            mlflow.end_run()
        mlflow.set_experiment(experiment_id="0")


@pytest.mark.slow
def test_components_register_a_loadable_champion_using_only_routes_azureml_serves(standin, tmp_path, monkeypatch):
    folders = {"raw_data": loop.shipped_data()}
{%- if cookiecutter.ml_scenario == "tabular" %}
    # The other data assets the pipeline passes to prep, as CI registers them from the repository.
    folders["payment_history"] = PROJECT_ROOT / "data" / "payment_history.csv"
{%- if cookiecutter.feature_store %}
    folders["feature_set_spec"] = PROJECT_ROOT / "featurestore" / "featuresets" / "payment_history" / "spec"
{%- endif %}
{%- endif %}
    outputs = ("prepared", "trained", "decision", "registration"{% if cookiecutter.responsible_ai %}, "model_info"{% endif %})
    folders |= {name: tmp_path / "outputs" / name for name in outputs}
    client = MlflowClient(standin.url, standin.url)
    experiment_id = client.create_experiment("pipeline")
    values = {**FAST, "model_name": MODEL_NAME}
    modules = {}

    def argv_of(step):
        modules[step], argv = component_command(step, folders, values)
        return modules[step], argv

    runs = {step: run_job(client, experiment_id, step, argv_of, monkeypatch) for step in STEPS}
    package = "{{ cookiecutter.package_name }}"
    assert modules == {
        "prep": f"{package}.{loop.SCENARIO}.prep",
        "train": f"{package}.{loop.SCENARIO}.train",
        "evaluate": f"{package}.common.evaluate",
        "register": f"{package}.common.register",
    }
    assert standin.refused() == [], "routes Azure ML does not serve"
    assert "/api/2.0/mlflow/model-versions/create" in standin.paths()

    registration = artifacts.read_json(folders["registration"] / artifacts.REGISTRATION_FILE)
    assert (registration["registered"], registration["version"]) == (True, "1")
    # No aliases on Azure ML's registry: the champion is a version tag and is addressed by version.
    assert registration["model_uri"] == f"models:/{MODEL_NAME}/1"
    version = client.get_model_version(MODEL_NAME, "1")
    assert version.tags.get(registry.CHAMPION) == "true"
    assert version.run_id == runs["train"]
{%- if cookiecutter.responsible_ai %}
    # The Responsible AI report travels with the registered version's run; register names the dashboard's model.
    # (Read from the artifact folder: listing a run's artifacts through MLflow 3 calls routes Azure ML lacks.)
    reports = standin.artifact_root.rglob("responsible_ai/report.md")
    assert any(runs["train"] in path.parts for path in reports)
    assert artifacts.read_json(folders["model_info"] / "model_info.json") == {"id": f"{MODEL_NAME}:1"}
{%- endif %}
    features, target = artifacts.read_split(folders["prepared"], "test")
    assert len(mlflow.pyfunc.load_model(registration["model_uri"]).predict(features.head(5))) == min(5, len(target))

    # A second pipeline run meets the champion through the tag, loads it from the registry, and keeps it.
    for name in ("decision", "registration"):
        folders[name] = tmp_path / "again" / name
    for step in ("evaluate", "register"):
        run_job(client, experiment_id, step, argv_of, monkeypatch)
    decision = artifacts.read_json(folders["decision"] / artifacts.DECISION_FILE)
    assert decision["champion"]["version"] == "1" and decision["verdict"] == "reject"
    assert standin.refused() == [], "routes Azure ML does not serve"
