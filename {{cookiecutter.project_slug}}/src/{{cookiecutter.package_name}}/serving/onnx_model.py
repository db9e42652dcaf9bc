"""The ONNX copy of the model: where it lives in the MLflow model folder, and how serving runs it.

The train step exports the model to ``model.onnx`` inside the MLflow model folder (so the registered model
and every deployment of it carry the file) after checking that it predicts what the original predicts.
Serving and batch scoring run that file with ONNX Runtime when it is there, and the MLflow model when it
is not (a model registered before the export existed, or one whose export failed the check).
``served_by`` says which one a loaded model is: the scoring scripts log it at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

ONNX_FILE = "model.onnx"
# Written into the ONNX file's metadata by the export: what the session's outputs mean (class labels...).
METADATA_KEY = "serving"
ONNX_RUNTIME = "onnxruntime"
MLFLOW = "mlflow"


def onnx_path(model_dir: Path) -> Path | None:
    path = Path(model_dir) / ONNX_FILE
    return path if path.is_file() else None


def session(path: Path):
    """An ONNX Runtime session on one thread: requests are small and scale with workers (as score.py limits
    scikit-learn and PyTorch), and batch workers already share the cores."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def metadata(onnx_session) -> dict:
    return json.loads(onnx_session.get_modelmeta().custom_metadata_map.get(METADATA_KEY, "{}"))


def add_metadata(model, values: dict) -> None:
    """Store ``values`` (JSON) in an ``onnx.ModelProto`` before it is written."""
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(values)


def saving_with_onnx(save: Callable[[str], object], export: Callable[[Path], object]) -> Callable[[str], None]:
    """``save`` (an ``mlflow.<flavor>.save_model``) followed by ``export(folder)``, for ``log_model_folder``:
    the ONNX file is written into the folder before it is uploaded, so it is part of the registered model."""

    def save_both(path: str) -> None:
        save(path)
        export(Path(path))

    return save_both


def served_by(model) -> str:
    return getattr(model, "runtime", MLFLOW)
