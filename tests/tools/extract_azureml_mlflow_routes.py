"""Write the MLflow REST routes Azure ML's MLflow endpoint serves, with the source of each, for the tracking stand-in.

Azure ML publishes no route table. What it serves is read from three kinds of source, recorded per route:
- Microsoft Learn's support matrices (MicrosoftDocs/azure-docs, articles/machine-learning/
  how-to-manage-models-mlflow.md "Support matrix for managing models with MLflow" and
  how-to-track-experiments-mlflow.md "Support matrix for querying runs and experiments");
- the `azureml-mlflow` client (PyPI): its tracking and registry stores subclass MLflow's RestStore
  (azureml/mlflow/_store/tracking/store.py, _store/model_registry/model_registry.py) and add two routes of
  its own (azureml/mlflow/_protos/aml_service_pb2.py); its artifact repository
  (azureml/mlflow/_store/artifact/artifact_repo.py) uploads through Azure ML's run-history artifact service,
  never through MLflow's artifact routes;
- the 404 Azure ML answers to MLflow 3's logged-models routes (Azure/azure-sdk-for-python#44896,
  Azure/azureml-examples#3885).
Route paths and methods come from MLflow's own protos (the installed `mlflow`), so they match the client.

    python tests/tools/extract_azureml_mlflow_routes.py --azureml-mlflow-wheel azureml_mlflow-1.62.0.post6-*.whl

(`pip download --no-deps azureml-mlflow==1.62.0.post6` fetches the wheel.)
"""

from __future__ import annotations

import argparse
import json
import re
import zipfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "{{cookiecutter.project_slug}}" / "tests" / "data" / "azureml_mlflow_routes.json"

LEARN_MODELS = (
    "Microsoft Learn, 'Manage models registries in Azure Machine Learning with MLflow' "
    "(MicrosoftDocs/azure-docs articles/machine-learning/how-to-manage-models-mlflow.md), support matrix"
)
LEARN_RUNS = (
    "Microsoft Learn, 'Query & compare experiments and runs with MLflow' "
    "(MicrosoftDocs/azure-docs articles/machine-learning/how-to-track-experiments-mlflow.md), support matrix"
)
CLIENT = "azureml-mlflow {v}: azureml/mlflow/_store/{store} subclasses MLflow's RestStore"
LOGGED_MODELS_404 = (
    "Azure/azure-sdk-for-python#44896 (log_model: 'API request to endpoint /api/2.0/mlflow/logged-models failed "
    "with error code 404'); Azure/azureml-examples#3885 replaces log_model with save_model + log_artifacts"
)

# MLflow RPC name -> why Azure ML serves it. Only what a source states; anything else is answered 404.
SERVED = {
    "CreateExperiment": (LEARN_RUNS, "create experiments"),
    "GetExperiment": (LEARN_RUNS, "query experiments"),
    "GetExperimentByName": (LEARN_RUNS, "getting a specific experiment by name"),
    "SearchExperiments": (LEARN_RUNS, "search experiments"),
    "DeleteExperiment": (LEARN_RUNS, "delete experiments"),
    "CreateRun": (LEARN_RUNS, "start runs"),
    "UpdateRun": (LEARN_RUNS, "stop runs"),
    "GetRun": (LEARN_RUNS, "query runs"),
    "SearchRuns": (LEARN_RUNS, "filtering and ordering runs"),
    "DeleteRun": (LEARN_RUNS, "delete runs"),
    "LogMetric": (LEARN_RUNS, "track metrics"),
    "LogParam": (LEARN_RUNS, "track parameters"),
    "SetTag": (LEARN_RUNS, "track tags"),
    "LogBatch": (LEARN_RUNS, "track metrics, parameters and tags"),
    "GetMetricHistory": (LEARN_RUNS, "retrieve metrics"),
    "CreateRegisteredModel": (LEARN_MODELS, "registering models in MLflow format"),
    "GetRegisteredModel": (LEARN_MODELS, "get_registered_model"),
    "SearchRegisteredModels": (LEARN_MODELS, "search/list registered models"),
    "GetLatestVersions": (LEARN_MODELS, "manage MLflow model stages (get_latest_versions)"),
    "CreateModelVersion": (LEARN_MODELS, "registering models from runs outputs (runs:/<run-id>/<path>)"),
    "GetModelVersion": (LEARN_MODELS, "retrieving details of registered model's versions"),
    "SearchModelVersions": (LEARN_MODELS, "retrieving details of registered model's versions"),
    "GetModelVersionDownloadUri": (LEARN_MODELS, "loading models from registry (models:/<name>/<version>)"),
    "UpdateModelVersion": (LEARN_MODELS, "editing registered model's versions description"),
    "SetModelVersionTag": (LEARN_MODELS, "editing registered model's versions tags"),
    "DeleteModelVersionTag": (LEARN_MODELS, "editing registered model's versions tags (delete_model_version_tag)"),
    "DeleteModelVersion": (LEARN_MODELS, "deleting a registered model's version"),
    "TransitionModelVersionStage": (LEARN_MODELS, "manage MLflow model stages"),
}
# Called out because code reaches for them; everything not in SERVED is answered 404 anyway.
NOT_SERVED = {
    "/api/2.0/mlflow/logged-models": LOGGED_MODELS_404,
    "/api/2.0/mlflow/registered-models/alias": (
        f"{LEARN_MODELS}: no aliases in the matrix (the champion is a version tag there)"
    ),
    "/api/2.0/mlflow/registered-models/rename": f"{LEARN_MODELS}: registered models are immutable",
    "/api/2.0/mlflow/registered-models/delete": f"{LEARN_MODELS}: deleting a model container is not supported",
    "/api/2.0/mlflow-artifacts": (
        "azureml-mlflow: azureml/mlflow/_store/artifact/artifact_repo.py uploads run artifacts through Azure ML's "
        "run-history service (/history/v1.0/.../artifacts), not MLflow's artifact proxy"
    ),
}
REGISTRY_RPCS = {name for name in SERVED if "Model" in name and name != "LogModel"}


