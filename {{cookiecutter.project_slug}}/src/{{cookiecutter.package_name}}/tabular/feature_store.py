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

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..common import artifacts
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


# The feature_retrieval component writes the observations with their features as parquet under data/
# (Azure/azureml-assets assets/featurestore/components/src/retrieval.py).
RETRIEVED_DATA = "data"
OBSERVATIONS_FILE = "observations.parquet"


def observations(applications: pd.DataFrame) -> pd.DataFrame:
    """The applications as the feature store's join reads them: every raw cell kept as text, plus the
    application's timestamp as a timestamp under the feature set's timestamp column name
    (azureml-featurestore keys each observation by the index columns and a column named like it)."""
    frame = applications.copy()
    frame[history.EVENT_TIMESTAMP] = pd.to_datetime(frame[history.OBSERVATION_TIMESTAMP], errors="coerce")
    return frame


def read_retrieved(folder: Path) -> pd.DataFrame:
    """The feature_retrieval step's output as prep's raw input: the applications' text cells and the features,
    with history.DEFAULTS where the store had no value in reach (as the local join fills them)."""
    files = sorted((Path(folder) / RETRIEVED_DATA).rglob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no parquet file under {Path(folder) / RETRIEVED_DATA}")
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    frame = frame.drop(columns=[history.EVENT_TIMESTAMP], errors="ignore")
    text = [c for c in frame.columns if c not in history.DEFAULTS]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), "").astype(str)
    for name, default in history.DEFAULTS.items():
        frame[name] = frame[name].fillna(default).astype(type(default))
    return frame


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Write the applications as observations for the feature_retrieval step.")
    p.add_argument("--observations", type=Path, required=True, help="raw applications CSV file or folder")
    p.add_argument("--output", type=Path, required=True, help="folder for observations.parquet")
    args = p.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    observations(artifacts.read_text_table(args.observations)).to_parquet(args.output / OBSERVATIONS_FILE, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
