"""Batch scoring script: Azure ML's ``init()``/``run(mini_batch)`` contract for the batch endpoint.

``run`` gets a list of files (CSV or parquet) and returns one CSV line per input row, which
Azure ML appends to the output file (``output_action: append_row``). A row that breaks the data
contract, or a file that cannot be read, becomes a line with an ``error`` instead of a prediction:
raising would fail the whole mini-batch and lose its good rows. ``serving.batch_local`` runs this
same code over a local folder.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.serving import model as model_loader
from {{ cookiecutter.package_name }}.serving.checks import check
from {{ cookiecutter.package_name }}.serving.payload import rejected_problems
from {{ cookiecutter.package_name }}.tabular.contract import load_contract

logger = logging.getLogger(__name__)
COLUMNS = ["source_file", "row", "id", "prediction", "probability", "error"]
READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet}
state: dict = {}


def init() -> None:
    state["model"] = model_loader.load()
    logger.info("model loaded from %s", model_loader.find_model_dir())


def header() -> str:
    return ",".join(COLUMNS)


def _line(values: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def read(path: Path) -> pd.DataFrame:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"unsupported file type {path.suffix!r} (expected {', '.join(READERS)})")
    return reader(path)


def score_file(path: Path, model) -> list[str]:
    """CSV lines for one file: a prediction per valid row, an error per bad row (or one for the file)."""
    contract = load_contract()
    name = path.name
    try:
        frame = read(path)
        checked = check(frame, contract)
    except Exception as error:  # unreadable, corrupt or lacking columns: report it, keep the other files
        logger.error("file %s not scored: %s", name, error)
        message = " ".join(f"file not scored: {error}".split())  # one line, whatever the error text
        return [_line([name, "", "", "", "", message])]
    # Row numbers count data rows from 1, as a spreadsheet shows them below the header.
    ids = frame[contract.id_column].to_numpy() if contract.id_column in frame.columns else ""
    # Typed columns with missing values (bad rows) print as empty fields and keep pandas' fast CSV path.
    prediction = pd.arrays.IntegerArray(np.zeros(len(frame), dtype="int64"), mask=np.ones(len(frame), dtype=bool))
    probability = np.full(len(frame), np.nan)
    error = np.full(len(frame), "", dtype=object)
    valid = frame.index.isin(checked.valid.index)  # check() keeps valid rows in input order
    if valid.any():
        scored = model_loader.predict(model, checked.valid)
        prediction[valid] = scored["prediction"].to_numpy()
        probability[valid] = scored["probability"].to_numpy()
    if len(checked.rejected):
        by_row: dict[int, list[str]] = {}
        for problem in rejected_problems(checked.rejected):
            by_row.setdefault(problem["row"], []).append(f"{problem['field']}: {problem['problem']}")
        for row, problems in by_row.items():
            error[frame.index.get_loc(row)] = "; ".join(problems)
        logger.warning("file %s: %d of %d rows break the data contract", name, len(checked.rejected), len(frame))
    out = pd.DataFrame(
        {
            "source_file": name,
            "row": np.arange(1, len(frame) + 1),
            "id": ids,
            "prediction": prediction,
            "probability": probability,
            "error": error,
        }
    )
    # One vectorised CSV write instead of a writer call per row: batch inputs run to millions of rows.
    return out.to_csv(header=False, index=False, lineterminator="\n", na_rep="").splitlines()


def run(mini_batch: list) -> list[str]:
    return [line for path in mini_batch for line in score_file(Path(path), state["model"])]