def azureml_routes(wheel: Path) -> list[tuple[str, str]]:
    """(method, path) of the routes azureml-mlflow adds to MLflow's REST API (log-batch-async, get-run-data-status).

    Read from the serialised proto in aml_service_pb2.py (it cannot be imported without scalapb's protos):
    each endpoint is the method name, then its length-prefixed "/preview/mlflow/..." path, which MLflow's
    client maps to /api/2.0/mlflow/... as for its own "/preview" routes.
    """
    with zipfile.ZipFile(wheel) as archive:
        protos = archive.read("azureml/mlflow/_protos/aml_service_pb2.py").decode("unicode_escape")
    found = re.findall(r"(GET|POST)\x12.(/preview/mlflow/[a-z/-]+)", protos)
    return sorted({(method, path.replace("/preview", "/api/2.0", 1)) for method, path in found})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--azureml-mlflow-wheel", type=Path, required=True)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    from mlflow.protos.model_registry_pb2 import ModelRegistryService
    from mlflow.protos.service_pb2 import MlflowService
    from mlflow.utils.rest_utils import _REST_API_PATH_PREFIX, extract_api_info_for_service

    client_version = args.azureml_mlflow_wheel.name.split("-")[1]
    routes = {}
    for service in (MlflowService, ModelRegistryService):
        for message, (path, method) in extract_api_info_for_service(service, _REST_API_PATH_PREFIX).items():
            if message.__name__ in SERVED:
                routes[message.__name__] = (method, path)
    missing = set(SERVED) - set(routes)
    if missing:
        raise SystemExit(f"MLflow {version('mlflow')} has no RPC named {sorted(missing)}")
    served = []
    for name, (method, path) in sorted(routes.items(), key=lambda item: item[1][1]):
        doc, what = SERVED[name]
        store = "model_registry/model_registry.py" if name in REGISTRY_RPCS else "tracking/store.py"
        served.append(
            {
                "method": method,
                "path": path,
                "rpc": name,
                "source": [f"{doc}: {what}", CLIENT.format(v=client_version, store=store)],
            }
        )
    for method, path in azureml_routes(args.azureml_mlflow_wheel):
        served.append(
            {
                "method": method,
                "path": path,
                "rpc": "AMLMlflowService",
                "source": [f"azureml-mlflow {client_version}: azureml/mlflow/_protos/aml_service_pb2.py"],
            }
        )
    payload = {
        "about": "MLflow REST routes Azure ML's MLflow tracking endpoint serves; anything else is answered 404 by "
        "the tracking stand-in (tests/azureml_tracking_standin.py). Made by the template's "
        "tests/tools/extract_azureml_mlflow_routes.py.",
        "extracted_with": {"mlflow": version("mlflow"), "azureml-mlflow": client_version},
        "served": served,
        "not_served": [{"path_prefix": path, "source": source} for path, source in NOT_SERVED.items()],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(served)} served routes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
