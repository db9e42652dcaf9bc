"""Model data collection: inputs and outputs of every scored request, joined by a correlation id.

On Azure ML (deployment with ``data_collector`` enabled) azureml-ai-monitoring's ``Collector``
ships both tables to the workspace, where the monitor reads them as production data. Anywhere
else the collector is disabled and would raise, so it is created with an error handler and the
scoring script logs one line per request instead: local serving keeps working.
"""

from __future__ import annotations

import logging
import uuid

import pandas as pd

logger = logging.getLogger(__name__)

INPUTS = "model_inputs"
OUTPUTS = "model_outputs"
# Headers that carry a caller's request id; Azure ML's front end sets x-request-id.
CORRELATION_HEADERS = ("x-request-id", "x-ms-client-request-id", "x-correlation-id")


def correlation_id(headers: dict | None) -> str:
    lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
    for name in CORRELATION_HEADERS:
        if lowered.get(name):
            return str(lowered[name])
    return str(uuid.uuid4())


class DataCollection:
    """Collects inputs and outputs when Azure ML enabled it, else logs a line per request."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.inputs = self.outputs = None
        try:
            from azureml.ai.monitoring import Collector

            self.inputs = Collector(name=INPUTS, on_error=self._record)
            self.outputs = Collector(name=OUTPUTS, on_error=self._record)
        except ImportError as error:
            self.errors.append(f"azureml-ai-monitoring is not installed ({error})")
        self.enabled = not self.errors
        if not self.enabled:
            logger.warning("data collection is off (not running in Azure ML?): %s", self.errors[0])

    def _record(self, error: Exception) -> None:
        self.errors.append(str(error))

    def collect(self, inputs: pd.DataFrame, outputs: pd.DataFrame, request_id: str) -> None:
        if not self.enabled:
            logger.info("scored %d rows, request %s (data collection off)", len(inputs), request_id)
            return
        from azureml.ai.monitoring.context import BasicCorrelationContext

        try:
            context = self.inputs.collect(inputs, BasicCorrelationContext(id=request_id))
            self.outputs.collect(outputs, context)
        except Exception:  # collection must never fail a prediction that already succeeded
            logger.exception("data collection failed for request %s", request_id)
