"""Find the MLflow model folder that the scoring scripts serve.

Azure ML mounts the registered model under ``AZUREML_MODEL_DIR`` (the MLflow folder may sit one
or two levels down, depending on how it was registered); locally the same variable points at the
folder that ``serving.champion`` exported. The scenario's ``scoring.load`` reads it once per process.
"""

from __future__ import annotations

import os
from pathlib import Path

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
