"""The MLflow model of the image scenario: a ResNet plus its preprocessing behind MLflow's pyfunc interface.

Saved as code ("models from code"): MLflow copies this file into the model folder and runs it when the
model is loaded. It imports only declared requirements (mlflow, numpy, pandas, pillow, torch,
transformers), never this project's package, so the registered model deploys on its own, e.g. as Azure ML's
no-code MLflow deployment. The preprocessing repeats ``cv/images.pixel_values`` (what training feeds the
network); a test checks the two give the same pixels.

``predict`` takes a frame with column ``image`` (base64 PNG or JPEG, any size) and returns class labels,
which is what the evaluate step and Azure ML expect; ``probabilities`` gives the scoring scripts the
class probabilities. The network is the model's ``network`` artifact (``save_pretrained`` format plus
``preprocessing.json``).
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import mlflow.models
import numpy as np
import pandas as pd
import torch
from mlflow.pyfunc import PythonModel
from PIL import Image
from transformers import ResNetForImageClassification
from transformers.utils import logging as transformers_logging

# Progress bars for a model of a few files fill CI and Azure ML logs with carriage returns.
transformers_logging.disable_progress_bar()

NETWORK_ARTIFACT = "network"
PREPROCESSING_FILE = "preprocessing.json"
# Images per forward pass: bounds memory for large requests and batch files.
CHUNK = 64


def decode(text: str) -> Image.Image:
    """A base64 image (or a data URL) as RGB; scoring has already checked it against the rules."""
    payload = text.split(",", 1)[1] if text.startswith("data:") else text
    return Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB")


def pixel_values(image: Image.Image, size: int, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """float32, channels first (3, size, size), normalised; other shapes are squashed, not cropped."""
    image = image.convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.float32) / 255.0
    return ((array - mean) / std).transpose(2, 0, 1).copy()


class ImageClassifier(PythonModel):
    def load_context(self, context) -> None:
        self.load(Path(context.artifacts[NETWORK_ARTIFACT]))

    def load(self, folder: Path) -> ImageClassifier:
        self.network = ResNetForImageClassification.from_pretrained(folder).eval()
        settings = json.loads((Path(folder) / PREPROCESSING_FILE).read_text(encoding="utf-8"))
        self.image_size = int(settings["image_size"])
        self.mean = np.array(settings["mean"], dtype=np.float32)
        self.std = np.array(settings["std"], dtype=np.float32)
        id2label = self.network.config.id2label
        self.labels = np.array([id2label[index] for index in range(len(id2label))], dtype=object)
        return self

    def pixels(self, encoded: list[str]) -> np.ndarray:
        arrays = [pixel_values(decode(text), self.image_size, self.mean, self.std) for text in encoded]
        size = self.image_size
        return np.stack(arrays) if arrays else np.zeros((0, 3, size, size), dtype=np.float32)

    def probabilities(self, encoded) -> np.ndarray:
        """Class probabilities, one row per image, columns in the order of ``self.labels``."""
        encoded = list(encoded)
        chunks = []
        with torch.no_grad():
            for start in range(0, len(encoded), CHUNK):
                pixels = torch.from_numpy(self.pixels(encoded[start : start + CHUNK]))
                chunks.append(torch.softmax(self.network(pixel_values=pixels).logits, dim=-1).numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.labels)), dtype=np.float32)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> list[str]:
        return self.labels[self.probabilities(model_input["image"]).argmax(axis=1)].tolist()


mlflow.models.set_model(ImageClassifier())
