"""Fixtures shared by the step tests: an isolated MLflow store, never the repo's mlflow.db."""

from __future__ import annotations

import os

import mlflow
import pytest

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")


def use_store(folder, monkeypatch) -> str:
    """Point MLflow (tracking and registry) at a new sqlite store in ``folder``; return its URI."""
    uri = f"sqlite:///{(folder / 'mlflow.db').as_posix()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    monkeypatch.chdir(folder)  # new experiments put their artifacts in ./mlruns
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    mlflow.set_experiment(experiment_id="0")  # forget the previous test's experiment (another store)
    return uri


@pytest.fixture
def mlflow_store(tmp_path, monkeypatch):
    yield use_store(tmp_path, monkeypatch)
    while mlflow.active_run():
        mlflow.end_run()


@pytest.fixture(scope="module")
def module_mlflow_store(tmp_path_factory):
    """One store for a whole test module, for tests that only read what a shared fixture trained."""
    folder = tmp_path_factory.mktemp("mlflow")
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield use_store(folder, monkeypatch)
        while mlflow.active_run():
            mlflow.end_run()
