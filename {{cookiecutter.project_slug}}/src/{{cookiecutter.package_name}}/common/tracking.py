"""Where MLflow writes: the workspace on Azure ML, a sqlite database inside the repo locally.

Azure ML jobs set ``MLFLOW_TRACKING_URI`` (and the run to log into), so the same step code logs
to the workspace there. Without it, runs and the model registry go to ``mlflow.db`` and
artifacts to ``mlruns/`` in the project folder (both ignored by git): no server, no account.
MLflow's telemetry is already off by then (``quiet.py``, applied when this package is imported).

Azure ML's MLflow endpoint serves only part of MLflow's REST API (the list, with sources, is
``tests/data/azureml_mlflow_routes.json``). It answers 404 to MLflow 3's logged-models routes, which
``mlflow.<flavor>.log_model`` calls (Azure/azure-sdk-for-python#44896). So models are saved with
``save_model`` and uploaded as run artifacts (``log_model_folder``), then registered from
``runs:/<run_id>/model``: the workaround Azure/azureml-examples#3885 applies. Locally it is the same path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import mlflow

from ..config import PROJECT_ROOT

# Folder of the model inside its run's artifacts: registration reads runs:/<run_id>/model.
MODEL_ARTIFACT_PATH = "model"
# Set in every Azure ML job (azureml-mlflow: azureml/mlflow/_common/constants.py, RunEnvVars.ID).
AZUREML_RUN_ENV = "AZUREML_RUN_ID"


def on_azureml() -> bool:
    """True inside an Azure ML job, or wherever MLflow tracks to an Azure ML workspace."""
    return os.environ.get("MLFLOW_TRACKING_URI", "").startswith("azureml:") or bool(os.environ.get(AZUREML_RUN_ENV))


def log_model_folder(save: Callable[[str], object], model_dir: Path, artifact_path: str = MODEL_ARTIFACT_PATH) -> str:
    """Save a model with ``save(path)`` (an ``mlflow.<flavor>.save_model``) into ``model_dir`` and upload
    that folder to the active run; return the ``runs:/`` URI to register it from.

    Not ``log_model``: MLflow 3's ``log_model`` records a "logged model" through routes Azure ML does
    not serve. ``model_dir`` is also the step's output, so it is serialised once.
    """
    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("log_model_folder needs an active MLflow run")
    save(str(model_dir))
    mlflow.log_artifacts(str(model_dir), artifact_path=artifact_path)
    return f"runs:/{run.info.run_id}/{artifact_path}"


def local_tracking_uri(root: Path = PROJECT_ROOT) -> str:
    return f"sqlite:///{(root / 'mlflow.db').as_posix()}"


def configure(experiment: str, root: Path = PROJECT_ROOT) -> str:
    """Point MLflow at the right store and experiment; return the tracking URI."""
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        # Azure ML (or a server the user chose). Inside an Azure ML job the run is already chosen.
        if "MLFLOW_RUN_ID" not in os.environ:
            mlflow.set_experiment(experiment)
        return uri
    uri = local_tracking_uri(root)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        # Artifacts next to the database, wherever the command was started from.
        mlflow.create_experiment(experiment, artifact_location=(root / "mlruns").resolve().as_uri())
    mlflow.set_experiment(experiment)
    return uri


def ui_command(uri: str) -> str:
    """The command that opens the MLflow UI on this store (local runs only)."""
    return f'mlflow ui --backend-store-uri "{uri}" --port 5000   # then open http://127.0.0.1:5000'
