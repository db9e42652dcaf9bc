"""The online score.py as Azure ML calls it: init() once, run() per request."""

import json
import logging

import pytest

from {{ cookiecutter.package_name }}.serving import score
from {{ cookiecutter.package_name }}.serving.model import MODEL_DIR_VARIABLE

from serving_helpers import request_body, save_tiny_model, shipped_rows


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    folder = save_tiny_model(tmp_path_factory.mktemp("model") / "model")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_DIR_VARIABLE, str(folder))
        score.init()
        yield score


def answer(response):
    return response.status_code, json.loads(response.get_data())


def test_good_rows_get_one_prediction_each(initialised):
    status, body = answer(initialised.run(request_body(shipped_rows(4))))
    assert status == 200
    assert len(body["predictions"]) == len(body["probabilities"]) == 4
    assert set(body["predictions"]) <= {0, 1}


def test_correlation_id_comes_from_the_request_header(initialised):
    response = initialised.run(request_body(shipped_rows(1)), {"x-request-id": "abc-123"})
    assert response.headers["x-correlation-id"] == "abc-123"
    assert json.loads(response.get_data())["correlation_id"] == "abc-123"


def test_bad_row_is_a_422_naming_the_field_not_a_500(initialised):
    body = json.loads(request_body(shipped_rows(2)))
    body["data"][0]["interest_rate"] = 95
    status, answer_body = answer(initialised.run(json.dumps(body)))
    assert status == 422
    assert answer_body["problems"] == [{"row": 0, "field": "interest_rate", "problem": "above 40"}]


def test_bad_json_is_a_400(initialised):
    status, body = answer(initialised.run("{'single': 'quotes'}"))
    assert status == 400
    assert "JSON" in body["error"]


def test_outside_azure_collection_degrades_to_a_log_line(initialised, caplog):
    assert not initialised.state["collection"].enabled
    with caplog.at_level(logging.INFO):
        initialised.run(request_body(shipped_rows(2)), {"x-request-id": "req-7"})
    assert any("req-7" in r.getMessage() and "data collection off" in r.getMessage() for r in caplog.records)
