"""The tabular promise: bake, then `make loop` trains, gates and registers; a second run compares.

The loop runs in a copy of the bake, so the shared baked folder stays exactly as generated for
the other tests (the loop writes mlflow.db, mlruns/ and outputs/).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Module-scoped fixtures build something expensive once: keep the module on one xdist worker.
pytestmark = pytest.mark.xdist_group("tabular_loop")

# Offline and quiet, as a user's shell would be after reading the README.
ENV = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true", "PYTHON": sys.executable}
ENV.pop("MLFLOW_TRACKING_URI", None)


def make(project: Path, *args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        ["make", *args, f"PYTHON={sys.executable}"],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def summary(output: str) -> dict[str, str]:
    block = output.split("== summary ==", 1)[1]
    return dict(re.findall(r"^([a-zA-Z ]+):\s+(.*)$", block, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def two_loops(baked, tmp_path_factory) -> tuple[Path, str, str]:
    project = tmp_path_factory.mktemp("tabular") / "project"
    shutil.copytree(baked(ml_scenario="tabular"), project)
    return project, make(project, "loop"), make(project, "loop")


def test_first_loop_validates_trains_and_registers_the_champion(two_loops):
    project, first, _ = two_loops
    assert "prep: 5012 rows read, 5000 valid, 12 rejected" in first
    assert "rejected     2  annual_income: missing" in first
    facts = summary(first)
    assert re.fullmatch(r"[0-9a-f]{32}", facts["run id"])
    assert "f1_macro=" in facts["test metrics"] and "accuracy=" in facts["test metrics"]
    assert facts["champion"] == "none yet (first model)"
    assert facts["verdict"].startswith("promote")
    assert facts["registered"] == "credit-default version 1"
    assert facts["model URI"] == "models:/credit-default@champion"
    assert facts["MLflow UI"].startswith("mlflow ui --backend-store-uri")
    assert (project / "mlflow.db").is_file()
    assert (project / "mlruns").is_dir()


def test_second_loop_compares_with_the_champion_and_keeps_it(two_loops):
    _, first, second = two_loops
    facts = summary(second)
    assert facts["run id"] != summary(first)["run id"]
    assert facts["champion"].startswith("version 1 f1_macro=")
    assert facts["verdict"].startswith("reject")  # same data and seed: not better than the champion
    assert facts["registered"] == "nothing (the champion is kept)"
    assert facts["model URI"] == "models:/credit-default@champion"


def test_loop_outputs_hold_the_decision_record(two_loops):
    project, _, _ = two_loops
    runs = sorted((project / "outputs").iterdir())
    assert len(runs) == 2
    produced = ("prepared/test.csv", "prepared/rejected.csv", "trained/model/MLmodel", "decision/decision.json")
    for run in runs:
        for name in produced:
            assert (run / name).is_file(), run / name


def test_make_help_lists_the_loop(baked):
    assert "make loop" in make(baked(ml_scenario="tabular"), "help")


@pytest.mark.slow
def test_baked_tabular_project_passes_its_ml_tests(baked, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(baked(ml_scenario="tabular"), project)
    # The ML loop's own tests; the template's generic harness runs every baked test.
    selected = sorted(
        p.name for p in (project / "tests").glob("test_*.py") if p.name.startswith(("test_tabular", "test_common"))
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:warnings"]
    done = subprocess.run(
        [*command, *(f"tests/{name}" for name in selected)],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:]
