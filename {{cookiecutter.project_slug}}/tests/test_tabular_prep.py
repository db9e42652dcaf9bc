"""Prep: deterministic, disjoint splits; bad rows reported and counted; too many bad rows stop it."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.common import artifacts
from {{ cookiecutter.package_name }}.tabular import prep
from {{ cookiecutter.package_name }}.tabular.contract import REASON_COLUMN

from test_tabular_contract import SHIPPED, good_row


def test_split_is_stable_per_key_and_roughly_proportional():
    keys = pd.Series([f"APP-{i}" for i in range(4000)])
    first = prep.assign_split(keys, 0.15, 0.15)
    assert first.equals(prep.assign_split(keys.sample(frac=1, random_state=1).sort_index(), 0.15, 0.15))
    shares = first.value_counts(normalize=True)
    assert shares["train"] == pytest.approx(0.70, abs=0.03)
    assert shares["test"] == pytest.approx(0.15, abs=0.03)
    # Adding rows never moves an existing row to another split.
    more = prep.assign_split(pd.Series([f"APP-{i}" for i in range(5000)]), 0.15, 0.15)
    assert more.iloc[:4000].equals(first)


def test_split_fractions_are_checked():
    with pytest.raises(ValueError, match="fractions"):
        prep.assign_split(pd.Series(["a"]), 0.5, 0.6)


def test_prep_writes_splits_schema_report_and_rejected_rows(tmp_path):
    report = prep.prep(SHIPPED, tmp_path)
    splits = {name: pd.read_csv(artifacts.split_path(tmp_path, name)) for name in artifacts.SPLITS}
    ids = [set(frame["application_id"]) for frame in splits.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    assert sum(len(frame) for frame in splits.values()) == report["rows_valid"] == 5000
    assert report["rows_rejected"] == 12
    assert sum(report["rejected_by_rule"].values()) == 12
    rejected = pd.read_csv(tmp_path / artifacts.REJECTED_FILE)
    assert len(rejected) == 12 and rejected[REASON_COLUMN].notna().all()
    assert artifacts.read_json(tmp_path / artifacts.SCHEMA_FILE)["target"] == "defaulted"
    again = prep.prep(SHIPPED, tmp_path / "again")
    assert again["split_rows"] == report["split_rows"]
    assert pd.read_csv(tmp_path / "again" / "test.csv").equals(splits["test"])


def test_too_many_bad_rows_fail_the_step_with_a_report(tmp_path, capsys):
    rows = [good_row(application_id=f"APP-{i}") for i in range(18)] + [good_row(age="5"), good_row(age="6")]
    raw = tmp_path / "raw.csv"
    pd.DataFrame(rows).to_csv(raw, index=False)
    assert prep.main(["--input", str(raw), "--output", str(tmp_path / "out")]) == 1
    assert "2 of 20 rows broke the contract (10.0% > 5.0% allowed)" in capsys.readouterr().out
    report = artifacts.read_json(tmp_path / "out" / artifacts.PREP_REPORT_FILE)
    assert report["rejected_by_rule"] == {"age: below 18": 2}
    assert not (tmp_path / "out" / "train.csv").exists()


def test_a_missing_column_fails_the_step_clearly(tmp_path, capsys):
    raw = tmp_path / "raw.csv"
    pd.DataFrame([good_row()]).drop(columns=["loan_amount"]).to_csv(raw, index=False)
    assert prep.main(["--input", str(raw), "--output", str(tmp_path / "out")]) == 1
    assert "loan_amount" in capsys.readouterr().out


def test_a_folder_of_csv_files_is_read_as_one_input(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    pd.DataFrame([good_row(application_id="A")]).to_csv(folder / "a.csv", index=False)
    pd.DataFrame([good_row(application_id="B")]).to_csv(folder / "b.csv", index=False)
    assert len(prep.read_raw(folder)) == 2
