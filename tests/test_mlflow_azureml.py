"""MLflow inside Azure ML (issue 12, defect 2): the generated tracking stand-in refuses what Azure ML refuses.

Azure ML's MLflow endpoint answers 404 to /api/2.0/mlflow/logged-models, which MLflow 3's ``log_model`` calls
(Azure/azure-sdk-for-python#44896; Azure/azureml-examples#3885 replaces ``log_model`` with ``save_model`` +
``log_artifacts`` + ``register_model`` from ``runs:/``). The bake's own tests/test_common_azureml_tracking.py
runs its components against the stand-in; here the template shows that the stand-in fails the code the
template generated before (``log_model``) the way Azure ML did, that today's model-saving path passes, and that
the static contract catches the old call planted back into a bake.
"""

from __future__ import annotations

import functools
import importlib
import json
import shutil
import sys

import mlflow
import mlflow.sklearn
import pytest
from contracts import CONTRACTS
from mlflow.exceptions import MlflowException
from sklearn.dummy import DummyClassifier
from validators import run_validators

# Module-scoped fixtures build something expensive once: keep the module on one xdist worker.
pytestmark = pytest.mark.xdist_group("mlflow_azureml")

CONTRACT = "mlflow-routes-azureml-serves"


@pytest.fixture(scope="module")
def tabular(baked):
    """The tabular bake's stand-in module and its package's tracking and registry modules, importable here."""
    project = baked(ml_scenario="tabular", project_name="Standin Check")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.syspath_prepend(str(project / "tests"))
        monkeypatch.syspath_prepend(str(project / "src"))
        standin = importlib.import_module("azureml_tracking_standin")
        tracking = importlib.import_module("standin_check.common.tracking")
        registry = importlib.import_module("standin_check.common.registry")
        yield project, standin, tracking, registry
    # Forget the bake's modules: another test may import another bake's (only these: MLflow's stay loaded).
    for name in [n for n in sys.modules if n.split(".")[0] in ("standin_check", "azureml_tracking_standin")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def server(tabular, tmp_path_factory):
    """One stand-in for the module (creating its sqlite store takes seconds), this process's MLflow pointed at it."""
    _, standin, _, _ = tabular
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        standin.TrackingStandIn(tmp_path_factory.mktemp("azureml")) as running,
    ):
        monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        monkeypatch.setenv("MLFLOW_TRACKING_URI", running.url)
        monkeypatch.setenv("AZUREML_RUN_ID", "job")  # set in every Azure ML job (azureml-mlflow RunEnvVars.ID)
        mlflow.set_tracking_uri(running.url)
        mlflow.set_registry_uri(running.url)
        mlflow.set_experiment("standin")
        yield running
        while mlflow.active_run():
            mlflow.end_run()
        mlflow.set_tracking_uri(None)
        mlflow.set_registry_uri(None)


def _model():
    return DummyClassifier(strategy="most_frequent").fit([[0], [1], [1]], [0, 1, 1])


def test_standin_refuses_log_model_like_azureml(server):
    # What every train step of the template did before: MLflow 3's log_model.
    with mlflow.start_run(), pytest.raises(MlflowException, match="logged-models failed with error code 404"):
        mlflow.sklearn.log_model(_model(), name="model", pip_requirements=["scikit-learn"])
    assert "/api/2.0/mlflow/logged-models" in {hit.path for hit in server.refused()}


def test_saving_and_registering_as_the_components_do_uses_only_served_routes(tabular, server, tmp_path):
    _, _, tracking, registry = tabular
    server.hits.clear()  # the stand-in is shared by this module's tests
    with mlflow.start_run():
        save = functools.partial(mlflow.sklearn.save_model, _model(), pip_requirements=["scikit-learn"])
        model_uri = tracking.log_model_folder(save, tmp_path / "model")
    champion, previous = registry.promote(model_uri, "standin-model", {"gate_metric": "f1_macro"})
    assert (champion.version, previous) == ("1", None)
    assert registry.find_champion("standin-model") == champion
    assert list(mlflow.pyfunc.load_model(champion.uri).predict([[0]])) == [1]
    assert server.refused() == []


def test_contract_catches_log_model_planted_back_into_a_bake(tabular, tmp_path):
    project = tabular[0]
    planted = shutil.copytree(project, tmp_path / "planted")
    train = next((planted / "src").glob("*/tabular/train.py"))
    source = train.read_text(encoding="utf-8")
    assert "tracking.log_model_folder(" in source
    train.write_text(source.replace("tracking.log_model_folder(", "mlflow.sklearn.log_model("), encoding="utf-8")
    (contract,) = [c for c in CONTRACTS if c.name == CONTRACT]
    assert run_validators(project, (contract,)) == {CONTRACT: []}
    [problem] = run_validators(planted, (contract,))[CONTRACT]
    assert problem.startswith("src/standin_check/tabular/train.py:") and "logged-models" in problem


def test_route_list_names_mlflow_routes_with_sources(tabular):
    """Each served route is one the installed MLflow's client calls (same method and path), and has a source."""
    from mlflow.protos.model_registry_pb2 import ModelRegistryService
    from mlflow.protos.service_pb2 import MlflowService
    from mlflow.utils.rest_utils import _REST_API_PATH_PREFIX, extract_api_info_for_service

    routes = json.loads((tabular[0] / "tests" / "data" / "azureml_mlflow_routes.json").read_text(encoding="utf-8"))
    mlflow_routes = {
        (method, path)
        for service in (MlflowService, ModelRegistryService)
        for path, method in extract_api_info_for_service(service, _REST_API_PATH_PREFIX).values()
    }
    for route in routes["served"]:
        assert route["source"], route
        if route["rpc"] != "AMLMlflowService":  # azureml-mlflow's own two routes
            assert (route["method"], route["path"]) in mlflow_routes, route
    assert not any(route["path"].startswith("/api/2.0/mlflow/logged-models") for route in routes["served"])
    assert "/api/2.0/mlflow/logged-models" in {route["path_prefix"] for route in routes["not_served"]}
