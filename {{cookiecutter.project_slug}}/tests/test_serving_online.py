"""The online score.py as Azure ML calls it: init() once, run() per request."""

import json
import logging

import mlflow.sklearn
import pytest

from {{ cookiecutter.package_name }}.serving import score
from {{ cookiecutter.package_name }}.serving.model import MODEL_DIR_VARIABLE
from {{ cookiecutter.package_name }}.tabular import export_onnx

from serving_helpers import request_body, save_tiny_model, shipped_rows


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    folder = save_tiny_model(tmp_path_factory.mktemp("model") / "model")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_DIR_VARIABLE, str(folder))
        score.init()
        yield score


# The server passes run() the request's headers as a dict, with Flask's capitalisation
# (azureml-inference-server-http 1.5, server/user_script.py: request_headers=dict(request.headers)).
JSON = {"Content-Type": "application/json"}


def answer(response):
    return response.status_code, json.loads(response.get_data())


def test_good_rows_get_one_prediction_each(initialised):
    status, body = answer(initialised.run(request_body(shipped_rows(4)), JSON))
    assert status == 200
    assert len(body["predictions"]) == len(body["probabilities"]) == 4
    assert set(body["predictions"]) <= {0, 1}


def test_correlation_id_comes_from_the_request_header(initialised):
    response = initialised.run(request_body(shipped_rows(1)), {**JSON, "x-request-id": "abc-123"})
    assert response.headers["x-correlation-id"] == "abc-123"
    assert json.loads(response.get_data())["correlation_id"] == "abc-123"


def test_bad_row_is_a_422_naming_the_field_not_a_500(initialised):
    body = json.loads(request_body(shipped_rows(2)))
    body["data"][0]["interest_rate"] = 95
    status, answer_body = answer(initialised.run(json.dumps(body), JSON))
    assert status == 422
    assert answer_body["problems"] == [{"row": 0, "field": "interest_rate", "problem": "above 40"}]


def test_bad_json_is_a_400(initialised):
    status, body = answer(initialised.run("{'single': 'quotes'}", JSON))
    assert status == 400
    assert "JSON" in body["error"]


def test_outside_azure_collection_degrades_to_a_log_line(initialised, caplog):
    assert not initialised.state["collection"].enabled
    with caplog.at_level(logging.INFO):
        initialised.run(request_body(shipped_rows(2)), {**JSON, "x-request-id": "req-7"})
    assert any("req-7" in r.getMessage() and "data collection off" in r.getMessage() for r in caplog.records)


def _one_row(**changes) -> dict:
    body = json.loads(request_body(shipped_rows(1)))
    body["data"][0].update(changes)
    return body


def _with_literal(field: str, literal: str) -> str:
    """A one-row body whose ``field`` holds ``literal`` verbatim (JSON that json.dumps would not write)."""
    return json.dumps(_one_row(**{field: 0})).replace(f'"{field}": 0', f'"{field}": {literal}')


HOSTILE = {
    # Each of these answered 500 or 200 before (issue 14, failure 4); the README's request contract lists them.
    "400-digit integer": (_with_literal("age", "9" * 400), JSON, 400),
    "float overflowing to infinity": (_with_literal("annual_income", "1e400"), JSON, 400),
    "NaN literal": (_with_literal("annual_income", "NaN"), JSON, 400),
    "JSON nested 10,000 deep": ('{"data": ' + "[" * 10_000 + "]" * 10_000 + "}", JSON, 400),
    "lone surrogate escape": (json.dumps(_one_row(home_ownership="\udcff")), JSON, 400),
    "text/plain": (request_body(shipped_rows(1)), {"Content-Type": "text/plain"}, 415),
    "no content type": (request_body(shipped_rows(1)), {}, 415),
    "JSON in Latin-1": (request_body(shipped_rows(1)), {"Content-Type": "application/json; charset=latin-1"}, 415),
    '"41" for an integer': (json.dumps(_one_row(age="41")), JSON, 422),
    "true for an integer": (json.dumps(_one_row(age=True)), JSON, 422),
    "unknown field in a row": (json.dumps(_one_row(favourite_colour="blue")), JSON, 422),
    "unknown top-level field": (json.dumps({**_one_row(), "debug": True}), JSON, 422),
    "duplicate key": (json.dumps(_one_row(age=41))[:-3] + ', "age": 42}]}', JSON, 422),
}


@pytest.mark.parametrize(("raw", "headers", "status"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_requests_get_a_clear_4xx(initialised, raw, headers, status):
    answered, body = answer(initialised.run(raw, headers))
    assert answered == status, body
    assert body["error"] and body["correlation_id"]


def test_charset_utf8_and_an_integral_float_are_fine(initialised):
    headers = {"content-type": "application/json; charset=UTF-8"}
    status, body = answer(initialised.run(json.dumps(_one_row(age=41.0)), headers))
    assert status == 200, body


def test_init_serves_the_onnx_copy_when_the_folder_has_one_and_says_which(tmp_path, monkeypatch, capsys):
    folder = save_tiny_model(tmp_path / "model")
    monkeypatch.setenv(MODEL_DIR_VARIABLE, str(folder))
    score.init()
    assert "served by mlflow" in capsys.readouterr().out
    rows = shipped_rows(20)
    expected = answer(score.run(request_body(rows), JSON))[1]
    export_onnx.export(mlflow.sklearn.load_model(str(folder)), folder, rows)
    score.init()
    assert "served by onnxruntime" in capsys.readouterr().out
    got = answer(score.run(request_body(rows), JSON))[1]
    assert got["predictions"] == expected["predictions"]
    assert max(abs(a - b) for a, b in zip(got["probabilities"], expected["probabilities"], strict=True)) < 1e-4
