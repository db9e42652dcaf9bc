"""Batch scoring script: Azure ML's ``init()``/``run(mini_batch)`` contract for the batch endpoint.

``run`` gets a list of files and returns one CSV line per scored item (a row, an image, a text),
which Azure ML appends to the output file (``output_action: append_row``). An item that breaks the
scenario's rules, or a file that cannot be read, becomes a line with an ``error`` instead of a
prediction: raising would fail the whole mini-batch and lose its good items. What depends on the
data is in ``{{ cookiecutter.ml_scenario }}/scoring.py``; ``serving.batch_local`` runs this same code
over a local folder.

The endpoint loads this file by path, not as part of the package: imports must be absolute.
"""

from __future__ import annotations

import logging
from pathlib import Path

from {{ cookiecutter.package_name }}.serving.errors import BATCH_COLUMNS
from {{ cookiecutter.package_name }}.serving.model import find_model_dir
from {{ cookiecutter.package_name }}.serving.onnx_model import served_by
from {{ cookiecutter.package_name }}.serving.scenario import scoring

logger = logging.getLogger(__name__)
state: dict = {}


def init() -> None:
    state["model"] = scoring.load(find_model_dir())
    # Which runtime serves: ONNX Runtime when the model folder has model.onnx, else the MLflow model
    # (serving/onnx_model.py). Printed: the server's log shows only warnings from our loggers.
    print(f"model loaded from {find_model_dir()}, served by {served_by(state['model'])}", flush=True)


def header() -> str:
    return ",".join(BATCH_COLUMNS)


def score_file(path: Path, model) -> list[str]:
    lines = scoring.score_file(path, model)
    errors = sum(1 for line in lines if not line.endswith(","))  # the error column is last
    if errors:
        logger.warning("file %s: %d of %d lines are errors", path.name, errors, len(lines))
    return lines


def run(mini_batch: list) -> list[str]:
    return [line for path in mini_batch for line in score_file(Path(path), state["model"])]
