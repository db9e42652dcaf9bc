"""The MLflow model: a ResNet plus its preprocessing, behind MLflow's pyfunc interface.

``predict`` takes a frame with column ``image`` (base64 PNG or JPEG, any size) and returns class
labels, which is what the common evaluate step and Azure ML expect; ``probabilities`` gives the
scoring scripts the class probabilities. Both preprocess with ``images.pixel_values``, as training does.
The model folder holds the network (transformers' ``save_pretrained`` format) and
``preprocessing.json``; ``model_code.py`` imports the class from this package, which the scoring code ships.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd
import torch
from transformers import ResNetForImageClassification
from transformers.utils import logging as transformers_logging

from . import images

# Progress bars for a model of a few files fill CI and Azure ML logs with carriage returns.
transformers_logging.disable_progress_bar()

NETWORK_ARTIFACT = "network"
MODEL_CODE = Path(__file__).with_name("model_code.py")
PREPROCESSING_FILE = "preprocessing.json"
# Images per forward pass: bounds memory for large requests and batch files.
CHUNK = 64


def save_network(network, image_size: int, folder: Path) -> Path:
    network.save_pretrained(folder)
    settings = {"image_size": image_size, "mean": images.MEAN.tolist(), "std": images.STD.tolist()}
    (Path(folder) / PREPROCESSING_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return Path(folder)


def pixel_batch(encoded: Iterable[str], image_size: int) -> torch.Tensor:
    arrays = [images.pixel_values(images.check_base64(text).image, image_size) for text in encoded]
    return torch.from_numpy(np.stack(arrays)) if arrays else torch.zeros((0, 3, image_size, image_size))


class ImageClassifier(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        self.load(Path(context.artifacts[NETWORK_ARTIFACT]))

    def load(self, folder: Path) -> ImageClassifier:
        self.network = ResNetForImageClassification.from_pretrained(folder).eval()
        settings = json.loads((Path(folder) / PREPROCESSING_FILE).read_text(encoding="utf-8"))
        self.image_size = int(settings["image_size"])
        id2label = self.network.config.id2label
        self.labels = np.array([id2label[index] for index in range(len(id2label))], dtype=object)
        return self

    def probabilities(self, encoded: Iterable[str]) -> np.ndarray:
        """Class probabilities, one row per image, columns in the order of ``self.labels``."""
        encoded = list(encoded)
        chunks = []
        with torch.no_grad():
            for start in range(0, len(encoded), CHUNK):
                pixels = pixel_batch(encoded[start : start + CHUNK], self.image_size)
                chunks.append(torch.softmax(self.network(pixel_values=pixels).logits, dim=-1).numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.labels)), dtype=np.float32)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> list[str]:
        return self.labels[self.probabilities(model_input["image"]).argmax(axis=1)].tolist()
