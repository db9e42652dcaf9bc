"""Request checks: good rows pass typed, bad input becomes a 4xx that names the field."""

import json

import pytest

from {{ cookiecutter.package_name }}.serving.checks import check, typed_records
from {{ cookiecutter.package_name }}.serving.payload import MAX_ROWS, RequestError, rows_from_request
from {{ cookiecutter.package_name }}.tabular.contract import load_contract, validate

from serving_helpers import request_body, shipped_rows, shipped_table


def test_many_rows_come_back_typed_in_contract_order():
    frame = rows_from_request(request_body(shipped_rows(5)))
    assert list(frame.columns) == load_contract().feature_names
    assert len(frame) == 5
    assert frame["age"].dtype == "int64"


def test_azure_ml_split_format_is_accepted():
    rows = shipped_rows(2)[load_contract().feature_names]
    body = {"input_data": {"columns": list(rows.columns), "data": json.loads(rows.to_json(orient="values"))}}
    assert len(rows_from_request(json.dumps(body))) == 2


def error_of(body) -> RequestError:
    with pytest.raises(RequestError) as caught:
        rows_from_request(body if isinstance(body, str) else json.dumps(body))
    return caught.value


def test_bad_json_is_a_400():
    error = error_of("{not json")
    assert error.status == 400
    assert "not valid JSON" in error.message


@pytest.mark.parametrize("body", [[1, 2], {"rows": []}, {"data": "x"}, {"data": []}])
def test_wrong_shape_is_a_400(body):
    assert error_of(body).status == 400


def test_out_of_range_value_is_a_422_naming_row_and_field():
    body = json.loads(request_body(shipped_rows(3)))
    body["data"][1]["age"] = 12
    error = error_of(body)
    assert error.status == 422
    assert "age" in error.message
    assert error.body()["problems"] == [{"row": 1, "field": "age", "problem": "below 18"}]


def test_missing_column_is_a_422_naming_it():
    body = json.loads(request_body(shipped_rows(1)))
    del body["data"][0]["credit_score"]
    error = error_of(body)
    assert error.status == 422
    assert {"field": "credit_score", "problem": "missing column"} in error.problems


def test_unknown_category_and_text_number_are_named():
    body = json.loads(request_body(shipped_rows(1)))
    body["data"][0]["home_ownership"] = "CASTLE"
    body["data"][0]["loan_amount"] = "lots"
    fields = {p["field"] for p in error_of(body).problems}
    assert fields == {"home_ownership", "loan_amount"}


def test_too_many_rows_is_a_413():
    row = json.loads(request_body(shipped_rows(1)))["data"][0]
    assert error_of({"data": [row] * (MAX_ROWS + 1)}).status == 413


def test_value_of_the_wrong_json_type_is_a_422():
    body = json.loads(request_body(shipped_rows(1)))
    body["data"][0]["age"] = [41]
    assert error_of(body).status == 422


def test_quick_checks_agree_with_the_contract_on_the_shipped_data():
    # The shipped file has deliberately broken rows: the quick paths must reject at least those.
    frame = shipped_table().drop(columns=[load_contract().target.name])
    expected = validate(frame, require_target=False).rejected.index
    assert len(expected) > 0
    checked = check(frame)
    assert list(checked.rejected.index) == list(expected)
    assert len(checked.valid) + len(expected) == len(frame)
    records = json.loads(frame.to_json(orient="records"))
    quick_ok = [i for i, r in enumerate(records) if typed_records([r]) is not None]
    assert not set(quick_ok) & set(expected)  # never waves through a row the contract rejects
