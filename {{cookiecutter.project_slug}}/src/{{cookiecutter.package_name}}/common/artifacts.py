"""What each step writes, so that steps (and scenarios) plug together by folder, locally and on Azure ML.

- prep    -> ``<prepared>/{train,val,test}.csv`` + ``schema.json`` (feature and target columns)
             + ``prep_report.json`` (+ ``rejected.csv`` when rows failed validation)
- train   -> ``<trained>/model/`` (an MLflow model) + ``train_info.json`` (run id, model URI, metrics)
- evaluate-> ``<decision>/decision.json``
- register-> ``<registration>/registration.json``

An Azure ML component output is a folder, so every step output is a folder too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

SPLITS = ("train", "val", "test")
SCHEMA_FILE = "schema.json"
PREP_REPORT_FILE = "prep_report.json"
REJECTED_FILE = "rejected.csv"
MODEL_DIR = "model"
TRAIN_INFO_FILE = "train_info.json"
DECISION_FILE = "decision.json"
REGISTRATION_FILE = "registration.json"


def write_json(path: Path, payload: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_json(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: did the previous step write its output there?")
    return json.loads(path.read_text(encoding="utf-8"))


def split_path(prepared: Path, split: str) -> Path:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: expected one of {SPLITS}")
    return Path(prepared) / f"{split}.csv"


def read_split(prepared: Path, split: str) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target of one split, with the columns prep recorded in ``schema.json``."""
    schema = read_json(Path(prepared) / SCHEMA_FILE)
    frame = pd.read_csv(split_path(prepared, split), dtype=schema.get("dtypes"))
    return frame[schema["features"]], frame[schema["target"]]


def read_text_table(path: Path) -> pd.DataFrame:
    """A raw CSV file, or every CSV file of a folder, with every cell read as text and nothing turned
    into NaN: the scenario's validation, not pandas, decides what is missing or malformed."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise FileNotFoundError(f"no .csv file in {path}")
        return pd.concat([read_text_table(f) for f in files], ignore_index=True)
    return pd.read_csv(path, dtype=str, keep_default_na=False)
