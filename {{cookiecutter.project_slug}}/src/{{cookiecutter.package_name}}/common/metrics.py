"""Classification metrics shared by every scenario (tabular, images, texts are all classifiers)."""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

# The metric the champion/challenger gate compares by default: defined for any number of classes
# and not fooled by class imbalance the way accuracy is.
GATE_METRIC = "f1_macro"


def classification_metrics(y_true, y_pred, y_score=None) -> dict[str, float]:
    """Scores from predicted labels; ``y_score`` (probability of the positive class) adds ROC AUC."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    result = {
        "accuracy": skm.accuracy_score(y_true, y_pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
        "f1_macro": skm.f1_score(y_true, y_pred, average="macro", zero_division=0),
        "precision_macro": skm.precision_score(y_true, y_pred, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y_true, y_pred, average="macro", zero_division=0),
    }
    if y_score is not None and len(np.unique(y_true)) == 2:
        result["roc_auc"] = skm.roc_auc_score(y_true, y_score)
    return {name: round(float(value), 6) for name, value in result.items()}
