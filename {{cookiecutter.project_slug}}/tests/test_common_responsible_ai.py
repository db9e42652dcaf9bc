"""The Responsible AI report and gate: numbers per group, worst segments, and each gate mode's effect.

A hand-made model that is right for one group and wrong for another makes every number known in advance.
"""

import functools
import json

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from sklearn.dummy import DummyClassifier

from {{ cookiecutter.package_name }}.common import artifacts, evaluate, gate, loop, responsible_ai, tracking
from {{ cookiecutter.package_name }}.common.evaluate import parser
from {{ cookiecutter.package_name }}.common.loop import responsible_ai_args
from {{ cookiecutter.package_name }}.config import load_config

SETTINGS = responsible_ai.Settings(mode=responsible_ai.ENABLED, max_gap=0.2, min_group_score=0.5, min_group_size=10)


def unfair_report(settings=SETTINGS) -> dict:
    """Group a: 40 rows all right; group b: 40 rows, half wrong; group c: 5 rows all wrong (too small to gate)."""
    groups = pd.DataFrame({"group": ["a"] * 40 + ["b"] * 40 + ["c"] * 5, "other": (["x", "y"] * 43)[:85]})
    target = pd.Series([1, 0] * 42 + [1])
    predicted = target.to_numpy().copy()
    predicted[40:60] = 1 - predicted[40:60]
    predicted[80:] = 1 - predicted[80:]
    fairness = responsible_ai.group_metrics(groups[["group"]], target, predicted, settings)
    return {
        "fairness": fairness,
        "segments": responsible_ai.worst_segments(groups, predicted == target.to_numpy(), settings),
        "breaches": responsible_ai.breaches(fairness, settings),
    }


def test_metrics_per_group_and_the_gap_between_gated_groups():
    fairness = unfair_report()["fairness"]["group"]
    assert fairness["groups"]["a"]["accuracy"] == 1.0 and fairness["groups"]["a"]["size"] == 40
    assert fairness["groups"]["b"]["error_rate"] == 0.5
    assert fairness["groups"]["c"]["gated"] is False  # 5 rows < min_group_size
    assert fairness["gap"] == 0.5  # a vs b; c is reported but not compared


def test_worst_segments_are_the_highest_error_slices_with_their_size():
    [worst, *_] = unfair_report()["segments"]
    assert worst["segment"] == "group=b" and worst["size"] == 40 and worst["error_rate"] == 0.5


def test_breaches_name_the_gap_and_the_group_below_the_floor():
    loose = responsible_ai.Settings(mode="enabled", max_gap=0.6, min_group_score=0.6, min_group_size=10)
    assert any("differs by 0.500" in b for b in unfair_report()["breaches"])
    assert unfair_report(loose)["breaches"] == ["group=b (40 rows) has accuracy=0.500 < 0.6"]


@pytest.mark.parametrize(
    ("mode", "verdict", "said"),
    [
        ("disabled", gate.PROMOTE, "ok"),
        ("dry_run", gate.PROMOTE, "ok (responsible AI dry run would reject: too wide)"),
        ("enabled", gate.REJECT, "responsible AI gate: too wide"),
    ],
)
def test_each_mode_decides_as_configured(mode, verdict, said):
    failing = {"passed": False, "breaches": ["too wide"]}
    assert responsible_ai.apply(gate.PROMOTE, "ok", failing, mode, gate.REJECT) == (verdict, said)


