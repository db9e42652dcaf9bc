"""The NLP loop on the shipped tickets, trained once for the module: what the user sees, and the model it leaves."""

import contextlib
import io
import json
import os
import subprocess
import sys

import mlflow.pyfunc
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.common import artifacts, loop
from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.nlp import prep, scoring
from {{ cookiecutter.package_name }}.serving import onnx_model

OBVIOUS = {
    "I was charged twice for my subscription this month.": "billing",
    "The app crashes every time I open it on my laptop.": "technical",
    "Please delete my account and all my personal data.": "account",
    "The courier says delivered but I never received my parcel.": "shipping",
}


@pytest.fixture(scope="module")
def looped(module_mlflow_store, tmp_path_factory):
    """One run of the local loop (prep, train, evaluate, register); its printout and output folder."""
    outputs = tmp_path_factory.mktemp("outputs")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert loop.main(["--scenario", "nlp", "--outputs", str(outputs)]) == 0
    [folder] = outputs.iterdir()
    return printed.getvalue(), folder


@pytest.mark.slow
def test_the_loop_shows_training_progress_and_registers_a_good_model(looped):
    printed, folder = looped
    assert "epoch 1/6 step 10/44 loss" in printed
    assert "epoch 6/6 train_loss" in printed and "val_accuracy" in printed
    assert "verdict:       promote" in printed
    assert "registered:    support-tickets version 1" in printed
    decision = artifacts.read_json(folder / "decision" / artifacts.DECISION_FILE)
    assert decision["challenger"]["metrics"]["f1_macro"] > 0.85


@pytest.mark.slow
def test_the_run_logs_parameters_per_epoch_metrics_and_the_model(looped):
    info = artifacts.read_json(looped[1] / "trained" / artifacts.TRAIN_INFO_FILE)
    run = MlflowClient().get_run(info["run_id"])
    assert run.data.params["pretrained_model"] == "none"
    assert len(MlflowClient().get_metric_history(info["run_id"], "val_accuracy")) == 6
    assert run.data.metrics["val_f1_macro"] > 0.85
    assert info["labels"] == ["account", "billing", "shipping", "technical"]
    assert info["world_size"] == 1
    assert info["model_uri"] == f"runs:/{info['run_id']}/model"  # registered from the run, as on Azure ML


@pytest.mark.slow
def test_the_model_folder_maps_texts_to_labels_without_the_project_package(looped, tmp_path):
    model_dir = looped[1] / "trained" / artifacts.MODEL_DIR
    assert not list(model_dir.rglob("*.pkl"))  # saved as code, tokenizer and safetensors: nothing unpickled
    # As on an Azure ML deployment of the registered model alone: the package cannot be imported.
    script = (
        "import json, sys, pandas as pd, mlflow.pyfunc\n"
        "sys.modules['{{ cookiecutter.package_name }}'] = None\n"
        "model = mlflow.pyfunc.load_model(sys.argv[1])\n"
        "print(json.dumps(list(model.predict(pd.DataFrame(dict(text=json.loads(sys.argv[2])))))))\n"
    )
    command = [sys.executable, "-c", script, str(model_dir), json.dumps(list(OBVIOUS))]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == list(OBVIOUS.values())


@pytest.mark.slow
def test_onnx_copy_predicts_what_the_model_predicts_on_the_test_split(looped):
    # Stated tolerance: identical labels, probabilities within 1e-4.
    model_dir = looped[1] / "trained" / artifacts.MODEL_DIR
    features, _ = artifacts.read_split(looped[1] / "prepared", "test")
    texts = features["text"].tolist()
    original = mlflow.pyfunc.load_model(str(model_dir)).unwrap_python_model()
    onnx_copy = scoring.load(model_dir)
    assert onnx_model.served_by(onnx_copy) == "onnxruntime"
    expected, got = original.probabilities(texts), onnx_copy.probabilities(texts)
    assert list(got.columns) == list(expected.columns)
    assert (expected.idxmax(axis=1) == got.idxmax(axis=1)).all()
    assert (expected - got).abs().to_numpy().max() < 1e-4


@pytest.mark.slow
def test_online_scoring_answers_labels_and_probabilities(looped):
    model = scoring.load(looped[1] / "trained" / artifacts.MODEL_DIR)
    inputs = scoring.inputs_from_request({"texts": list(OBVIOUS)})
    scored = scoring.predict(model, inputs)
    assert scored["prediction"].tolist() == list(OBVIOUS.values())
    assert scored["probability"].between(0.5, 1).all()


@pytest.mark.slow
def test_the_batch_sample_is_scored_line_by_line(looped):
    model = scoring.load(looped[1] / "trained" / artifacts.MODEL_DIR)
    folder = PROJECT_ROOT / scoring.BATCH_SAMPLE
    lines = [line for path in sorted(folder.iterdir()) for line in scoring.score_file(path, model)]
    predicted = [line.split(",")[3] for line in lines if line.endswith(",")]
    assert len(predicted) == 40 + 25 - 2
    assert set(predicted) == {"account", "billing", "shipping", "technical"}


@pytest.mark.slow
def test_two_processes_train_one_model_as_on_azure_ml(tmp_path):
    """Azure ML's PyTorch distribution: torchrun-style processes share one tokenizer; only rank 0 logs and writes."""
    tickets = pd.read_csv(PROJECT_ROOT / "data" / "nlp" / "support_tickets.csv", dtype=str, keep_default_na=False)
    tickets.head(400).to_csv(tmp_path / "tickets.csv", index=False)
    assert prep.main(["--input", str(tmp_path / "tickets.csv"), "--output", str(tmp_path / "prepared")]) == 0
    environment = {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{(tmp_path / 'mlflow.db').as_posix()}",
        "PYTHONPATH": os.pathsep.join(sys.path),
        "OMP_NUM_THREADS": "1",
    }
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    command += ["-m", "{{ cookiecutter.package_name }}.nlp.train", "--prepared", str(tmp_path / "prepared")]
    command += ["--output", str(tmp_path / "out"), "--epochs", "1", "--experiment", "distributed"]
    result = subprocess.run(command, env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    info = artifacts.read_json(tmp_path / "out" / artifacts.TRAIN_INFO_FILE)
    assert info["world_size"] == 2
    assert result.stdout.count("train: run") == 1  # one process reported, one run
    assert mlflow.pyfunc.load_model(str(tmp_path / "out" / artifacts.MODEL_DIR)).predict(
        pd.DataFrame({"text": ["My parcel is late"]})
    ).shape == (1,)
{%- if cookiecutter.responsible_ai %}


@pytest.mark.slow
def test_the_loop_writes_the_responsible_ai_report(looped):
    """config/dev.yml runs the Responsible AI gate as a dry run: groups by length, token deletion, worst segments."""
    printed, folder = looped
    assert "responsible AI: " in printed and "(mode dry_run)" in printed
    report = artifacts.read_json(folder / "decision" / "responsible_ai" / "report.json")
    assert report["fairness"]["length_band"]["groups"] and report["worst_segments"]
    assert report["explanations"]["method"] == "token deletion" and len(report["explanations"]["rows"]) == 4
{%- endif %}
