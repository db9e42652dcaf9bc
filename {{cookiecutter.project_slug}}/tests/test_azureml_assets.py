"""The Azure ML assets load with the SDK, match the step CLIs, the config and the local dependency list."""

import tomllib

import pytest
import yaml

from {{ cookiecutter.package_name }} import azureml_submit
from {{ cookiecutter.package_name }}.common import evaluate, register
from {{ cookiecutter.package_name }}.common.loop import SCENARIO, scenario_module
from {{ cookiecutter.package_name }}.config import PROJECT_ROOT, load_config
from {{ cookiecutter.package_name }}.serving.scenario import scoring

AZUREML = PROJECT_ROOT / "mlops" / "azureml"
PACKAGE = scenario_module(SCENARIO)
STEPS = {
    "prep": scenario_module(SCENARIO, "prep"),
    "train": scenario_module(SCENARIO, "train"),
    "evaluate": evaluate,
    "register": register,
}


def read(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("step", STEPS)
def test_component_runs_the_step_module_with_its_cli_defaults(step):
    component = read(AZUREML / "components" / f"{step}.yml")
    module = STEPS[step]
    assert component["command"].startswith(f"python -m {module.__name__} ")
    defaults = {action.dest: action.default for action in module.parser()._actions}
    for name, spec in component["inputs"].items():
        if "default" in spec:
            assert name in defaults, f"{step}.{name}: the step has no such option"
            assert spec["default"] == defaults[name], f"{step}.{name}: component and CLI defaults differ"
        assert "${% raw %}{{inputs.{% endraw %}" + name + "}}" in component["command"]


def test_pipeline_names_the_scenario_model_and_its_shipped_data():
    pipeline = read(AZUREML / "train" / "pipeline.yml")
    assert pipeline["inputs"]["model_name"] == PACKAGE.MODEL_NAME == pipeline["experiment_name"]
    raw = (AZUREML / "train" / pipeline["inputs"]["raw_data"]["path"]).resolve()
    assert raw == (PROJECT_ROOT / PACKAGE.RAW_DATA).resolve()
    assert read(AZUREML / "data.yml")["type"] == pipeline["inputs"]["raw_data"]["type"]
    for deployment in AZUREML.glob("deploy/*/deployment.yml"):
        assert read(deployment)["model"] == f"azureml:{PACKAGE.MODEL_NAME}@latest"


def test_samples_that_make_commands_use_are_shipped():
    assert (PROJECT_ROOT / scoring.DRIFT_SAMPLE).exists()
{%- if cookiecutter.deployment_mode == "batch" %}
    assert any((PROJECT_ROOT / scoring.BATCH_SAMPLE).iterdir())
{%- endif %}


def test_conda_file_lists_the_pyproject_dependencies():
    dependencies = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    conda = read(AZUREML / "environment" / "conda.yml")
    pip = next(item["pip"] for item in conda["dependencies"] if isinstance(item, dict))
    # The conda file adds only what Azure ML needs on top: the MLflow plugin that logs to the workspace.
    assert [d for d in pip if not d.startswith("azureml-mlflow")] == dependencies["dependencies"]


{%- if cookiecutter.custom_container %}


def test_container_images_install_the_pyproject_dependencies():
    dependencies = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for image in ("train", "inference"):
        lines = (PROJECT_ROOT / "docker" / image / "requirements.txt").read_text(encoding="utf-8").splitlines()
        packages = [line for line in lines if line and not line.startswith(("#", "-"))]
        # Each image adds only what Azure ML needs on top (the MLflow plugin; azureml-core for batch scoring).
        assert [p for p in packages if not p.startswith(("azureml-mlflow", "azureml-core"))] == dependencies[
            "dependencies"
        ], image
{%- endif %}


def test_compute_cluster_matches_the_dev_config():
    compute, config = read(AZUREML / "compute.yml"), load_config("dev")["compute"]["cpu_cluster"]
    assert (compute["name"], compute["size"], compute["min_instances"], compute["max_instances"]) == (
        config["name"],
        config["size"],
        config["min_instances"],
        config["max_instances"],
    )
    assert read(AZUREML / "train" / "pipeline.yml")["settings"]["default_compute"] == f"azureml:{config['name']}"
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}