def test_a_passing_report_never_changes_the_verdict():
    passing = {"passed": True, "breaches": []}
    assert responsible_ai.apply(gate.PROMOTE, "ok", passing, "enabled", gate.REJECT) == (gate.PROMOTE, "ok")


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        responsible_ai.Settings(mode="on")


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_every_environment_configures_the_gate_the_evaluate_step_understands(environment):
    section = load_config(environment)["responsible_ai"]
    required = ["--prepared", "p", "--trained", "t", "--model-name", "m", "--output", "o"]
    args = parser().parse_args(required + responsible_ai_args(section))
    assert args.rai_mode == section["mode"] and args.rai_max_gap == section["max_gap"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """The shipped data through the scenario's own prep step: the split the evaluate step reads."""
    folder = tmp_path_factory.mktemp("prepared")
    loop.scenario_module(loop.SCENARIO, "prep").main(["--input", str(loop.shipped_data()), "--output", str(folder)])
    return folder


def test_the_scenario_report_is_written_as_json_and_markdown(tmp_path, prepared):
    """The shipped scenario's hooks on a few prepared rows, with a constant model: fast, and every section present."""
    features, target = artifacts.read_split(prepared, "test")
    features, target = features.head(60), target.head(60)
    first = target.iloc[0]
    report = responsible_ai.assess(loop.SCENARIO, lambda x: np.full(len(x), first), features, target, SETTINGS)
    folder = responsible_ai.write(report, tmp_path / "decision")
    saved = json.loads((folder / responsible_ai.REPORT_JSON).read_text(encoding="utf-8"))
    assert set(saved["fairness"]) == set(responsible_ai.scenario_hooks(loop.SCENARIO).SENSITIVE)
    assert saved["explanations"]["rows"] and saved["worst_segments"]
    text = (folder / responsible_ai.REPORT_MD).read_text(encoding="utf-8")
    assert "## Metrics per group" in text and "## Worst-served segments" in text


# slow: an MLflow store and three model loads (about 3 s on an idle laptop, much more on a busy CI runner).
@pytest.mark.slow
def test_the_evaluate_step_applies_the_mode_it_is_given(mlflow_store, tmp_path, prepared):
    """Through the evaluate command line, as the loop and the Azure ML component call it: a model that always answers
    the majority class, and a floor no group can reach. dry_run promotes and says why not; enabled rejects."""
    features, target = artifacts.read_split(prepared, "train")
    model = DummyClassifier(strategy="most_frequent").fit(features, target)
    trained = tmp_path / "trained"
    with mlflow.start_run() as run:
        save = functools.partial(mlflow.sklearn.save_model, model, pip_requirements=["scikit-learn"])
        model_uri = tracking.log_model_folder(save, trained / artifacts.MODEL_DIR)
    artifacts.write_json(trained / artifacts.TRAIN_INFO_FILE, {"run_id": run.info.run_id, "model_uri": model_uri})
    impossible = ["--rai-min-group-score", "1.01", "--rai-min-group-size", "1", "--min-score", "0"]
    decisions = {}
    for mode in ("dry_run", "enabled"):
        out = tmp_path / mode
        args = ["--prepared", str(prepared), "--trained", str(trained), "--model-name", "m", "--output", str(out)]
        assert evaluate.main([*args, "--rai-mode", mode, *impossible]) == 0
        decisions[mode] = artifacts.read_json(out / artifacts.DECISION_FILE)
        assert (out / responsible_ai.FOLDER / responsible_ai.REPORT_MD).is_file()
    assert decisions["dry_run"]["verdict"] == gate.PROMOTE and "dry run would reject" in decisions["dry_run"]["reason"]
    assert decisions["enabled"]["verdict"] == gate.REJECT
    assert decisions["enabled"]["reason"].startswith("responsible AI gate:")
    assert decisions["enabled"]["responsible_ai"]["passed"] is False
    # The report travels with the model: the training run (the one a registered version points at) holds it.
    logged = {a.path for a in MlflowClient().list_artifacts(run.info.run_id, responsible_ai.FOLDER)}
    assert f"{responsible_ai.FOLDER}/{responsible_ai.REPORT_JSON}" in logged


{%- if cookiecutter.ml_scenario == "tabular" %}


def test_the_azure_ml_dashboard_gets_the_splits_as_mltable_folders(tmp_path, prepared):
    """What the RAI insight constructor loads: an MLTable file reading a CSV of the features plus the target."""
    from {{ cookiecutter.package_name }}.tabular import rai_tables

    folders = ["--train-output", str(tmp_path / "train"), "--test-output", str(tmp_path / "test")]
    assert rai_tables.main(["--prepared", str(prepared), *folders]) == 0
    features, target = artifacts.read_split(prepared, "test")
    table = pd.read_csv(tmp_path / "test" / "test.csv")
    assert list(table.columns) == [*features.columns, target.name] and len(table) == len(target)
    assert "- file: ./test.csv" in (tmp_path / "test" / "MLTable").read_text(encoding="utf-8")
{%- endif %}
