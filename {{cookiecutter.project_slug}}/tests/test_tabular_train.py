"""Train: the run carries params, metrics, plots and a model with signature and input example."""

import shutil

import mlflow
import mlflow.sklearn
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.common import artifacts
from {{ cookiecutter.package_name }}.serving import onnx_model
from {{ cookiecutter.package_name }}.tabular import prep, scoring, train
from {{ cookiecutter.package_name }}.tabular.contract import load_contract

from test_tabular_contract import SHIPPED


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prepared")
    prep.prep(SHIPPED, folder)
    return folder


@pytest.fixture(scope="module")
def trained(module_mlflow_store, prepared, tmp_path_factory):
    output = tmp_path_factory.mktemp("trained") / "out"
    mlflow.set_experiment("test")
    assert train.main(["--prepared", str(prepared), "--output", str(output), "--max-iter", "40"]) == 0
    return output


def test_train_logs_params_metrics_plots_and_model(trained):
    info = artifacts.read_json(trained / artifacts.TRAIN_INFO_FILE)
    run = MlflowClient().get_run(info["run_id"])
    assert run.data.params["max_iter"] == "40"
    assert run.data.metrics["val_roc_auc"] > 0.7  # the shipped data carries real signal
    logged = {a.path for a in MlflowClient().list_artifacts(info["run_id"], "plots")}
    assert logged == {"plots/confusion_matrix.png", "plots/feature_importance.png", "plots/roc_curve.png"}


def test_model_has_signature_and_input_example_from_the_contract(trained):
    info = artifacts.read_json(trained / artifacts.TRAIN_INFO_FILE)
    model_info = mlflow.models.get_model_info(info["model_uri"])
    assert model_info.signature.inputs.input_names() == load_contract().feature_names
    assert (trained / artifacts.MODEL_DIR / "MLmodel").is_file()
    assert model_info.saved_input_example_info is not None


def test_saved_model_predicts_labels_on_the_test_split(trained, prepared):
    features, target = artifacts.read_split(prepared, "test")
    predictions = mlflow.pyfunc.load_model(str(trained / artifacts.MODEL_DIR)).predict(features)
    assert len(predictions) == len(target)
    assert set(predictions) <= {0, 1}


def test_onnx_copy_predicts_what_the_pipeline_predicts_on_the_test_split(trained, prepared):
    # Stated tolerance: identical labels, probabilities within 1e-4 (float32 trees against float64).
    model_dir = trained / artifacts.MODEL_DIR
    features, _ = artifacts.read_split(prepared, "test")
    pipeline, onnx_copy = mlflow.sklearn.load_model(str(model_dir)), scoring.load(model_dir)
    assert onnx_model.served_by(onnx_copy) == "onnxruntime"
    assert (onnx_copy.predict(features) == pipeline.predict(features)).all()
    assert abs(onnx_copy.predict_proba(features) - pipeline.predict_proba(features)).max() < 1e-4
    assert artifacts.read_json(trained / artifacts.TRAIN_INFO_FILE)["onnx"]["exported"] is True


def test_serving_falls_back_to_the_mlflow_model_without_the_onnx_file(trained, tmp_path):
    copy = shutil.copytree(trained / artifacts.MODEL_DIR, tmp_path / "model")
    (copy / onnx_model.ONNX_FILE).unlink()
    assert onnx_model.served_by(scoring.load(copy)) == "mlflow"


def test_training_twice_gives_the_same_model(prepared):
    features, target = artifacts.read_split(prepared, "train")
    params = {**train.DEFAULTS, "max_iter": 20}
    first, second = (train.build_pipeline(**params).fit(features, target) for _ in range(2))
    assert (first.predict_proba(features) == second.predict_proba(features)).all()


def test_training_into_a_used_folder_is_refused(trained, prepared):
    with pytest.raises(FileExistsError, match="fresh output folder"):
        train.train(prepared, trained)
