"""A tiny model for the serving and monitoring tests: trained in about a second, no `make loop` needed."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

import mlflow.sklearn
import pandas as pd

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.tabular import RAW_DATA, history, train
from {{ cookiecutter.package_name }}.tabular.contract import load_contract, validate

SHIPPED = PROJECT_ROOT / RAW_DATA
SHIPPED_HISTORY = PROJECT_ROOT / history.HISTORY_DATA


def shipped_rows(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    """Contract-valid rows of the shipped data (features, target and id)."""
    return _valid_shipped().sample(rows, random_state=seed).reset_index(drop=True)


@cache
def shipped_table() -> pd.DataFrame:
    """The shipped applications with their payment-history features (what a request carries), as pandas reads them."""
    return history.with_history(pd.read_csv(SHIPPED), history.read_history(SHIPPED_HISTORY)[0])


@cache
def _valid_shipped() -> pd.DataFrame:
    return validate(shipped_table()).valid


# Pinned requirements skip MLflow's slow probing of the model's imports (seconds per save).
SAVING = {"skops_trusted_types": train.SKOPS_TRUSTED_TYPES, "pip_requirements": ["scikit-learn", "mlflow"]}


@cache
def tiny_pipeline():
    rows = shipped_rows()
    contract = load_contract()
    pipeline = train.build_pipeline(learning_rate=0.1, max_iter=10, max_leaf_nodes=7, l2_regularization=1.0, seed=0)
    return pipeline.fit(rows[contract.feature_names], rows[contract.target.name])


@cache
def _saved_once() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tiny-model-")) / "model"
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    mlflow.sklearn.save_model(tiny_pipeline(), folder, **SAVING)
    return folder


def save_tiny_model(folder: Path) -> Path:
    """A copy of the tiny MLflow model in ``folder`` (trained and saved once per test session)."""
    shutil.copytree(_saved_once(), folder)
    return folder


def request_body(rows: pd.DataFrame) -> str:
    features = rows[load_contract().feature_names]
    return json.dumps({"data": json.loads(features.to_json(orient="records"))})
