"""The local loop on the shipped images: prep -> train -> evaluate -> register, then the batch sample is scored."""

import csv
import time

import pytest

from {{ cookiecutter.package_name }}.common import artifacts, loop
from {{ cookiecutter.package_name }}.cv import MODEL_NAME, RAW_DATA, ensure_raw_data, scoring
from {{ cookiecutter.package_name }}.serving.errors import BATCH_COLUMNS

from test_cv_scoring import BATCH_SAMPLE, GOOD_SAMPLES


@pytest.mark.slow
def test_loop_on_the_shipped_images_registers_a_model_that_recognises_shapes(mlflow_store, tmp_path, capsys):
    data = ensure_raw_data(tmp_path / RAW_DATA)
    started = time.perf_counter()
    assert loop.main(["--scenario", "cv", "--data", str(data), "--outputs", str(tmp_path / "outputs")]) == 0
    seconds = time.perf_counter() - started
    printed = capsys.readouterr().out
    assert "epoch 8/8 train_loss" in printed
    assert "verdict:       promote" in printed
    assert f"registered:    {MODEL_NAME} version 1" in printed

    [folder] = (tmp_path / "outputs").iterdir()
    decision = artifacts.read_json(folder / "decision" / artifacts.DECISION_FILE)
    assert decision["challenger"]["metrics"]["f1_macro"] > 0.9  # well above the gate's 0.5 floor
    model = scoring.load(folder / "trained" / artifacts.MODEL_DIR)
    lines = [line for name in GOOD_SAMPLES for line in scoring.score_file(BATCH_SAMPLE / name, model)]
    predicted = {row["source_file"]: row["prediction"] for row in csv.DictReader(lines, fieldnames=BATCH_COLUMNS)}
    assert predicted == GOOD_SAMPLES
    print(f"cv loop: {seconds:.1f} s")  # shown with -s; the budget is 60 s on 2 cores
