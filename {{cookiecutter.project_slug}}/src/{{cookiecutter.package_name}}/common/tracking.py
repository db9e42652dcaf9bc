"""Where MLflow writes: the workspace on Azure ML, a sqlite database inside the repo locally.

Azure ML jobs set ``MLFLOW_TRACKING_URI`` (and the run to log into), so the same step code logs
to the workspace there. Without it, runs and the model registry go to ``mlflow.db`` and
artifacts to ``mlruns/`` in the project folder (both ignored by git): no server, no account.
MLflow's telemetry is already off by then (``quiet.py``, applied when this package is imported).
"""

from __future__ import annotations

import os
from pathlib import Path

import mlflow

from ..config import PROJECT_ROOT


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
