"""Serving adapter of the image scenario: what the online and batch scoring scripts call.

Online requests (JSON), up to MAX_IMAGES images each, base64-encoded PNG or JPEG of any size:
    {"images": ["iVBORw0KGgo...", ...]}
    {"input_data": {"columns": ["image"], "data": [["iVBORw0KGgo..."], ...]}}   (Azure ML's MLflow format)
Batch inputs: a folder of image files, one prediction line per file.

Model data collection stores a small description of each image (size, format, brightness,
contrast), never its pixels: enough for Azure ML's data-quality monitor and the local drift report.
"""

from __future__ import annotations

import base64
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd

from ..serving.errors import RequestError, batch_line, column_items, file_error_line
from . import export_onnx, images

BATCH_SUFFIXES = images.FILE_SUFFIXES
# Shipped samples for the local batch and drift commands, relative to the project folder (see data/cv/README.md).
BATCH_SAMPLE = "data/cv/batch-sample"
DRIFT_SAMPLE = "data/cv/drift-sample"
# Enough for an app that sends a few photos; the batch endpoint is the place for many.
MAX_IMAGES = 32
FIELD = "image"
PROFILE_COLUMNS = ["width", "height", "aspect_ratio", "kilobytes", "brightness", "contrast", "format", "color_mode"]
DRIFT_NUMERIC = ["width", "height", "brightness", "contrast"]
DRIFT_CATEGORICAL = ["format", "color_mode"]
RULES = f"PNG or JPEG, at most {images.MAX_MEGABYTES} MB, each side {images.MIN_SIDE} to {images.MAX_SIDE} pixels"


def load(model_dir: Path):
    """The model's ONNX copy when the folder has one (faster, checked equal at export), else the
    ImageClassifier inside the MLflow model: scoring wants its probabilities, not only labels."""
    return export_onnx.load(model_dir) or mlflow.pyfunc.load_model(str(model_dir)).unwrap_python_model()


def describe(checked: images.CheckedImage) -> dict:
    width, height = checked.image.size
    brightness, contrast = images.brightness_and_contrast(checked.image)
    return {
        "width": width,
        "height": height,
        "aspect_ratio": round(width / height, 4),
        "kilobytes": round(checked.size_bytes / 1024, 3),
        "brightness": round(brightness, 3),
        "contrast": round(contrast, 3),
        "format": checked.format,
        "color_mode": checked.color_mode,
    }


def inputs_from_request(body: object) -> pd.DataFrame:
    """One row per image (column ``image`` plus its description), or a RequestError naming each bad image."""
    items = column_items(body, "images", FIELD, "base64-encoded PNG or JPEG images", MAX_IMAGES)
    rows, problems = [], []
    for row, item in enumerate(items):
        try:
            rows.append({FIELD: item, **describe(images.check_base64(item))})
        except images.ImageError as error:
            problems.append({"row": row, "field": FIELD, "problem": str(error)})
    if problems:
        message = f"{len(problems)} of {len(items)} images break the rules for {FIELD!r} ({RULES})"
        raise RequestError(422, message, problems)
    return pd.DataFrame(rows, columns=[FIELD, *PROFILE_COLUMNS])


def predict(model, inputs: pd.DataFrame) -> pd.DataFrame:
    """The most probable class of each image and its probability."""
    probabilities = model.probabilities(inputs[FIELD]).astype(np.float64)
    best = probabilities.argmax(axis=1)
    return pd.DataFrame(
        {"prediction": model.labels[best], "probability": probabilities.max(axis=1).round(6)}, index=inputs.index
    )


def collected(inputs: pd.DataFrame) -> pd.DataFrame:
    return inputs[PROFILE_COLUMNS]


def _training_files(root: Path) -> list[Path]:
    """The files prep reads: one level below a class folder, whatever their suffix."""
    from .prep import find_files  # only the drift report needs it; serving imports this module too

    return [file for _, file in find_files(root)]


def profile(path: Path, model=None, training: bool = False) -> pd.DataFrame:
    """PROFILE_COLUMNS for every usable image in ``path`` (a file, or a folder searched recursively).

    With a model, adds its ``prediction`` for each image (prediction drift). Files that are not usable
    images are left out and counted in ``attrs["rejected"]``: a data-quality finding of their own.
    ``training=True`` reads the files prep reads, so the drift reference is what the model learnt from.
    """
    path = Path(path)
    if training:
        files = _training_files(path)
    else:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix.lower() in BATCH_SUFFIXES)
    rows, encoded, rejected = [], [], 0
    for file in files:
        if file.suffix.lower() not in BATCH_SUFFIXES:  # prep rejects these whatever they hold
            rejected += 1
            continue
        data = file.read_bytes()
        try:
            rows.append(describe(images.check_image(data)))
        except images.ImageError:
            rejected += 1
            continue
        encoded.append(base64.b64encode(data).decode("ascii"))
    if not rows:
        raise FileNotFoundError(f"no usable PNG or JPEG image in {path}")
    frame = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    if model is not None:
        frame["prediction"] = predict(model, pd.DataFrame({FIELD: encoded}))["prediction"].astype(str).to_numpy()
    frame.attrs["rejected"] = rejected
    return frame


def score_file(path: Path, model) -> list[str]:
    """One CSV line for one image file: its prediction, or why it was not scored. Never raises."""
    path = Path(path)
    try:
        data = path.read_bytes()
        try:
            images.check_image(data)
        except images.ImageError as error:
            return [batch_line([path.name, 1, path.stem, "", "", f"{FIELD} {error}"])]
        scored = predict(model, pd.DataFrame({FIELD: [base64.b64encode(data).decode("ascii")]}))
    except Exception as error:  # one bad file must not fail the mini-batch and lose the other files
        return [file_error_line(path.name, error)]
    return [batch_line([path.name, 1, path.stem, scored["prediction"].iloc[0], scored["probability"].iloc[0], ""])]
