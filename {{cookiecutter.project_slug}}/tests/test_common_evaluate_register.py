"""Evaluate and register, independent of the scenario: a small scikit-learn model stands in.

Covers the three outcomes a pipeline meets: first model (promoted, becomes champion), a worse
challenger (rejected, champion kept) and a better one (promoted, the alias moves).
"""

import functools
import json

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.package_name }}.common import artifacts, evaluate, register, registry, tracking

MODEL = "test-model"
# A coin flip (f1 about 0.5), a constant (f1 about 0.33) and a real model (f1 about 0.9).
FIRST = DummyClassifier(strategy="uniform", random_state=0)


@pytest.fixture
def prepared(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=400), "x2": rng.normal(size=400)})
    frame["label"] = (frame["x1"] + 0.3 * rng.normal(size=400) > 0).astype(int)
    folder = tmp_path / "prepared"
    folder.mkdir()
    for number, split in enumerate(artifacts.SPLITS):
        frame.iloc[number::3].to_csv(artifacts.split_path(folder, split), index=False)
    artifacts.write_json(folder / artifacts.SCHEMA_FILE, {"features": ["x1", "x2"], "target": "label"})
    return folder


def trained(folder, prepared, estimator):
    """What any scenario's train step leaves behind: model/ and train_info.json, the model uploaded to the run."""
    x, y = artifacts.read_split(prepared, "train")
    estimator = clone(estimator).fit(x, y)
    # Explicit requirements: inferring them would start a slow subprocess per model.
    saving = {"signature": infer_signature(x, estimator.predict(x)), "pip_requirements": ["scikit-learn"]}
    with mlflow.start_run() as run:
        save = functools.partial(mlflow.sklearn.save_model, estimator, **saving)
        model_uri = tracking.log_model_folder(save, folder / artifacts.MODEL_DIR)
    artifacts.write_json(folder / artifacts.TRAIN_INFO_FILE, {"run_id": run.info.run_id, "model_uri": model_uri})
    return folder


def run_gate(tmp_path, prepared, name, estimator):
    model = trained(tmp_path / f"trained-{name}", prepared, estimator)
    evaluate.main(
        [
            *("--prepared", str(prepared), "--trained", str(model), "--model-name", MODEL),
            *("--output", str(tmp_path / f"decision-{name}"), "--min-improvement", "0.01", "--min-score", "0.3"),
        ]
    )
    register.main(["--decision", str(tmp_path / f"decision-{name}"), "--output", str(tmp_path / f"reg-{name}")])
    decision = artifacts.read_json(tmp_path / f"decision-{name}" / artifacts.DECISION_FILE)
    registration = artifacts.read_json(tmp_path / f"reg-{name}" / artifacts.REGISTRATION_FILE)
    return decision, registration


def test_gate_promotes_first_rejects_worse_promotes_better(mlflow_store, tmp_path, prepared):
    decision, registration = run_gate(tmp_path, prepared, "first", FIRST)
    assert decision["verdict"] == "promote" and decision["champion"] is None
    assert (registration["registered"], registration["version"]) == (True, "1")
    assert registration["model_uri"] == f"models:/{MODEL}@champion"

    decision, registration = run_gate(tmp_path, prepared, "worse", DummyClassifier(strategy="most_frequent"))
    assert decision["verdict"] == "reject"
    assert decision["champion"]["version"] == "1"
    assert registration["registered"] is False and registration["champion_version"] == "1"
    assert [str(v.version) for v in MlflowClient().search_model_versions(f"name = '{MODEL}'")] == ["1"]

    decision, registration = run_gate(tmp_path, prepared, "better", LogisticRegression())
    assert decision["verdict"] == "promote", decision["reason"]
    assert registration["version"] == "2" and registration["previous_champion_version"] == "1"
    assert registry.find_champion(MODEL).version == "2"


def test_decision_record_holds_both_models_thresholds_and_verdict(mlflow_store, tmp_path, prepared):
    decision, _ = run_gate(tmp_path, prepared, "first", LogisticRegression())
    assert {"challenger", "champion", "metric", "min_score", "min_improvement", "verdict", "reason"} <= set(decision)
    assert decision["test_rows"] == 133
    run = mlflow.search_runs(filter_string="tags.step = 'evaluate'", output_format="list")[0]
    logged = json.loads(mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/{artifacts.DECISION_FILE}"))
    assert logged["verdict"] == decision["verdict"]


def test_register_does_nothing_on_reject(mlflow_store, tmp_path):
    decision = {"model_name": MODEL, "verdict": "reject", "reason": "not better", "champion": None}
    artifacts.write_json(tmp_path / "decision" / artifacts.DECISION_FILE, decision)
    record = register.register(tmp_path / "decision", tmp_path / "out")
    assert record["registered"] is False
    assert MlflowClient().search_registered_models() == []


def test_champion_falls_back_to_a_tag_where_aliases_are_unsupported(mlflow_store, tmp_path, prepared, monkeypatch):
    def no_aliases(*args, **kwargs):
        raise mlflow.exceptions.MlflowException("aliases are not supported by this registry")

    monkeypatch.setattr(MlflowClient, "set_registered_model_alias", no_aliases)
    monkeypatch.setattr(MlflowClient, "get_model_version_by_alias", no_aliases)
    run_gate(tmp_path, prepared, "first", FIRST)
    _, registration = run_gate(tmp_path, prepared, "better", LogisticRegression())
    assert registration["version"] == "2"
    assert registry.find_champion(MODEL).version == "2"
    assert MlflowClient().get_model_version(MODEL, "1").tags.get("champion") is None
