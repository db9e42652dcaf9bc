"""The tabular model in ONNX: the whole scikit-learn pipeline (one-hot encoding and the trees) as one graph.

``export`` converts the fitted pipeline with skl2onnx, checks it against the pipeline on the rows it is
given and writes ``model.onnx`` only if they agree: same labels, probabilities within PROBABILITY_TOLERANCE.
``OnnxPipeline`` runs that file with ONNX Runtime behind the few attributes scoring uses from the
pipeline (``predict_proba``, ``predict``, ``classes_``, ``feature_names_in_``), without scikit-learn's
per-call overhead: a one-row request drops from milliseconds to well under one.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..serving import onnx_model
from .contract import load_contract

logger = logging.getLogger(__name__)
# float32 inputs and thresholds (what ONNX tree ensembles compute in) against scikit-learn's float64:
# measured differences are ~3e-7 on the shipped data; 1e-4 leaves room and is far below any decision.
PROBABILITY_TOLERANCE = 1e-4
# ONNX operator sets: 18 for the standard operators, 3 for ai.onnx.ml (TreeEnsembleClassifier with
# missing-value tracking); ONNX Runtime 1.17 and later run both.
TARGET_OPSET = {"": 18, "ai.onnx.ml": 3}


@contextlib.contextmanager
def _integer_missing_flags():
    """skl2onnx 1.20 passes a Python bool for a leaf's ``nodes_missing_value_tracks_true`` and an integer
    for a branch's; protobuf 6+ refuses the mixed list ("Expected an int, got a boolean") when converting
    HistGradientBoosting (skl2onnx/common/tree_ensemble.py, add_tree_to_attribute_pairs_hist_gradient_boosting).
    The flag is an integer in the ONNX spec, so cast it while converting; removed when skl2onnx does it."""
    from skl2onnx.common import tree_ensemble

    original = getattr(tree_ensemble, "add_node", None)
    if original is None:  # a release that reorganised the module: nothing to patch
        yield
        return

    def add_node(*args, nodes_missing_value_tracks_true=0, **kwargs):
        return original(*args, nodes_missing_value_tracks_true=int(nodes_missing_value_tracks_true), **kwargs)

    tree_ensemble.add_node = add_node
    try:
        yield
    finally:
        tree_ensemble.add_node = original


def convert(pipeline):
    """The ONNX model of a fitted pipeline: one input per contract feature, outputs ``label`` and ``probabilities``."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    contract = load_contract()
    categories = set(contract.columns_of_type("category"))
    inputs = [
        (name, StringTensorType([None, 1]) if name in categories else FloatTensorType([None, 1]))
        for name in contract.feature_names
    ]
    with _integer_missing_flags():
        model = convert_sklearn(
            pipeline, initial_types=inputs, options={id(pipeline): {"zipmap": False}}, target_opset=TARGET_OPSET
        )
    onnx_model.add_metadata(model, {"classes": pipeline.classes_.tolist(), "categories": sorted(categories)})
    return model


def differences(pipeline, onnx_pipeline: OnnxPipeline, features: pd.DataFrame) -> dict:
    expected, got = pipeline.predict_proba(features), onnx_pipeline.predict_proba(features)
    return {
        "max_probability_difference": float(np.abs(expected - got).max()) if len(features) else 0.0,
        "label_mismatches": int((expected.argmax(axis=1) != got.argmax(axis=1)).sum()),
    }


def export(pipeline, model_dir: Path, check_rows: pd.DataFrame) -> dict:
    """Write ``model.onnx`` into ``model_dir`` if it agrees with ``pipeline`` on ``check_rows``; return the check."""
    path = Path(model_dir) / onnx_model.ONNX_FILE
    try:
        path.write_bytes(convert(pipeline).SerializeToString())
    except Exception as error:  # a converter that cannot handle the model must not lose the trained model
        logger.warning("ONNX export left out: skl2onnx could not convert the pipeline (%s)", error)
        return {"exported": False}
    compared = differences(pipeline, OnnxPipeline(path), check_rows[pipeline.feature_names_in_])
    compared["onnx_bytes"] = path.stat().st_size
    compared["exported"] = (
        compared["label_mismatches"] == 0 and compared["max_probability_difference"] <= PROBABILITY_TOLERANCE
    )
    if not compared["exported"]:
        path.unlink()  # serving falls back to the MLflow model rather than answer differently
        logger.warning("ONNX export left out: it disagrees with the pipeline (%s)", compared)
    return compared


class OnnxPipeline:
    """``model.onnx`` behind the attributes of the scikit-learn pipeline that scoring and monitoring use."""

    runtime = onnx_model.ONNX_RUNTIME

    def __init__(self, path: Path) -> None:
        self.session = onnx_model.session(path)
        described = onnx_model.metadata(self.session)
        self.classes_ = np.array(described["classes"])
        self.feature_names_in_ = np.array([i.name for i in self.session.get_inputs()], dtype=object)
        self._categories = set(described["categories"])

    def _feeds(self, features: pd.DataFrame) -> dict:
        return {
            name: (features[name].astype(str) if name in self._categories else features[name])
            .to_numpy(dtype=object if name in self._categories else np.float32)
            .reshape(-1, 1)
            for name in self.feature_names_in_
        }

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        if not len(features):
            return np.zeros((0, len(self.classes_)))
        return self.session.run(["probabilities"], self._feeds(features))[0].astype(np.float64)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_proba(features).argmax(axis=1)]


def load(model_dir: Path) -> OnnxPipeline | None:
    path = onnx_model.onnx_path(model_dir)
    return OnnxPipeline(path) if path else None
