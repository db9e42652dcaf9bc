"""Request telemetry: every scoring request is counted, timed and classified, with its correlation id on the span.

The same signals go to Application Insights on Azure ML; here in-memory readers of the OpenTelemetry SDK collect them.
"""

import json

import pytest
from azureml_inference_server_http.api.aml_response import AMLResponse
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from {{ cookiecutter.package_name }}.serving import score, telemetry


@pytest.fixture
def recorded(monkeypatch):
    """score.run() with in-memory telemetry: (metric reader, span exporter)."""
    reader, spans = InMemoryMetricReader(), InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    monkeypatch.setitem(score.state, "telemetry", telemetry.RequestTelemetry(MeterProvider([reader]), tracer_provider))
    return reader, spans


def points(reader) -> dict[str, list]:
    found = {}
    for resource in reader.get_metrics_data().resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name] = list(metric.data.data_points)
    return found


def by_outcome(data_points) -> dict[str, int]:
    return {point.attributes["outcome"]: point.value for point in data_points}


JSON = {"Content-Type": "application/json"}


def test_a_rejected_request_is_counted_as_a_client_error_with_its_correlation_id(recorded):
    reader, spans = recorded
    response = score.run("{'single': 'quotes'}", {**JSON, "x-request-id": "req-400"})
    assert response.status_code == 400
    found = points(reader)
    assert by_outcome(found[telemetry.REQUESTS]) == {"client_error": 1}
    assert telemetry.ERRORS not in found  # a caller's mistake is not a failure of the endpoint
    (duration,) = found[telemetry.DURATION]
    assert duration.count == 1 and duration.sum >= 0
    (span,) = spans.get_finished_spans()
    assert span.attributes["correlation_id"] == "req-400" and span.attributes["status_code"] == 400
    assert span.status.status_code != StatusCode.ERROR


def test_success_and_server_errors_are_told_apart(recorded, monkeypatch):
    reader, spans = recorded
    monkeypatch.setattr(score, "respond", lambda raw, headers, request_id: AMLResponse({"ok": True}, 200, {}, True))
    assert score.run(json.dumps({}), JSON).status_code == 200

    def broken(raw, headers, request_id):
        raise RuntimeError("model failed")

    monkeypatch.setattr(score, "respond", broken)
    with pytest.raises(RuntimeError):
        score.run(json.dumps({}), {**JSON, "x-request-id": "req-500"})
    found = points(reader)
    assert by_outcome(found[telemetry.REQUESTS]) == {"success": 1, "server_error": 1}
    assert by_outcome(found[telemetry.ERRORS]) == {"server_error": 1}
    failed = [s for s in spans.get_finished_spans() if s.status.status_code == StatusCode.ERROR]
    assert [s.attributes["correlation_id"] for s in failed] == ["req-500"]
    assert failed[0].events[0].name == "exception"


def test_connection_string_comes_from_what_azure_ml_sets():
    # azureml-inference-server-http 1.5 reads AML_APP_INSIGHTS_ENABLED / AML_APP_INSIGHTS_KEY (server/config.py)
    # and builds "InstrumentationKey=<key>" (server/appinsights_client.py); the SDK's own variable wins.
    assert telemetry.connection_string({}) is None
    assert telemetry.connection_string({"AML_APP_INSIGHTS_ENABLED": "false", "AML_APP_INSIGHTS_KEY": "k"}) is None
    enabled = {"AML_APP_INSIGHTS_ENABLED": "true", "AML_APP_INSIGHTS_KEY": "k"}
    assert telemetry.connection_string(enabled) == "InstrumentationKey=k"
    explicit = {**enabled, "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x;IngestionEndpoint=y"}
    assert telemetry.connection_string(explicit) == explicit["APPLICATIONINSIGHTS_CONNECTION_STRING"]


def test_without_application_insights_telemetry_is_a_no_op(monkeypatch):
    for name in ("APPLICATIONINSIGHTS_CONNECTION_STRING", "AML_APP_INSIGHTS_ENABLED", "AML_APP_INSIGHTS_KEY"):
        monkeypatch.delenv(name, raising=False)
    quiet = telemetry.RequestTelemetry()
    assert not quiet.enabled
    with quiet.request("local") as outcome:
        outcome.status = 200
