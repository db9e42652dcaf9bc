"""The local loop on the shipped images, then the challenger the README suggests: it must win the gate."""

import csv
import re
import shlex
import time

import pytest

from {{ cookiecutter.package_name }}.common import artifacts, loop
from {{ cookiecutter.package_name }}.common.evaluate import DEFAULT_MIN_IMPROVEMENT
from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.cv import MODEL_NAME, RAW_DATA, ensure_raw_data, scoring
from {{ cookiecutter.package_name }}.serving.errors import BATCH_COLUMNS

from test_cv_scoring import BATCH_SAMPLE, GOOD_SAMPLES


def documented_challenger() -> list[str]:
    """The ARGS the README gives for a challenger that wins: the demonstration a newcomer runs."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r'`make loop ARGS="([^"]+)"`, about [0-9.]+ and\s+replaces it as champion', readme)
    assert found, "the README names no challenger (make loop ARGS=...) that replaces the champion"
    return shlex.split(found.group(1))


def run(tmp_path, data, *args: str) -> dict:
    outputs = tmp_path / "outputs"
    before = set(outputs.iterdir()) if outputs.exists() else set()
    assert loop.main(["--scenario", "cv", "--data", str(data), "--outputs", str(outputs), *args]) == 0
    [folder] = set(outputs.iterdir()) - before
    return {"folder": folder, **artifacts.read_json(folder / "decision" / artifacts.DECISION_FILE)}


@pytest.mark.slow
def test_the_documented_challenger_beats_the_first_model_and_is_promoted(mlflow_store, tmp_path, capsys):
    data = ensure_raw_data(tmp_path / RAW_DATA)
    started = time.perf_counter()
    first = run(tmp_path, data)
    seconds = time.perf_counter() - started
    printed = capsys.readouterr().out
    assert "epoch 8/8 train_loss" in printed
    assert "verdict:       promote" in printed
    assert f"registered:    {MODEL_NAME} version 1" in printed
    first_score = first["challenger"]["metrics"]["f1_macro"]
    # Hard enough that a better model can win (a perfect score could never be beaten), yet
    # well above the gate's 0.5 floor.
    assert 0.6 < first_score < 0.97

    second = run(tmp_path, data, *documented_challenger())
    printed = capsys.readouterr().out
    assert second["verdict"] == "promote", second
    assert f"registered:    {MODEL_NAME} version 2" in printed
    assert second["champion"]["metrics"]["f1_macro"] == first_score  # the same test split
    assert second["challenger"]["metrics"]["f1_macro"] - first_score > DEFAULT_MIN_IMPROVEMENT

    model = scoring.load(second["folder"] / "trained" / artifacts.MODEL_DIR)
    lines = [line for name in GOOD_SAMPLES for line in scoring.score_file(BATCH_SAMPLE / name, model)]
    predicted = {row["source_file"]: row["prediction"] for row in csv.DictReader(lines, fieldnames=BATCH_COLUMNS)}
    assert predicted == GOOD_SAMPLES
    print(f"cv loop: {seconds:.1f} s")  # shown with -s; the budget is 60 s on 2 cores
