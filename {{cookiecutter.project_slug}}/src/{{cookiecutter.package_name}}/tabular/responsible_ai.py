"""Responsible AI hooks of the tabular scenario: groups from the data contract, permutation importance.

The data contract (``contract.yml``, ``sensitive_features``) declares which columns are sensitive and the
bands numbers are cut into; the other categorical columns and the credit score band are the segments error
analysis slices by.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import f1_score

from .contract import CONTRACT_PATH

# Error analysis slices by these as well as by the sensitive features.
SEGMENT_BANDS = {"credit_score": [300, 580, 670, 740, 800, 851]}
PERMUTATION_REPEATS = 3
SEED = 0


def sensitive_features() -> dict[str, dict]:
    raw = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    return {spec["name"]: spec for spec in raw.get("sensitive_features", [])}


SENSITIVE = tuple(f"{name}_band" if spec.get("bands") else name for name, spec in sensitive_features().items())
GROUPING_NOTE = (
    "Groups come from `sensitive_features` in the data contract (src/.../tabular/contract.yml). The shipped data "
    "has no sex or ethnicity column; add yours there."
)


def band(values: pd.Series, edges: list[float]) -> pd.Series:
    labels = [f"{low}-{high - 1}" for low, high in itertools.pairwise(edges)]
    return pd.cut(values, bins=edges, labels=labels, right=False).astype(str)


def segments(features: pd.DataFrame) -> pd.DataFrame:
    columns = {}
    for name, spec in sensitive_features().items():
        columns[f"{name}_band" if spec.get("bands") else name] = (
            band(features[name], spec["bands"]) if spec.get("bands") else features[name].astype(str)
        )
    for name, edges in SEGMENT_BANDS.items():
        columns[f"{name}_band"] = band(features[name], edges)
    for name in features.columns:
        if features[name].dtype == object or str(features[name].dtype) == "category":
            columns.setdefault(name, features[name].astype(str))
    return pd.DataFrame(columns, index=features.index)


def explain(predict, features: pd.DataFrame, target: pd.Series) -> dict:
    """Global permutation importance: how much macro-F1 drops when one column's values are shuffled."""
    rng = np.random.default_rng(SEED)
    baseline = f1_score(target, predict(features), average="macro", zero_division=0)
    shuffled = []
    for column in features.columns:
        for _ in range(PERMUTATION_REPEATS):
            copy = features.copy()
            copy[column] = rng.permutation(copy[column].to_numpy())
            shuffled.append(copy)
    # One call for every shuffled copy: a model's fixed cost per call (schema checks, threads) is paid once.
    predicted = np.asarray(predict(pd.concat(shuffled, ignore_index=True))).reshape(len(shuffled), len(features))
    rows = []
    for number, column in enumerate(features.columns):
        drops = [
            baseline - f1_score(target, predicted[number * PERMUTATION_REPEATS + r], average="macro", zero_division=0)
            for r in range(PERMUTATION_REPEATS)
        ]
        importance, spread = round(float(np.mean(drops)), 4), round(float(np.std(drops)), 4)
        rows.append({"feature": column, "importance": importance, "std": spread})
    rows.sort(key=lambda r: -r["importance"])
    return {
        "method": "permutation importance",
        "note": (
            f"Drop in test f1_macro when one column is shuffled ({PERMUTATION_REPEATS} repeats; "
            "0 = the model does not use it). Global, model-agnostic."
        ),
        "columns": ["feature", "importance", "std"],
        "rows": rows,
    }
