"""The tabular scenario's side of serving and monitoring (the scenario serving adapter).

``serving/score.py``, ``serving/batch_score.py`` and ``monitoring/drift.py`` are the same for every
scenario; they call these functions for what depends on the data: reading a request or a batch
file against the data contract, calling the model, and describing inputs for monitoring.
"""

from __future__ import annotations

import io
from pathlib import Path

import mlflow.sklearn
import numpy as np
import pandas as pd

from ..serving.batch_text import csv_lines, read_text
from ..serving.checks import check
from ..serving.errors import file_error_line
from ..serving.payload import rejected_problems, rows_from_body
from . import export_onnx
from .contract import load_contract, validate

BATCH_SUFFIXES = (".csv", ".parquet")
BATCH_SAMPLE = "data/batch-sample"
DRIFT_SAMPLE = "data/drift-sample.csv"


def load(model_dir: Path):
    """The model's ONNX copy when the folder has one (faster, checked equal at export), else the
    scikit-learn pipeline itself (not the pyfunc wrapper): scoring wants its probabilities."""
    return export_onnx.load(model_dir) or mlflow.sklearn.load_model(str(model_dir))


def inputs_from_request(body: object) -> pd.DataFrame:
    return rows_from_body(body)


def predict(model, features: pd.DataFrame) -> pd.DataFrame:
    """Predicted class and the probability of the positive class, one row per input row."""
    probabilities = model.predict_proba(features)
    labels = model.classes_[probabilities.argmax(axis=1)]  # what model.predict returns, without a second pass
    positive = probabilities[:, -1].round(6)
    return pd.DataFrame({"prediction": labels, "probability": positive}, index=features.index)


def collected(features: pd.DataFrame) -> pd.DataFrame:
    """Tabular features are small scalars already: data collection stores them as they came."""
    return features


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(read_text(path)))


READERS = {".csv": _read_csv, ".parquet": pd.read_parquet}


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
        return [file_error_line(name, error)]
    if frame.empty:
        return [file_error_line(name, "the file holds no rows")]  # a line, so that no input goes unaccounted
    # Row numbers count data rows from 1, as a spreadsheet shows them below the header.
    ids = frame[contract.id_column].to_numpy() if contract.id_column in frame.columns else ""
    # Typed columns with missing values (bad rows) print as empty fields and keep pandas' fast CSV path.
    prediction = pd.arrays.IntegerArray(np.zeros(len(frame), dtype="int64"), mask=np.ones(len(frame), dtype=bool))
    probability = np.full(len(frame), np.nan)
    error = np.full(len(frame), "", dtype=object)
    valid = frame.index.isin(checked.valid.index)  # check() keeps valid rows in input order
    if valid.any():
        scored = predict(model, checked.valid)
        prediction[valid] = scored["prediction"].to_numpy()
        probability[valid] = scored["probability"].to_numpy()
    if len(checked.rejected):
        by_row: dict[int, list[str]] = {}
        for problem in rejected_problems(checked.rejected):
            by_row.setdefault(problem["row"], []).append(f"{problem['field']}: {problem['problem']}")
        for row, problems in by_row.items():
            error[frame.index.get_loc(row)] = "; ".join(problems)
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
    return csv_lines(out)


# The drift report compares every feature of the contract, whichever source it comes from
# (FEATURE_SOURCES names it in the report: applications or payment_history).
FEATURE_SOURCES: dict[str, str] = {column.name: column.source for column in load_contract().features}
DRIFT_CATEGORICAL: list[str] = load_contract().columns_of_type("category")
DRIFT_NUMERIC: list[str] = load_contract().columns_of_type("int", "float")


def _read_all(path: Path) -> pd.DataFrame:
    if path.is_dir():
        frames = [_read_all(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in BATCH_SUFFIXES]
        if not frames:
            raise SystemExit(f"no CSV or parquet files in {path}")
        return pd.concat(frames, ignore_index=True)
    return read(path)


def _read_training(path: Path) -> pd.DataFrame:
    """Training data as prep reads it: CSV cells as text, so that pandas turns no "NA" or "None" into a gap,
    and the payment-history features joined as of each application (a prepared table already has them)."""
    from . import history
    from .prep import SHIPPED_HISTORY, read_raw

    if path.suffix.lower() == ".csv" or (path.is_dir() and any(path.glob("*.csv"))):
        frame = read_raw(path)
    else:
        frame = _read_all(path)
    if set(history.FEATURES) <= set(frame.columns):
        return frame
    return history.with_history(frame, history.read_history(SHIPPED_HISTORY)[0])


def profile(path: Path, model=None, training: bool = False) -> pd.DataFrame:
    """Contract-valid rows of a file or folder; rows that break it are counted (a data-quality finding).

    ``training=True`` describes the training data as prep does (its reader, and the target checked too),
    so the drift reference holds exactly the rows prep kept: production inputs carry no target.
    """
    path = Path(path)
    frame = _read_training(path) if training else _read_all(path)
    checked = validate(frame, require_target=training)
    if checked.valid.empty:
        raise SystemExit(f"{path}: no row satisfies the data contract ({checked.by_rule})")
    frame = checked.valid[DRIFT_CATEGORICAL + DRIFT_NUMERIC].copy()
    if model is not None:
        features = checked.valid[load_contract().feature_names]  # the column order the model was fitted on
        frame["prediction"] = predict(model, features)["prediction"].astype(str).to_numpy()
    frame.attrs["rejected"] = len(checked.rejected)
    return frame
