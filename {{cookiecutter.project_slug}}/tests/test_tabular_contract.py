"""The data contract: every rule rejects with a reason and a count; valid rows come out typed."""

import subprocess
import sys

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.tabular.contract import REASON_COLUMN, ContractError, load_contract, validate
from {{ cookiecutter.package_name }}.tabular.history import read_history, with_history
from {{ cookiecutter.package_name }}.tabular.prep import read_raw

SHIPPED = PROJECT_ROOT / "data" / "credit_default.csv"
SHIPPED_HISTORY = PROJECT_ROOT / "data" / "payment_history.csv"


def joined(applications, history=SHIPPED_HISTORY):
    """Applications with their payment-history features, as prep validates them."""
    return with_history(read_raw(applications), read_history(history)[0])


def good_row(**changes) -> dict:
    row = {
        "application_id": "APP-1",
        "applicant_id": "CUS-1",
        "application_timestamp": "2024-05-01",
        "age": "35",
        "annual_income": "52000.0",
        "employment_years": "6",
        "home_ownership": "RENT",
        "loan_purpose": "car",
        "loan_amount": "12000",
        "loan_term_months": "36",
        "interest_rate": "9.5",
        "credit_score": "710",
        "debt_to_income": "0.31",
        "num_open_accounts": "5",
        "num_late_payments_2y": "0",
        "history_payments_90d": "0",
        "history_max_days_late_90d": "0",
        "history_paid_ratio_90d": "1.0",
        "defaulted": "0",
    }
    return {**row, **changes}


def test_contract_describes_features_and_target():
    contract = load_contract()
    assert contract.target.name == "defaulted"
    assert "credit_score" in contract.feature_names
    assert contract.target.name not in contract.feature_names
    assert set(contract.columns_of_type("category")) == {"home_ownership", "loan_purpose"}


def test_valid_rows_are_kept_and_typed():
    result = validate(pd.DataFrame([good_row(), good_row(application_id="APP-2", age="60")]))
    assert len(result.valid) == 2 and result.rejected.empty
    assert result.valid["age"].dtype == "int64"
    assert result.valid["annual_income"].dtype == "float64"


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"annual_income": ""}, "annual_income: missing"),
        ({"age": "17"}, "age: below 18"),
        ({"credit_score": "851"}, "credit_score: above 850"),
        ({"home_ownership": "rent"}, "home_ownership: not one of"),
        ({"loan_term_months": "18"}, "loan_term_months: not one of"),
        ({"debt_to_income": "n/a"}, "debt_to_income: not a number"),
        ({"num_late_payments_2y": "1.5"}, "num_late_payments_2y: not a whole number"),
        ({"defaulted": "2"}, "defaulted: not one of"),
    ],
)
def test_each_broken_rule_is_reported_with_a_count(change, rule):
    result = validate(pd.DataFrame([good_row(), good_row(**change)]))
    assert len(result.valid) == 1 and len(result.rejected) == 1
    assert result.rejected[REASON_COLUMN].iloc[0].startswith(rule)
    assert [count for name, count in result.by_rule.items() if name.startswith(rule)] == [1]


def test_a_row_breaking_two_rules_names_both():
    result = validate(pd.DataFrame([good_row(age="12", credit_score="100")]))
    assert result.rejected[REASON_COLUMN].iloc[0] == "age: below 18; credit_score: below 300"
    assert result.report()["rows_rejected"] == 1


def test_missing_column_is_a_contract_error():
    frame = pd.DataFrame([good_row()]).drop(columns=["credit_score"])
    with pytest.raises(ContractError, match="credit_score"):
        validate(frame)


def test_scoring_input_needs_no_target_and_extra_columns_are_reported():
    frame = pd.DataFrame([good_row(note="x")]).drop(columns=["defaulted"])
    result = validate(frame, require_target=False)
    assert len(result.valid) == 1
    assert result.ignored_columns == ["note"]


def test_shipped_data_has_thousands_of_rows_and_only_the_documented_bad_ones():
    result = validate(joined(SHIPPED))
    assert len(result.valid) >= 5000
    assert len(result.rejected) == 12  # the deliberately broken rows described in data/README.md
    assert 0.1 < result.valid["defaulted"].mean() < 0.3


def test_generator_output_matches_the_contract(tmp_path):
    out = tmp_path / "sample.csv"
    script = PROJECT_ROOT / "data" / "generate_credit_data.py"
    subprocess.run([sys.executable, str(script), "--rows", "300", "--output", str(out)], check=True)
    history = out.with_name("payment_history.csv")
    assert read_history(history)[1]["rows_rejected"] == 0  # the second source honours its own contract
    result = validate(joined(out, history))
    assert len(result.valid) == 300 and len(result.rejected) == 12
