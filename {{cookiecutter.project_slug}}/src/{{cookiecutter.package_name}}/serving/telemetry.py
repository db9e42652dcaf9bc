"""Request telemetry of the online endpoint: count, latency and outcome of every scoring request, via OpenTelemetry.

On Azure ML (deployment with ``app_insights_enabled: true``) the metrics and one span per request, carrying the
request's correlation id, go to the workspace's Application Insights: the infrastructure code alerts on the error
rate of ``scoring_requests`` there (docs/observability.md). The exporter is azure-monitor-opentelemetry-exporter,
which azureml-inference-server-http already depends on and uses for its own request log. Its connection string is
``APPLICATIONINSIGHTS_CONNECTION_STRING`` when set, else the instrumentation key Azure ML hands the server
(``AML_APP_INSIGHTS_ENABLED`` / ``AML_APP_INSIGHTS_KEY``, read the same way by azureml_inference_server_http
server/config.py and appinsights_client.py). Anywhere else the telemetry is a no-op unless the caller passes its
own providers, as the tests do with in-memory readers.

The span is INTERNAL, not SERVER: the inference server already reports each HTTP request as a request (SERVER
span) when Application Insights is on, and a second one would count every request twice. Client errors (4xx) are
outcomes, not failures: only server errors mark the span as failed and count in ``scoring_errors``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

logger = logging.getLogger(__name__)

INSTRUMENTATION = "{{ cookiecutter.package_name }}.serving"
REQUESTS = "scoring_requests"
ERRORS = "scoring_errors"
DURATION = "scoring_duration"


def connection_string(environ: dict | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    if environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING"):
        return environ["APPLICATIONINSIGHTS_CONNECTION_STRING"]
    if environ.get("AML_APP_INSIGHTS_ENABLED", "").lower() == "true" and environ.get("AML_APP_INSIGHTS_KEY"):
        return f"InstrumentationKey={environ['AML_APP_INSIGHTS_KEY']}"
    return None


def azure_monitor_providers(connection: str):
    """A meter and a tracer provider exporting to Application Insights (imported only when it is configured)."""
    from azure.monitor.opentelemetry.exporter import AzureMonitorMetricExporter, AzureMonitorTraceExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    reader = PeriodicExportingMetricReader(AzureMonitorMetricExporter(connection_string=connection))
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(AzureMonitorTraceExporter(connection_string=connection)))
    return MeterProvider(metric_readers=[reader]), tracer_provider


@dataclass
class Outcome:
    """What the scoring script reports about one request while it handles it."""

    status: int = 200


class RequestTelemetry:
    def __init__(self, meter_provider=None, tracer_provider=None) -> None:
        if meter_provider is None and tracer_provider is None:
            connection = connection_string()
            if connection:
                try:
                    meter_provider, tracer_provider = azure_monitor_providers(connection)
                except Exception:  # telemetry must never stop the endpoint from serving
                    logger.exception("request telemetry is off: Application Insights could not be configured")
        self.enabled = meter_provider is not None or tracer_provider is not None
        meter = (meter_provider or metrics.NoOpMeterProvider()).get_meter(INSTRUMENTATION)
        self.tracer = (tracer_provider or trace.NoOpTracerProvider()).get_tracer(INSTRUMENTATION)
        self.requests = meter.create_counter(REQUESTS, unit="{request}", description="scoring requests by outcome")
        self.errors = meter.create_counter(ERRORS, unit="{request}", description="requests that failed (5xx)")
        self.duration = meter.create_histogram(DURATION, unit="ms", description="time spent in run()")

    @contextmanager
    def request(self, correlation_id: str) -> Iterator[Outcome]:
        """Measure one request; an exception escaping it is a server error (and is raised again)."""
        outcome = Outcome()
        started = time.perf_counter()
        with self.tracer.start_as_current_span(
            "score", kind=SpanKind.INTERNAL, attributes={"correlation_id": correlation_id}, record_exception=True
        ) as span:
            try:
                yield outcome
            except Exception:
                outcome.status = 500
                raise
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                kind = "success" if outcome.status < 400 else "client_error" if outcome.status < 500 else "server_error"
                attributes = {"outcome": kind, "status_code": outcome.status}
                span.set_attributes(attributes)
                if kind == "server_error":
                    span.set_status(Status(StatusCode.ERROR))
                    self.errors.add(1, attributes)
                self.requests.add(1, attributes)
                self.duration.record(elapsed, attributes)
