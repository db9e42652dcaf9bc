"""MLflow's quiet defaults, applied on import, before MLflow itself is imported.

MLflow decides at import time whether to start its usage-telemetry client (which writes an
installation id under ~/.config and reports over the network), so the switch must be set first:
every step module's package (``common``, each scenario) imports this module before MLflow.
A value the user set in the environment wins.
"""

from __future__ import annotations

import os

QUIET_ENVIRONMENT = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    # Progress bars fill CI and Azure ML logs with carriage returns.
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}

for _key, _value in QUIET_ENVIRONMENT.items():
    os.environ.setdefault(_key, _value)
