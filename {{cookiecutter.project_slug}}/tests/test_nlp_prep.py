"""NLP prep on the shipped tickets: bad rows rejected with reasons, a stratified and repeatable split."""

import json

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.common import artifacts
from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.nlp import RAW_DATA, prep

SHIPPED = PROJECT_ROOT / RAW_DATA


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    output = tmp_path_factory.mktemp("prepared")
    assert prep.main(["--input", str(SHIPPED), "--output", str(output)]) == 0
    return output


def test_the_broken_shipped_rows_are_rejected_each_with_its_reason(prepared):
    rejected = pd.read_csv(prepared / artifacts.REJECTED_FILE, dtype=str, keep_default_na=False)
    report = json.loads((prepared / artifacts.PREP_REPORT_FILE).read_text())
    assert report["rows_rejected"] == len(rejected) == 6
    assert report["rejected_by_rule"] == {"text empty": 2, "label missing": 1, "label unknown": 2, "text too long": 1}
    reasons = dict(zip(rejected["label"], rejected["reason"], strict=False))
    assert "'tech support' is not one of account, billing, shipping, technical" in reasons["tech support"]
    assert reasons["Account"].startswith("label:")  # labels are case-sensitive: "Account" is a typo
    assert any("characters, at most 2000 allowed" in r for r in rejected["reason"])


def test_splits_keep_every_class_share_and_the_schema_names_text_and_label(prepared):
    schema = json.loads((prepared / artifacts.SCHEMA_FILE).read_text())
    assert (schema["features"], schema["target"]) == (["text"], "label")
    assert schema["labels"] == ["account", "billing", "shipping", "technical"]
    shares = {}
    for split in artifacts.SPLITS:
        features, target = artifacts.read_split(prepared, split)
        assert list(features.columns) == ["text"]
        shares[split] = target.value_counts(normalize=True)
    for split in ("val", "test"):
        assert (shares[split] - shares["train"]).abs().max() < 0.02, split


def test_the_same_input_gives_the_same_split(prepared, tmp_path):
    assert prep.main(["--input", str(SHIPPED), "--output", str(tmp_path)]) == 0
    for split in artifacts.SPLITS:
        name = f"{split}.csv"
        assert (tmp_path / name).read_bytes() == (prepared / name).read_bytes(), split


def test_mostly_broken_data_stops_the_pipeline(tmp_path, capsys):
    raw = tmp_path / "raw.csv"
    pd.DataFrame({"text": ["fine ticket", "", " ", "another"] * 10, "label": ["billing"] * 40}).to_csv(raw, index=False)
    assert prep.main(["--input", str(raw), "--output", str(tmp_path / "out")]) == 1
    assert "20 of 40 rows are invalid (50.0% > 5.0% allowed)" in capsys.readouterr().out


def test_own_labels_are_accepted_when_the_label_list_is_emptied(tmp_path):
    raw = tmp_path / "raw.csv"
    labels = ["praise", "complaint"] * 30
    pd.DataFrame({"text": [f"text number {i}" for i in range(60)], "label": labels}).to_csv(raw, index=False)
    assert prep.main(["--input", str(raw), "--output", str(tmp_path / "default")]) == 1  # unknown labels
    assert prep.main(["--input", str(raw), "--output", str(tmp_path / "own"), "--labels", ""]) == 0
    schema = json.loads((tmp_path / "own" / artifacts.SCHEMA_FILE).read_text())
    assert schema["labels"] == ["complaint", "praise"]


def test_a_file_without_a_text_column_is_a_clear_error(tmp_path, capsys):
    raw = tmp_path / "raw.csv"
    pd.DataFrame({"message": ["hello"], "label": ["billing"]}).to_csv(raw, index=False)
    assert prep.main(["--input", str(raw), "--output", str(tmp_path / "out")]) == 1
    assert "lacks the column(s) ['text']" in capsys.readouterr().out
