"""ci/quality.sh against a fake `az`: a quality drop on delayed labels asks for retraining, nothing else does.

The fake is tests/test_ci_scripts.py's, taught three more answers: the served model's registry tags
(common/register.py writes gate_metric and test_<metric>), the data collector's model_outputs JSON Lines (one
event per request, its id in `correlationid`: Microsoft Learn, how-to-monitor-model-performance, "the common
column is correlationid"), and the label feed's CSV files under the ground-truth folder.
"""

from __future__ import annotations

import json
import shutil
import stat

import pytest
from test_ci_scripts import FAKE_AZ, commands, outputs, run_script

QUALITY_ANSWERS = r"""
if group == "ml model" and verb == "show" and query == "tags":
    done(json.dumps(state["tags"]))
if group == "storage blob" and verb == "download-batch" and "quality" in state:
    prefix = opt("--pattern").rstrip("*")
    folder = pathlib.Path(opt("--destination")) / prefix / "2026" / "10" / "01"
    if prefix.startswith("modelDataCollector/") and state["quality"]["outputs"]:
        folder.mkdir(parents=True)
        lines = [json.dumps(event) for event in state["quality"]["outputs"]]
        (folder / "outputs.jsonl").write_text("\n".join(lines) + "\n")
    if prefix.startswith("ground-truth/") and state["quality"]["labels"]:
        folder.mkdir(parents=True)
        (folder / "labels.csv").write_text(state["quality"]["labels"])
    state.setdefault("downloads", []).append(prefix)
    done()
"""


def collected(right: int, wrong: int) -> tuple[list[dict], str]:
    """One single-row request per prediction, and the label each one later got."""
    events, labels = [], ["correlation_id,defaulted"]
    for number in range(right + wrong):
        predicted = number % 2
        truth = predicted if number < right else 1 - predicted
        events.append({"correlationid": f"req-{number}", "time": "2026-10-01T10:00:00Z",
                       "data": [{"prediction": predicted, "probability": 0.8 if predicted else 0.2}]})  # fmt: skip
        labels.append(f"req-{number},{truth}")
    return events, "\n".join(labels) + "\n"


@pytest.fixture
def quality_project(baked, tmp_path):
    def make(right: int, wrong: int, labels: bool = True) -> tuple:
        root = tmp_path / "online"
        shutil.copytree(baked(ci_platform="github_actions"), root)
        fake = tmp_path / "bin"
        fake.mkdir()
        script = FAKE_AZ.replace('if group == "ml model":', QUALITY_ANSWERS + 'if group == "ml model":', 1)
        (fake / "az").write_text(script, encoding="utf-8")
        (fake / "az").chmod((fake / "az").stat().st_mode | stat.S_IEXEC)
        events, label_csv = collected(right, wrong)
        state = {"calls": [], "endpoint": True, "traffic": {"blue": 0, "green": 100}, "broken": [],
                 "deployments": {"green": "azureml:credit-default:4"},
                 "tags": {"gate_metric": "f1_macro", "test_f1_macro": "0.8"},
                 "quality": {"outputs": events, "labels": label_csv if labels else ""}}  # fmt: skip
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state), encoding="utf-8")
        return root, state_file

    return make


def test_a_drop_on_delayed_labels_asks_for_retraining(quality_project):
    root, state_file = quality_project(right=40, wrong=40)
    result, state = run_script(root, state_file, "ci/quality.sh", "dev")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "degraded=true" in outputs(state_file)
    (show,) = commands(state, "ml", "model", "show")
    assert show[show.index("--name") + 1 :][:3] == ["credit-default", "--version", "4"]  # the live colour's model
    assert any(p.startswith("modelDataCollector/") and p.endswith("/green/model_outputs/") for p in state["downloads"])
    assert "ground-truth/" in state["downloads"]


def test_quality_like_at_test_time_does_not_retrain(quality_project):
    root, state_file = quality_project(right=80, wrong=0)
    result, _ = run_script(root, state_file, "ci/quality.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "degraded=false" in outputs(state_file) and "degraded=true" not in outputs(state_file)


def test_no_labels_yet_warns_and_does_not_retrain(quality_project):
    root, state_file = quality_project(right=40, wrong=40, labels=False)
    result, _ = run_script(root, state_file, "ci/quality.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no labels under ground-truth/" in result.stdout + result.stderr
    assert "degraded=true" not in outputs(state_file)