def test_gpu_cluster_matches_the_dev_config_and_trains_the_network():
    compute, config = read(AZUREML / "compute_gpu.yml"), load_config("dev")["compute"]["gpu_cluster"]
    assert (compute["name"], compute["size"], compute["max_instances"]) == (
        config["name"],
        config["size"],
        config["max_instances"],
    )
    train = read(AZUREML / "train" / "pipeline.yml")["jobs"]["train"]
    training = load_config("dev")["training"]
    assert train["compute"] == f"azureml:{training['compute']}" == f"azureml:{config['name']}"
    processes = training["process_count_per_instance"]
    assert train["distribution"] == {"type": "pytorch", "process_count_per_instance": processes}
    assert train["resources"]["instance_count"] == training["instance_count"]


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_submission_applies_the_training_config(environment):
    pytest.importorskip("azure.ai.ml")
    training = {**load_config(environment)["training"], "instance_count": 2, "process_count_per_instance": 4}
    job = azureml_submit.load_pipeline()
    azureml_submit.apply_training_settings(job, training)
    train = job.jobs["train"]
    assert (train.resources.instance_count, train.distribution.process_count_per_instance) == (2, 4)
    assert train.inputs.pretrained_model._data == training["pretrained_model"]
{%- if cookiecutter.ml_scenario == "cv" %}
    assert job.jobs["prep"].inputs.image_size._data == training["image_size"] == 224
{%- endif %}
{%- endif %}


def test_every_asset_loads_and_validates_with_the_azure_ml_sdk():
    ml = pytest.importorskip("azure.ai.ml")
    for path in sorted((AZUREML / "components").glob("*.yml")):
        assert ml.load_component(source=path)._validate().passed, path
{%- if cookiecutter.custom_container %}
    # The project's own training image (docker/train), in the registry config/dev.yml names.
    registry = load_config("dev")["containers"]["registry"]
    image = ml.load_environment(source=AZUREML / "environment" / "environment.yml").image
    assert image.startswith(f"{registry}.azurecr.io/")
{%- else %}
    assert ml.load_environment(source=AZUREML / "environment" / "environment.yml").image.startswith("mcr.microsoft")
{%- endif %}
    assert ml.load_data(source=AZUREML / "data.yml").name
    assert ml.load_compute(source=AZUREML / "compute.yml").size == "Standard_DS3_v2"
    job = azureml_submit.load_pipeline()
    steps = ["prep", "train", "evaluate", "register"]
{%- if cookiecutter.feature_store %}
    # The applications as observations, then the feature store's point-in-time retrieval before prep.
    steps = ["observations", "feature_retrieval", *steps]
{%- endif %}
{%- if cookiecutter.responsible_ai and cookiecutter.ml_scenario == "tabular" %}
    # Then the Responsible AI dashboard of the registered champion (the generated responsible-ai.md page).
    steps += ["rai_tables", "rai_insights", "rai_explanation", "rai_error_analysis", "rai_counterfactual", "rai_causal"]
    steps += ["rai_gather"]
{%- endif %}
    assert list(job.jobs) == steps


def test_submit_cli_parses_and_validates_offline(capsys):
    args = azureml_submit.parser().parse_args(["--environment", "prod", "--subscription", "0000", "--wait"])
    assert (args.environment, args.subscription, args.wait) == ("prod", "0000", True)
    pytest.importorskip("azure.ai.ml")
    data = read(AZUREML / "data.yml")
    assert azureml_submit.main(["--validate-only", "--data", f"azureml:{data['name']}:{data['version']}"]) == 0
    steps = "{% if cookiecutter.feature_store %}observations, feature_retrieval, {% endif %}prep, train, evaluate, register"
    assert f"steps {steps}" in capsys.readouterr().out


def test_submit_without_subscription_stops_before_azure(monkeypatch, capsys):
    pytest.importorskip("azure.ai.ml")
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    assert azureml_submit.main([]) == 2
    assert "no subscription" in capsys.readouterr().out
