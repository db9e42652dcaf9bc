"""The text classifier in ONNX: exported by the train step, run by serving and batch scoring when present.

The graph takes token ids and the attention mask and returns class probabilities; tokenizing stays in
Python with the model's own tokenizer (the MLflow model's ``classifier`` artifact), exactly as the
pyfunc model does. ``OnnxTextClassifier`` has the members scoring uses: ``labels`` and ``probabilities``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..serving import onnx_model

INPUTS = ("input_ids", "attention_mask")
# Texts per ONNX Runtime call, as the pyfunc model batches them.
BATCH_SIZE = 64
# Where MLflow keeps the pyfunc model's artifact (train.ARTIFACT) inside the model folder.
TOKENIZER_DIR = Path("artifacts") / "classifier"


def encode(tokenizer, texts: list[str]) -> dict[str, np.ndarray]:
    encoded = tokenizer(texts, truncation=True, padding=True, return_tensors="np")
    return {name: encoded[name].astype(np.int64) for name in INPUTS}


def export(model, tokenizer, check_texts: list[str], model_dir: Path) -> dict:
    """Write ``model.onnx`` into ``model_dir`` if it agrees with ``model`` on ``check_texts``."""
    import torch

    from ..common import torch_onnx

    config = model.config
    example = {name: torch.from_numpy(array) for name, array in encode(tokenizer, check_texts[:BATCH_SIZE]).items()}
    return torch_onnx.export(
        model,
        example,
        {name: {0: "batch", 1: "tokens"} for name in INPUTS},
        Path(model_dir) / onnx_model.ONNX_FILE,
        {"labels": [config.id2label[i] for i in range(config.num_labels)]},
    )


class OnnxTextClassifier:
    runtime = onnx_model.ONNX_RUNTIME

    def __init__(self, path: Path, tokenizer_dir: Path) -> None:
        from transformers import AutoTokenizer

        self.session = onnx_model.session(path)
        self.labels = onnx_model.metadata(self.session)["labels"]
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)

    def probabilities(self, texts) -> pd.DataFrame:
        """One row per text, one column per label (in the model's label order)."""
        texts = ["" if not isinstance(t, str) else t for t in texts]
        chunks = [
            self.session.run(None, encode(self.tokenizer, texts[start : start + BATCH_SIZE]))[0]
            for start in range(0, len(texts), BATCH_SIZE)
        ]
        scores = np.concatenate(chunks) if chunks else np.zeros((0, len(self.labels)))
        return pd.DataFrame(scores, columns=self.labels)


def load(model_dir: Path) -> OnnxTextClassifier | None:
    path = onnx_model.onnx_path(model_dir)
    return OnnxTextClassifier(path, Path(model_dir) / TOKENIZER_DIR) if path else None
