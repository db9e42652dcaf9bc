"""The network's files in the MLflow model: ``save_pretrained`` weights plus ``preprocessing.json``.

The model class itself is ``pyfunc_model.py``, a standalone file MLflow copies into the model folder
(it must not import this package); training saves the network with ``save_network`` and points MLflow
at that file.
"""

from __future__ import annotations

import json
from pathlib import Path

from transformers.utils import logging as transformers_logging

from . import images

# Progress bars for a model of a few files fill CI and Azure ML logs with carriage returns.
transformers_logging.disable_progress_bar()

NETWORK_ARTIFACT = "network"
MODEL_CODE = Path(__file__).with_name("pyfunc_model.py")
PREPROCESSING_FILE = "preprocessing.json"


def save_network(network, image_size: int, folder: Path) -> Path:
    network.save_pretrained(folder)
    settings = {"image_size": image_size, "mean": images.MEAN.tolist(), "std": images.STD.tolist()}
    (Path(folder) / PREPROCESSING_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return Path(folder)
