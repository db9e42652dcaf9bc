"""Train: progress while it learns, an MLflow run, and a model folder that takes base64 images and returns labels."""

import contextlib
import io
import os
import subprocess
import sys

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.common import artifacts
from {{ cookiecutter.package_name }}.cv import prep, scoring, shapes, train
from {{ cookiecutter.package_name }}.serving import onnx_model


def prepared_shapes(folder, per_class: int = 12):
    shapes.generate(folder / "images", per_class=per_class)
    prep.prep(folder / "images", folder / "prepared")
    return folder / "prepared"


def train_small(prepared, output, *extra: str) -> str:
    """Train for 2 epochs; return what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        argv = ["--prepared", str(prepared), "--output", str(output), "--epochs", "2", "--batch-size", "8"]
        assert train.main([*argv, "--log-every", "2", *extra]) == 0
    return printed.getvalue()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    return prepared_shapes(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def trained(module_mlflow_store, prepared, tmp_path_factory):
    output = tmp_path_factory.mktemp("trained") / "out"
    mlflow.set_experiment("test")
    return output, train_small(prepared, output, "--width", "8")


@pytest.mark.slow
def test_training_prints_epochs_steps_loss_and_val_accuracy(trained):
    printed = trained[1]
    assert "epoch 1/2 step 2/" in printed
    assert "epoch 2/2 train_loss" in printed
    assert "val_accuracy" in printed


@pytest.mark.slow
def test_run_has_params_per_epoch_metrics_and_the_model(trained):
    info = artifacts.read_json(trained[0] / artifacts.TRAIN_INFO_FILE)
    run = MlflowClient().get_run(info["run_id"])
    assert run.data.params["width"] == "8"
    assert run.data.params["pretrained_model"] == "none"
    assert len(MlflowClient().get_metric_history(info["run_id"], "val_accuracy")) == 2
    assert "val_f1_macro" in run.data.metrics
    assert info["labels"] == sorted(shapes.LABELS)
    assert len(info["history"]) == 2
    assert info["model_uri"] == f"runs:/{info['run_id']}/model"  # registered from the run, as on Azure ML


@pytest.mark.slow
def test_model_folder_predicts_labels_from_base64_images(trained, prepared):
    model_dir = trained[0] / artifacts.MODEL_DIR
    features, target = artifacts.read_split(prepared, "test")
    predictions = mlflow.pyfunc.load_model(str(model_dir)).predict(features)
    assert len(predictions) == len(target)
    assert set(predictions) <= set(shapes.LABELS)
    # Loaded from code and safetensors, not unpickled.
    assert not list(model_dir.rglob("*.pkl"))
    assert (model_dir / "artifacts" / "network" / "model.safetensors").is_file()


@pytest.mark.slow
def test_the_model_folder_predicts_without_the_project_package(trained, prepared, monkeypatch):
    # As on an Azure ML no-code deployment of the registered model alone: no module of the package can be
    # imported (in this process, where importing torch again costs nothing; the template's own tests load
    # every scenario's model in a fresh virtual environment built from its requirements.txt).
    for name in [name for name in sys.modules if name.split(".")[0] == "{{ cookiecutter.package_name }}"]:
        monkeypatch.setitem(sys.modules, name, None)
    features, _ = artifacts.read_split(prepared, "test")
    model = mlflow.pyfunc.load_model(str(trained[0] / artifacts.MODEL_DIR))
    assert set(model.predict(features.head(4))) <= set(shapes.LABELS)


@pytest.mark.slow
def test_onnx_copy_predicts_what_the_network_predicts_on_the_test_split(trained, prepared):
    # Stated tolerance: identical labels, probabilities within 1e-4.
    model_dir = trained[0] / artifacts.MODEL_DIR
    features, _ = artifacts.read_split(prepared, "test")
    original = mlflow.pyfunc.load_model(str(model_dir)).unwrap_python_model()
    onnx_copy = scoring.load(model_dir)
    assert onnx_model.served_by(onnx_copy) == "onnxruntime"
    expected, got = original.probabilities(features["image"]), onnx_copy.probabilities(features["image"])
    assert (expected.argmax(axis=1) == got.argmax(axis=1)).all()
    assert abs(expected - got).max() < 1e-4
    assert list(onnx_copy.labels) == list(original.labels)


@pytest.mark.slow
def test_training_into_a_used_folder_is_refused(trained, prepared):
    with pytest.raises(FileExistsError, match="fresh output folder"):
        train.main(["--prepared", str(prepared), "--output", str(trained[0])])


@pytest.mark.slow
def test_two_processes_train_one_model_as_on_azure_ml(prepared, tmp_path):
    """What Azure ML's PyTorch distribution does: torchrun-style processes; only rank 0 logs and writes."""
    environment = {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{(tmp_path / 'mlflow.db').as_posix()}",
        "PYTHONPATH": os.pathsep.join(sys.path),
        "OMP_NUM_THREADS": "1",
    }
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    command += ["-m", "{{ cookiecutter.package_name }}.cv.train", "--prepared", str(prepared)]
    command += ["--output", str(tmp_path / "out"), "--epochs", "1", "--width", "8", "--experiment", "distributed"]
    result = subprocess.run(command, env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    info = artifacts.read_json(tmp_path / "out" / artifacts.TRAIN_INFO_FILE)
    assert info["world_size"] == 2
    assert result.stdout.count("train: run") == 1  # one process reported, one run
    assert (tmp_path / "out" / artifacts.MODEL_DIR / "MLmodel").is_file()
