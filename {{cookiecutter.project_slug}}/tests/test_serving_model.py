"""Model folder discovery (Azure ML nests it) and export of the local champion."""

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.serving import champion, model
from {{ cookiecutter.package_name }}.tabular import MODEL_NAME, scoring

from serving_helpers import SAVING, save_tiny_model, shipped_rows, tiny_pipeline


def test_model_folder_is_found_when_nested(tmp_path, monkeypatch):
    nested = save_tiny_model(tmp_path / "credit-default" / "3" / "model")
    monkeypatch.setenv(model.MODEL_DIR_VARIABLE, str(tmp_path))
    assert model.find_model_dir() == nested


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no MLflow model"):
        model.find_model_dir(tmp_path)


def test_predictions_match_the_model(tmp_path):
    loaded = scoring.load(save_tiny_model(tmp_path / "m"))
    rows = shipped_rows(50)
    features = rows[loaded.feature_names_in_]
    scored = scoring.predict(loaded, features)
    assert scored["prediction"].tolist() == loaded.predict(features).tolist()
    assert scored["probability"].between(0, 1).all()


def test_champion_is_exported_from_the_local_registry(mlflow_store, tmp_path, monkeypatch):
    monkeypatch.setattr(champion.tracking, "configure", lambda experiment: mlflow_store)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(tiny_pipeline(), name="model", **SAVING)
    version = mlflow.register_model(info.model_uri, MODEL_NAME)
    MlflowClient().set_registered_model_alias(MODEL_NAME, "champion", version.version)
    exported = champion.export(tmp_path / "served")
    assert (exported / "MLmodel").is_file()
    assert model.find_model_dir(exported) == exported


def test_export_without_champion_says_what_to_run(mlflow_store, tmp_path, monkeypatch):
    monkeypatch.setattr(champion.tracking, "configure", lambda experiment: mlflow_store)
    with pytest.raises(SystemExit, match="make loop"):
        champion.export(tmp_path / "served")
