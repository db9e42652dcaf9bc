"""Find, load and call the MLflow model that the scoring scripts serve.

Azure ML mounts the registered model under ``AZUREML_MODEL_DIR`` (the MLflow folder may sit one
or two levels down, depending on how it was registered); locally the same variable points at the
folder that ``serving.champion`` exported. The model is loaded once per process, in ``init()``.
"""

from __future__ import annotations

import os
from pathlib import Path

import mlflow.sklearn
import pandas as pd

MODEL_DIR_VARIABLE = "AZUREML_MODEL_DIR"


def find_model_dir(root: str | Path | None = None) -> Path:
    """The folder holding ``MLmodel`` inside ``root`` (default: $AZUREML_MODEL_DIR)."""
    root = root or os.environ.get(MODEL_DIR_VARIABLE)
    if not root:
        raise RuntimeError(f"no model folder: set {MODEL_DIR_VARIABLE} (azmlinfsrv --model_dir does)")
    root = Path(root)
    candidates = [root / "MLmodel"] if (root / "MLmodel").is_file() else sorted(root.rglob("MLmodel"))
    if not candidates:
        raise FileNotFoundError(f"no MLflow model (MLmodel file) under {root}")
    if len(candidates) > 1:
        raise RuntimeError(f"several MLflow models under {root}: {[str(c.parent) for c in candidates]}")
    return candidates[0].parent


def load(root: str | Path | None = None):
    """The scikit-learn pipeline itself (not the pyfunc wrapper): scoring wants its probabilities."""
    return mlflow.sklearn.load_model(str(find_model_dir(root)))


def predict(model, features: pd.DataFrame) -> pd.DataFrame:
    """Predicted class and the probability of the positive class, one row per input row."""
    probabilities = model.predict_proba(features)
    labels = model.classes_[probabilities.argmax(axis=1)]  # what model.predict returns, without a second pass
    positive = probabilities[:, -1].round(6)
    return pd.DataFrame({"prediction": labels, "probability": positive}, index=features.index)
