"""The MLflow model of the NLP scenario: a transformers classifier behind MLflow's pyfunc interface.

Saved as code ("models from code"): MLflow copies this file into the model folder and runs it when
the model is loaded, so the model needs torch and transformers but not this project's package,
and nothing is pickled. The tokenizer and weights are the model's ``classifier`` artifact (a
``save_pretrained`` folder).

``predict`` takes a frame with a ``text`` column and returns the predicted labels, which is what
the evaluate step and ``mlflow models serve`` use; ``probabilities`` gives every class's probability
for the scoring scripts (``nlp.scoring``).
"""

from __future__ import annotations

import mlflow.models
import numpy as np
import pandas as pd
import torch
from mlflow.pyfunc import PythonModel
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as transformers_logging

ARTIFACT = "classifier"
TEXT_COLUMN = "text"
# Texts scored per forward pass: bounds memory on long batch files, keeps small requests one pass.
BATCH_SIZE = 64

transformers_logging.disable_progress_bar()


class TextClassifier(PythonModel):
    def load_context(self, context) -> None:
        self.load(context.artifacts[ARTIFACT])

    def load(self, folder: str) -> None:
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForSequenceClassification.from_pretrained(folder).to(self.device).eval()
        config = self.model.config
        self.labels = [config.id2label[i] for i in range(config.num_labels)]

    def probabilities(self, texts) -> pd.DataFrame:
        """One row per text, one column per label (in the model's label order)."""
        # Scoring validates texts first; here a missing value must not crash a whole evaluation.
        texts = ["" if not isinstance(t, str) else t for t in texts]
        chunks = []
        with torch.no_grad():
            for start in range(0, len(texts), BATCH_SIZE):
                encoded = self.tokenizer(
                    texts[start : start + BATCH_SIZE], truncation=True, padding=True, return_tensors="pt"
                )
                inputs = {k: v.to(self.device) for k, v in encoded.items() if k in ("input_ids", "attention_mask")}
                chunks.append(torch.softmax(self.model(**inputs).logits, dim=-1).cpu().numpy())
        scores = np.concatenate(chunks) if chunks else np.zeros((0, len(self.labels)))
        return pd.DataFrame(scores, columns=self.labels)

    def predict(self, context, model_input: pd.DataFrame, params=None):
        texts = model_input[TEXT_COLUMN] if isinstance(model_input, pd.DataFrame) else model_input
        scores = self.probabilities(list(texts))
        return scores.idxmax(axis=1).to_numpy() if len(scores) else np.array([], dtype=object)


mlflow.models.set_model(TextClassifier())
