"""Local feature retrieval: what Azure ML's ``get_offline_features`` does with the payment_history feature set.

The feature set's specification (featurestore/featuresets/payment_history/spec/FeatureSetSpec.yaml) is
read here as it is in the feature store: its index column, timestamp column, features and
``temporal_join_lookback`` decide the join. The transformation is ``history.transform``, the pandas twin
of the spec's Spark transformer; tests/test_feature_store.py runs azureml-featurestore's own
``get_offline_features`` on the same spec when it is installed and finds the same values. Like the
feature store, an observation without a feature value in reach gets none; the defaults of
``history.DEFAULTS`` then fill it, as prep does after Azure ML's retrieval.

    prep (local loop) -> get_offline_features(applications, repayments)   # this module
    prep (Azure ML)   -> the feature retrieval step's output, joined already (mlops/azureml/train/pipeline.yml)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..config import PROJECT_ROOT
from . import history

SPEC = PROJECT_ROOT / "featurestore" / "featuresets" / "payment_history" / "spec" / "FeatureSetSpec.yaml"


@dataclass(frozen=True)
class FeatureSetSpec:
    index_columns: tuple[str, ...]
    timestamp_column: str
    features: dict[str, str]
    source_lookback_days: float
    temporal_join_lookback_days: float
    transformer_class: str


def _days(offset: dict | None) -> float:
    offset = offset or {}
    return offset.get("days", 0) + offset.get("hours", 0) / 24 + offset.get("minutes", 0) / 1440


def load_spec(path: Path = SPEC) -> FeatureSetSpec:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    code = (raw.get("feature_transformation") or {}).get("transformation_code") or {}
    return FeatureSetSpec(
        index_columns=tuple(column["name"] for column in raw["index_columns"]),
        timestamp_column=raw["source"]["timestamp_column"]["name"],
        features={feature["name"]: feature["type"] for feature in raw["features"]},
        source_lookback_days=_days(raw.get("source_lookback")),
        temporal_join_lookback_days=_days(raw.get("temporal_join_lookback")),
        transformer_class=code.get("transformer_class", ""),
    )


def check_spec(spec: FeatureSetSpec) -> None:
    """The spec and the local transformation describe the same features (else training here and there differ)."""
    problems = []
    if spec.index_columns != (history.ENTITY,):
        problems.append(f"index columns {spec.index_columns} != ({history.ENTITY!r},)")
    if spec.timestamp_column != history.EVENT_TIMESTAMP:
        problems.append(f"timestamp column {spec.timestamp_column!r} != {history.EVENT_TIMESTAMP!r}")
    if list(spec.features) != history.FEATURES:
        problems.append(f"features {list(spec.features)} != {history.FEATURES}")
    if spec.source_lookback_days < history.WINDOW_DAYS:
        days = spec.source_lookback_days
        problems.append(f"source_lookback of {days} days is shorter than the {history.WINDOW_DAYS}-day window")
    if problems:
        raise ValueError(f"{SPEC.name} and tabular/history.py disagree: " + "; ".join(problems))


def get_offline_features(
    observations: pd.DataFrame,
    repayments: pd.DataFrame,
    timestamp_column: str = history.OBSERVATION_TIMESTAMP,
    spec: FeatureSetSpec | None = None,
) -> pd.DataFrame:
    """``observations`` with the feature set's features as of each row's timestamp (point in time)."""
    spec = spec or load_spec()
    check_spec(spec)
    return history.point_in_time_join(
        observations,
        history.transform(repayments),
        timestamp_column=timestamp_column,
        lookback_days=spec.temporal_join_lookback_days,
    )
