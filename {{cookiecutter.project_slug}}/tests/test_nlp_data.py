"""The shipped tickets and samples are what the generator script writes: regenerating changes nothing."""

import importlib.util

import pandas as pd

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.nlp import RAW_DATA

FOLDER = PROJECT_ROOT / "data" / "nlp"


def generator():
    spec = importlib.util.spec_from_file_location("generate_tickets", FOLDER / "generate_tickets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_reproduces_the_shipped_tickets_byte_for_byte(tmp_path):
    output = tmp_path / "tickets.csv"
    assert generator().main(["--output", str(output)]) == 0
    assert output.read_bytes() == (PROJECT_ROOT / RAW_DATA).read_bytes()


def test_classes_overlap_in_vocabulary_so_the_task_is_not_trivial():
    tickets = pd.read_csv(PROJECT_ROOT / RAW_DATA, dtype=str, keep_default_na=False)
    counts = tickets["label"].value_counts()
    assert set(counts.index[:4]) == {"account", "billing", "shipping", "technical"}
    assert counts.iloc[:4].min() > 300
    account = tickets.loc[tickets["label"] == "account", "text"].str.lower()
    assert account.str.contains("order|charged|app|parcel").mean() > 0.1  # other classes' words appear


def test_the_drift_sample_has_longer_texts_and_no_labels():
    tickets = pd.read_csv(PROJECT_ROOT / RAW_DATA, dtype=str, keep_default_na=False)
    drift = pd.read_csv(FOLDER / "drift-sample.csv", dtype=str, keep_default_na=False)
    assert "label" not in drift.columns
    assert drift["text"].str.len().median() > 2 * tickets["text"].str.len().median()
