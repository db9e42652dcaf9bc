"""Online scoring script: Azure ML's ``init()``/``run()`` contract, served by azureml-inference-server-http.

The same file runs on the managed online endpoint and locally (``make serve``). ``init()`` loads
the model once per worker; ``run()`` checks every item of the request with the scenario's rules,
answers bad input with a 4xx that names the field, scores the request and collects inputs and outputs.
What depends on the data (reading requests, calling the model) is in ``{{ cookiecutter.ml_scenario }}/scoring.py``.

The server loads this file by path, not as part of the package: imports must be absolute.
"""

from __future__ import annotations

import logging

# The module the server exposes as azureml.contrib.services.aml_response, imported from where it
# lives so that the tests can call run() without starting a server.
from azureml_inference_server_http.api.aml_response import AMLResponse
from threadpoolctl import threadpool_limits

from {{ cookiecutter.package_name }}.serving.collection import DataCollection, correlation_id
from {{ cookiecutter.package_name }}.serving.errors import RequestError, check_content_type, parse_json
from {{ cookiecutter.package_name }}.serving.model import find_model_dir
from {{ cookiecutter.package_name }}.serving.onnx_model import served_by
from {{ cookiecutter.package_name }}.serving.scenario import scoring
from {{ cookiecutter.package_name }}.serving.telemetry import RequestTelemetry

logger = logging.getLogger(__name__)
CORRELATION_HEADER = "x-correlation-id"
state: dict = {}


def init() -> None:
    state["model"] = scoring.load(find_model_dir())
    # A request holds a few items: the model's thread pools gain nothing on them, and idle OpenMP
    # threads stalled single-row requests for up to 2 s on a busy machine (p99 250 ms -> 6 ms when
    # limited). Requests scale with workers and instances instead. Called after loading the model:
    # only thread pools of libraries already loaded are limited.
    threadpool_limits(1)
    state["collection"] = DataCollection()
    state["telemetry"] = RequestTelemetry()  # Application Insights when the deployment enables it, else a no-op
    # Which runtime serves: ONNX Runtime when the model folder has model.onnx, else the MLflow model
    # (serving/onnx_model.py). Printed: the server's log shows only warnings from our loggers.
    print(f"model loaded from {find_model_dir()}, served by {served_by(state['model'])}", flush=True)


def run(raw_data: str, request_headers: dict | None = None) -> AMLResponse:
    request_id = correlation_id(request_headers)
    with state["telemetry"].request(request_id) as outcome:
        response = respond(raw_data, request_headers, request_id)
        outcome.status = response.status_code
        return response


def respond(raw_data: str, request_headers: dict | None, request_id: str) -> AMLResponse:
    headers = {CORRELATION_HEADER: request_id}
    try:
        # The server hands run() the body as text and the request's headers as a dict
        # (azureml_inference_server_http/server/user_script.py, invoke_run): the media type is checked here.
        check_content_type(request_headers)
        inputs = scoring.inputs_from_request(parse_json(raw_data))
    except RequestError as error:
        logger.info("request %s rejected (%d): %s", request_id, error.status, error.message)
        return AMLResponse({**error.body(), "correlation_id": request_id}, error.status, headers, json_str=True)
    scored = scoring.predict(state["model"], inputs)
    state["collection"].collect(scoring.collected(inputs), scored, request_id)
    body = {
        "predictions": scored["prediction"].tolist(),
        "probabilities": scored["probability"].tolist(),
        "correlation_id": request_id,
    }
    return AMLResponse(body, 200, headers, json_str=True)
