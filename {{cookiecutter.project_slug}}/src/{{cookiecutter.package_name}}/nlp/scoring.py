"""Serving adapter of the text scenario: what the online and batch scoring scripts call.

Online requests (JSON), up to MAX_TEXTS texts each:
    {"texts": ["My parcel never arrived.", ...]}
    {"input_data": {"columns": ["text"], "data": [["My parcel never arrived."], ...]}}   (Azure ML's MLflow format)
Batch inputs: ``.csv`` files with a ``text`` column (and an optional ``ticket_id`` or ``id``), or
``.txt`` files with one text per line; one prediction line per text.

Model data collection stores a description of each text (length, words, share of capitals and
digits...), not the text: tickets carry names and addresses, and the monitor needs only the shape
of the data to see it change.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd

from ..serving.batch_text import csv_lines, read_text
from ..serving.errors import RequestError, column_items, file_error_line
from . import export_onnx
from .texts import LABELS, MAX_CHARACTERS, TEXT_COLUMN, text_problem

BATCH_SUFFIXES = (".csv", ".txt")
BATCH_SAMPLE = "data/nlp/batch-sample"
DRIFT_SAMPLE = "data/nlp/drift-sample.csv"
# Enough for an app that classifies a page of tickets; the batch endpoint is the place for many.
MAX_TEXTS = 64
ID_COLUMNS = ("ticket_id", "id")
RULES = f"a non-empty string of at most {MAX_CHARACTERS} characters"
PROFILE_COLUMNS = [
    "characters",
    "words",
    "mean_word_length",
    "uppercase_share",
    "digit_share",
    "length_band",
    "has_question",
]
DRIFT_NUMERIC = ["characters", "words", "mean_word_length", "uppercase_share", "digit_share"]
DRIFT_CATEGORICAL = ["length_band", "has_question"]
# Upper bounds (characters) of the length bands; the shipped tickets are mostly "medium".
LENGTH_BANDS = ((60, "short"), (200, "medium"), (600, "long"))


def load(model_dir: Path):
    """The model's ONNX copy when the folder has one (faster, checked equal at export), else the
    TextClassifier inside the MLflow model: scoring wants its probabilities, not only labels."""
    return export_onnx.load(model_dir) or mlflow.pyfunc.load_model(str(model_dir)).unwrap_python_model()


def inputs_from_request(body: object) -> pd.DataFrame:
    """One row per text (column ``text``), or a RequestError naming each bad text."""
    items = column_items(body, "texts", TEXT_COLUMN, "strings", MAX_TEXTS)
    problems = [
        {"row": row, "field": TEXT_COLUMN, "problem": problem[1]}
        for row, item in enumerate(items)
        if (problem := text_problem(item))
    ]
    if problems:
        message = f"{len(problems)} of {len(items)} texts break the rules for {TEXT_COLUMN!r} ({RULES})"
        raise RequestError(422, message, problems)
    return pd.DataFrame({TEXT_COLUMN: items})


def predict(model, inputs: pd.DataFrame) -> pd.DataFrame:
    """The most probable class of each text and its probability."""
    probabilities = model.probabilities(inputs[TEXT_COLUMN].tolist())
    return pd.DataFrame(
        {
            "prediction": probabilities.idxmax(axis=1).to_numpy(),
            "probability": probabilities.max(axis=1).astype(np.float64).round(6).to_numpy(),
        },
        index=inputs.index,
    )


def describe(texts: pd.Series) -> pd.DataFrame:
    """PROFILE_COLUMNS for each text: its size and shape, never its words."""
    texts = texts.astype(str)
    characters = texts.str.len()
    words = texts.str.split().str.len()
    letters = texts.str.count(r"[^\W\d_]").clip(lower=1)
    bands = pd.cut(
        characters,
        [0, *(limit for limit, _ in LENGTH_BANDS), np.inf],
        labels=[name for _, name in LENGTH_BANDS] + ["very long"],
        right=False,
    )
    return pd.DataFrame(
        {
            "characters": characters,
            "words": words,
            "mean_word_length": (texts.str.count(r"\S") / words.clip(lower=1)).round(3),
            "uppercase_share": (texts.str.count(r"[A-Z]") / letters).round(4),
            "digit_share": (texts.str.count(r"\d") / characters.clip(lower=1)).round(4),
            "length_band": bands.astype(str),
            "has_question": np.where(texts.str.contains("?", regex=False), "yes", "no"),
        },
        index=texts.index,
    )


def collected(inputs: pd.DataFrame) -> pd.DataFrame:
    return describe(inputs[TEXT_COLUMN])


def read_texts(path: Path) -> pd.DataFrame:
    """Columns ``row`` (from 1, as an editor shows it), ``id`` and ``text`` of one batch file.

    Raises ValueError for a file it cannot use (unknown type, no ``text`` column, neither UTF-8 nor Windows-1252).
    """
    suffix = path.suffix.lower()
    if suffix == ".txt":
        # One text per line; blank lines separate nothing and are not texts. Row = line number.
        # Lines as an editor numbers them: \n, \r\n or \r end a line; U+2028 and the like are text.
        lines = re.split(r"\r\n|\r|\n", read_text(path))
        numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
        return pd.DataFrame(numbered or None, columns=["row", TEXT_COLUMN]).assign(id="")[["row", "id", TEXT_COLUMN]]
    if suffix == ".csv":
        frame = pd.read_csv(io.StringIO(read_text(path)), dtype=str, keep_default_na=False)
        if TEXT_COLUMN not in frame.columns:
            raise ValueError(f"no {TEXT_COLUMN!r} column (columns: {', '.join(map(str, frame.columns))})")
        ids = next((frame[c] for c in ID_COLUMNS if c in frame.columns), pd.Series("", index=frame.index))
        return pd.DataFrame(
            {"row": np.arange(1, len(frame) + 1), "id": ids.to_numpy(), TEXT_COLUMN: frame[TEXT_COLUMN]}
        )
    raise ValueError(f"unsupported file type {path.suffix!r} (expected {', '.join(BATCH_SUFFIXES)})")


def score_file(path: Path, model) -> list[str]:
    """CSV lines for one file: a prediction per valid text, an error per bad text (or one for the file)."""
    path = Path(path)
    try:
        frame = read_texts(path)
        problems = frame[TEXT_COLUMN].map(text_problem)
        valid = problems.isna().to_numpy()
        out = frame[["row", "id"]].assign(prediction="", probability=np.nan, error="")
        if valid.any():
            scored = predict(model, frame[valid])
            out.loc[valid, "prediction"] = scored["prediction"].to_numpy()
            out.loc[valid, "probability"] = scored["probability"].to_numpy()
        out.loc[~valid, "error"] = [f"{TEXT_COLUMN}: {problem[1]}" for problem in problems[~valid]]
    except Exception as error:  # unreadable file or failed model: report it, keep the mini-batch's other files
        return [file_error_line(path.name, error)]
    if out.empty:
        return [file_error_line(path.name, "the file holds no texts")]  # a line, so that no input goes unaccounted
    out.insert(0, "source_file", path.name)
    return csv_lines(out)


def _training_texts(path: Path) -> tuple[pd.Series, pd.Series]:
    """All texts of the training data and the ones prep keeps (its reader and rules, the label checked too)."""
    from . import prep  # only the drift report needs it; serving imports this module too

    raw = prep.read_raw(path)
    valid, _, _ = prep.validate(raw, LABELS)
    return raw[TEXT_COLUMN], valid[TEXT_COLUMN]


def profile(path: Path, model=None, training: bool = False) -> pd.DataFrame:
    """PROFILE_COLUMNS of every valid text in a file or folder (plus the model's prediction, if given).

    Texts that break the rules are left out and counted in ``attrs["rejected"]``: a data-quality finding.
    ``training=True`` keeps exactly the rows prep keeps, so the drift reference is what the model learnt from.
    """
    path = Path(path)
    if training:
        texts, valid = _training_texts(path)
        return _described(path, texts, valid, model)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix.lower() in BATCH_SUFFIXES)
    texts = []
    for file in files:
        try:
            texts.append(read_texts(file)[TEXT_COLUMN])
        except (ValueError, UnicodeDecodeError):
            continue  # not a file of texts; batch scoring reports those
    if not texts:
        raise SystemExit(f"no readable texts (.csv with a {TEXT_COLUMN!r} column, or .txt) in {path}")
    texts = pd.concat(texts, ignore_index=True)
    return _described(path, texts, texts[texts.map(text_problem).isna()], model)


def _described(path: Path, texts: pd.Series, valid: pd.Series, model) -> pd.DataFrame:
    if valid.empty:
        raise SystemExit(f"{path}: none of its {len(texts)} texts is {RULES}")
    frame = describe(valid).reset_index(drop=True)
    if model is not None:
        frame["prediction"] = predict(model, valid.to_frame(TEXT_COLUMN))["prediction"].astype(str).to_numpy()
    frame.attrs["rejected"] = len(texts) - len(valid)
    return frame
