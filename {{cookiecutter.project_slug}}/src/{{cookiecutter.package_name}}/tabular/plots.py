"""Diagnostic plots logged with every training run (files, so they open anywhere)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on CI runners or Azure ML nodes

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay


def confusion_matrix(y_true, y_pred, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=ax, colorbar=False)
    ax.set_title("Confusion matrix (validation)")
    return _save(fig, path)


def roc_curve(y_true, y_score, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    RocCurveDisplay.from_predictions(y_true, y_score, ax=ax)
    ax.set_title("ROC curve (validation)")
    return _save(fig, path)


def feature_importance(importance: pd.Series, path: Path) -> Path:
    ordered = importance.sort_values()
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(ordered) + 1))
    ax.barh(ordered.index, ordered.values)
    ax.set_xlabel("drop in ROC AUC when the feature is shuffled")
    ax.set_title("Permutation importance (validation)")
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
