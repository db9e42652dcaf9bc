"""The Responsible AI report and gate: numbers per group, worst segments, and each gate mode's effect.

A hand-made model that is right for one group and wrong for another makes every number known in advance.
"""

import json

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.common import artifacts, gate, loop, responsible_ai
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


def test_the_scenario_report_is_written_as_json_and_markdown(tmp_path):
    """The shipped scenario's hooks on a few prepared rows, with a constant model: fast, and every section present."""
    prepared = tmp_path / "prepared"
    loop.scenario_module(loop.SCENARIO, "prep").main(["--input", str(loop.shipped_data()), "--output", str(prepared)])
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
{%- if cookiecutter.ml_scenario == "tabular" %}


def test_the_azure_ml_dashboard_gets_the_splits_as_mltable_folders(tmp_path):
    """What the RAI insight constructor loads: an MLTable file reading a CSV of the features plus the target."""
    from {{ cookiecutter.package_name }}.tabular import rai_tables

    prepared = tmp_path / "prepared"
    loop.scenario_module(loop.SCENARIO, "prep").main(["--input", str(loop.shipped_data()), "--output", str(prepared)])
    folders = ["--train-output", str(tmp_path / "train"), "--test-output", str(tmp_path / "test")]
    assert rai_tables.main(["--prepared", str(prepared), *folders]) == 0
    features, target = artifacts.read_split(prepared, "test")
    table = pd.read_csv(tmp_path / "test" / "test.csv")
    assert list(table.columns) == [*features.columns, target.name] and len(table) == len(target)
    assert "- file: ./test.csv" in (tmp_path / "test" / "MLTable").read_text(encoding="utf-8")
{%- endif %}
