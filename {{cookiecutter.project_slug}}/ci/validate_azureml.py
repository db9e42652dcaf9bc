"""Load every Azure ML YAML under ``mlops/azureml`` with the azure-ai-ml loader its ``$schema`` names.

The loaders apply the same schema the service applies when a job or deployment is submitted,
so a typo fails the pull request instead of a training run an hour later. Runs offline: no
workspace or credentials are needed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from azure.ai.ml import (
    load_batch_deployment,
    load_batch_endpoint,
    load_component,
    load_compute,
    load_data,
    load_environment,
    load_job,
    load_model,
    load_online_deployment,
    load_online_endpoint,
)
from azure.ai.ml.entities._load_functions import load_model_batch_deployment, load_schedule

PROJECT_ROOT = Path(__file__).resolve().parents[1]
AZUREML_DIR = PROJECT_ROOT / "mlops" / "azureml"

# Last part of the $schema URL (".../latest/<name>.schema.json") -> loader.
LOADERS: dict[str, Callable] = {
    "commandJob": load_job,
    "pipelineJob": load_job,
    "sweepJob": load_job,
    "commandComponent": load_component,
    "pipelineComponent": load_component,
    "environment": load_environment,
    "data": load_data,
    "model": load_model,
    "amlCompute": load_compute,
    "managedOnlineEndpoint": load_online_endpoint,
    "managedOnlineDeployment": load_online_deployment,
    "kubernetesOnlineDeployment": load_online_deployment,
    "batchEndpoint": load_batch_endpoint,
    "batchDeployment": load_batch_deployment,
    # A model deployment with `settings:` is only accepted by this loader.
    "modelBatchDeployment": load_model_batch_deployment,
    "schedule": load_schedule,
    "monitorSchedule": load_schedule,
}


def schema_name(document: object) -> str | None:
    if not isinstance(document, dict) or not isinstance(document.get("$schema"), str):
        return None
    return document["$schema"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".schema")


def validate(path: Path, name: str) -> str | None:
    """None when ``path`` loads with the loader of schema ``name``, else the error."""
    loader = LOADERS.get(name)
    if loader is None:
        return f"no loader for $schema {name!r}"
    try:
        loader(source=path)
    except Exception as error:  # the loaders raise several unrelated types; report them all the same way
        return f"{type(error).__name__}: {error}"
    return None


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else AZUREML_DIR
    files = sorted(p for p in root.rglob("*") if p.suffix in {".yml", ".yaml"})
    failures, checked = 0, 0
    for path in files:
        name = schema_name(yaml.safe_load(path.read_text(encoding="utf-8")))
        if name is None:
            # e.g. a conda file next to an environment: not an Azure ML asset itself
            print(f"skip  {path.relative_to(root)} (no $schema)")
            continue
        checked += 1
        error = validate(path, name)
        if error:
            failures += 1
            print(f"FAIL  {path.relative_to(root)}: {error}")
        else:
            print(f"ok    {path.relative_to(root)}")
    if checked == 0:
        print(f"no Azure ML YAML with a $schema found under {root}")
        return 1
    print(f"{checked} Azure ML files checked, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
