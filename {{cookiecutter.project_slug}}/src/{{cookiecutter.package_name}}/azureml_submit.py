"""Submit the training pipeline (mlops/azureml/train/pipeline.yml) to an Azure ML workspace from Python.

The same YAML that ``az ml job create`` submits, loaded with the Azure ML SDK v2; the workspace
comes from ``config/<environment>.yml`` and the credential from ``DefaultAzureCredential``
(``az login`` locally, a managed identity or federated credential in CI).

    pip install azure-ai-ml azure-identity
    python -m {{ cookiecutter.package_name }}.azureml_submit --environment dev --subscription <id> --wait
    python -m {{ cookiecutter.package_name }}.azureml_submit --validate-only   # offline: load and check the YAML
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .config import PROJECT_ROOT, environments, load_config

PIPELINE = PROJECT_ROOT / "mlops" / "azureml" / "train" / "pipeline.yml"


def load_pipeline(
    path: Path = PIPELINE, data: str | None = None, experiment: str | None = None, environment: str = "dev"
):
    """Load the pipeline job and apply the overrides; raise if the SDK's own validation fails."""
    from azure.ai.ml import Input, load_job

    if not data:
        ensure_shipped_data()
    job = load_job(source=path)
    if data:
        job.inputs.raw_data = Input(type=job.inputs.raw_data.type, path=data)
    apply_training_settings(job, load_config(environment).get("training"))
{%- if cookiecutter.responsible_ai %}
    apply_responsible_ai_settings(job, load_config(environment).get("responsible_ai"))
{%- endif %}
    if experiment:
        job.experiment_name = experiment
    result = job._validate()
    if not result.passed:
        raise ValueError(f"{path} is not a valid pipeline job: {result}")
    return job


def ensure_shipped_data() -> None:
    """Scenarios whose shipped data are generated (cv draws its images) create them before upload."""
    from .common.loop import shipped_data

    shipped_data()


def apply_training_settings(job, training: dict | None) -> None:
    """config/<env>.yml ``training``: nodes, processes per node and pretrained weights of the train step."""
    if not training:
        return
    train = job.jobs["train"]
    train.compute = f"azureml:{training['compute']}"
    train.resources.instance_count = int(training["instance_count"])
    train.distribution.process_count_per_instance = int(training["process_count_per_instance"])
    if training.get("pretrained_model"):
        train.inputs.pretrained_model = training["pretrained_model"]
    if training.get("image_size"):
        job.jobs["prep"].inputs.image_size = int(training["image_size"])


{% if cookiecutter.responsible_ai -%}
def apply_responsible_ai_settings(job, section: dict | None) -> None:
    """config/<env>.yml ``responsible_ai``: the gate's mode and thresholds, as inputs of the evaluate step."""
    for key, value in (section or {}).items():
        setattr(job.jobs["evaluate"].inputs, f"rai_{key}", value)


{% endif -%}
def submit(job, environment: str, subscription: str, wait: bool) -> str:
    from azure.ai.ml import MLClient
    from azure.identity import DefaultAzureCredential

    azure = load_config(environment)["azure"]
    client = MLClient(DefaultAzureCredential(), subscription, azure["resource_group"], azure["workspace"])
    submitted = client.jobs.create_or_update(job)
    print(f"submitted {submitted.name} to {azure['workspace']}: {submitted.studio_url}")
    if wait:
        client.jobs.stream(submitted.name)
    return submitted.name


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Submit the training pipeline to Azure ML.")
    p.add_argument("--environment", choices=environments(), default="dev", help="which config/<env>.yml workspace")
    p.add_argument(
        "--subscription",
        default=os.environ.get("AZURE_SUBSCRIPTION_ID"),
        help="Azure subscription id (default: $AZURE_SUBSCRIPTION_ID)",
    )
    p.add_argument("--pipeline", type=Path, default=PIPELINE, help="pipeline job YAML")
    p.add_argument("--data", help="raw data instead of the shipped file, e.g. azureml:credit-default-applications:1")
    p.add_argument("--experiment", help="experiment name (default: the one in the YAML)")
    p.add_argument("--wait", action="store_true", help="stream the logs until the pipeline ends")
    p.add_argument("--validate-only", action="store_true", help="load and validate the YAML, submit nothing")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    job = load_pipeline(args.pipeline, args.data, args.experiment, args.environment)
    if args.validate_only:
        print(f"{args.pipeline}: valid pipeline with steps {', '.join(job.jobs)}")
        return 0
    if not args.subscription:
        print("no subscription: pass --subscription or set AZURE_SUBSCRIPTION_ID")
        return 2
    submit(job, args.environment, args.subscription, args.wait)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
