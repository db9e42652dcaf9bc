"""The image network in ONNX: exported by the train step, run by serving and batch scoring when present.

The graph takes normalised pixels (``images.pixel_values``, as training feeds the network) and returns
class probabilities; decoding and resizing stay in Python, in the same code as before.
``OnnxImageClassifier`` has the two members scoring uses from the MLflow model: ``labels`` and ``probabilities``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..serving import onnx_model
from . import images

INPUT = "pixel_values"
# Images per ONNX Runtime call: bounds memory for large requests and batch files, as the PyTorch model does.
CHUNK = 64


def pixels(encoded: Iterable[str], image_size: int) -> np.ndarray:
    arrays = [images.pixel_values(images.check_base64(text).image, image_size) for text in encoded]
    return np.stack(arrays) if arrays else np.zeros((0, 3, image_size, image_size), dtype=np.float32)


def export(network, image_size: int, check_images: list[str], model_dir: Path) -> dict:
    """Write ``model.onnx`` into ``model_dir`` if it agrees with ``network`` on ``check_images`` (base64)."""
    import torch

    from ..common import torch_onnx

    labels = [network.config.id2label[index] for index in range(len(network.config.id2label))]
    example = {INPUT: torch.from_numpy(pixels(check_images[:CHUNK], image_size))}
    return torch_onnx.export(
        network,
        example,
        {INPUT: {0: "batch"}},
        Path(model_dir) / onnx_model.ONNX_FILE,
        {"labels": labels, "image_size": image_size},
    )


class OnnxImageClassifier:
    runtime = onnx_model.ONNX_RUNTIME

    def __init__(self, path: Path) -> None:
        self.session = onnx_model.session(path)
        described = onnx_model.metadata(self.session)
        self.labels = np.array(described["labels"], dtype=object)
        self.image_size = int(described["image_size"])

    def probabilities(self, encoded: Iterable[str]) -> np.ndarray:
        """Class probabilities, one row per image, columns in the order of ``self.labels``."""
        encoded = list(encoded)
        chunks = [
            self.session.run(None, {INPUT: pixels(encoded[start : start + CHUNK], self.image_size)})[0]
            for start in range(0, len(encoded), CHUNK)
        ]
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.labels)), dtype=np.float32)


def load(model_dir: Path) -> OnnxImageClassifier | None:
    path = onnx_model.onnx_path(model_dir)
    return OnnxImageClassifier(path) if path else None
