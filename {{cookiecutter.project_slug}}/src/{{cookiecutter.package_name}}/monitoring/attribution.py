"""Feature attribution drift for the drift report: does the model rely on the same features as in training?

The same question as the Azure ML monitor's feature_attribution_drift signal, answered the same way: feature
importance on the training data (with its target) against importance on production data, compared as rankings
with the normalized discounted cumulative gain (NDCG; 1 = the same order of importance). Importance here is
scikit-learn's permutation importance of the champion (how much ROC AUC falls when one feature is shuffled),
which works for any model. On production data the target is the delayed labels where they have arrived
(monitoring.quality.labels, joined on the application id), else the model's own predictions, as the Azure
signal does with the collected outputs: importance then says what drives the predictions, not what is right.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import accuracy_score, ndcg_score, roc_auc_score
from threadpoolctl import threadpool_limits

from ..tabular import scoring
from ..tabular.contract import load_contract, validate

REFERENCE_ROWS = 1000  # a sample of the training data is enough to rank a dozen features
MIN_LABELS = 50
REPEATS = 3
SEED = 0


def _score(model, features: pd.DataFrame, target: pd.Series) -> float:
    """ROC AUC (two classes) or accuracy, from the model's own outputs: a callable scorer, because
    scikit-learn's named scorers accept only its own classifiers, not the ONNX Runtime model that serves."""
    if target.nunique() == 2:
        return float(roc_auc_score(target, model.predict_proba(features)[:, 1]))
    return float(accuracy_score(target, model.predict(features)))


class _Trained:
    """The served model (scikit-learn or ONNX Runtime) as permutation_importance accepts it: its parameter check
    wants an object with ``fit``, which it never calls."""

    def __init__(self, model) -> None:
        self.model = model

    def fit(self, *_):
        raise NotImplementedError("the model is already trained")

    def predict(self, features: pd.DataFrame):
        return self.model.predict(features)

    def predict_proba(self, features: pd.DataFrame):
        return self.model.predict_proba(features)


def importances(model, features: pd.DataFrame, target: pd.Series) -> pd.Series:
    # One thread: 36 predictions of a thousand rows each gain nothing from OpenMP's pool, and its idle
    # threads cost seven times the CPU time on a busy machine (measured: 6.4 s against 0.9 s).
    with threadpool_limits(1):
        found = permutation_importance(
            _Trained(model), features, target, scoring=_score, n_repeats=REPEATS, random_state=SEED, n_jobs=1
        )
    return pd.Series(found.importances_mean, index=features.columns).round(6)


def _current_target(
    model, rows: pd.DataFrame, labels: Path | None, label_column: str
) -> tuple[pd.DataFrame, pd.Series, str]:
    contract = load_contract()
    if labels is not None and Path(labels).is_file() and contract.id_column in rows.columns:
        known = pd.read_csv(labels, dtype={"correlation_id": str})
        if {"correlation_id", label_column} <= set(known.columns):
            joined = rows.assign(_id=rows[contract.id_column].astype(str)).merge(
                known[["correlation_id", label_column]].rename(columns={label_column: "_label"}),
                left_on="_id",
                right_on="correlation_id",
            )
            if len(joined) >= MIN_LABELS and joined["_label"].nunique() == 2:
                return joined, joined["_label"].astype(int), f"delayed labels ({len(joined)} rows of {labels})"
    predicted = pd.Series(model.predict(rows[contract.feature_names]), index=rows.index)
    return rows, predicted, "the model's predictions (no delayed labels for these rows)"


def compare(model, reference_path: Path, current_path: Path, labels: Path | None, threshold: float) -> dict:
    contract = load_contract()
    features = contract.feature_names
    reference = validate(scoring._read_training(Path(reference_path)), require_target=True).valid
    reference = reference.sample(min(REFERENCE_ROWS, len(reference)), random_state=SEED)
    current = validate(scoring._read_all(Path(current_path)), require_target=False).valid
    rows, target, target_source = _current_target(model, current, labels, contract.target.name)
    training = importances(model, reference[features], reference[contract.target.name].astype(int))
    production = importances(model, rows[features], target)
    # Relevance must not be negative: a feature whose shuffling helps has no importance at all.
    ndcg = float(ndcg_score([np.clip(training.to_numpy(), 0, None)], [production.to_numpy()]))
    return {
        "ndcg": round(ndcg, 6),
        "threshold": threshold,
        "drifted": ndcg < threshold,
        "current_target": target_source,
        "method": "permutation importance (ROC AUC drop), rankings compared with NDCG",
        "training": training.sort_values(ascending=False).to_dict(),
        "production": production.reindex(training.sort_values(ascending=False).index).to_dict(),
    }


def markdown(result: dict) -> str:
    verdict = "ATTRIBUTION DRIFT" if result["drifted"] else "same features matter"
    lines = [
        "## Feature attribution drift",
        "",
        f"- {result['method']}; production target: {result['current_target']}",
        f"- **NDCG {result['ndcg']:.4f}** (threshold {result['threshold']}): {verdict}",
        "",
        "| feature | importance in training | importance in production |",
        "|---|---:|---:|",
    ]
    for feature, value in result["training"].items():
        lines.append(f"| {feature} | {value:.4f} | {result['production'][feature]:.4f} |")
    return "\n".join([*lines, ""])
