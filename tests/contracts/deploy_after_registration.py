"""A deployment that follows training deploys only what the training gate registered.

The training pipeline's gate may keep the champion and register nothing (common/register.py writes
`registered: false`); ci/train.sh then outputs `registered=false` and no model. A deploy job or stage that runs
after training without testing that output redeploys whatever `@latest` is (or fails when no model exists yet):
issue 12, defect 11. The rule, on both platforms: a job (GitHub) or stage (Azure Pipelines) that deploys and
depends on one that trains states a condition on the training's `registered` output.

GitHub: a job runs when all its needs succeeded unless its `if:` says otherwise, and an `if:` without a status
function keeps that implicit `success()` (docs.github.com, "Using conditions to control job execution").
Azure Pipelines: a stage's `condition` replaces the default `succeeded()` (Microsoft Learn, "Pipeline conditions").
"""

from __future__ import annotations

from pathlib import Path

import yaml

from contracts import Contract


def _load(path: Path) -> dict:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return {}  # the YAML validator reports it
    return document if isinstance(document, dict) else {}


def _github(relative: str, workflow: dict) -> list[str]:
    jobs = workflow.get("jobs") or {}
    trains = {name for name, job in jobs.items() if str((job or {}).get("uses", "")).endswith("/_train.yml")}
    problems = []
    for name, job in jobs.items():
        if not str((job or {}).get("uses", "")).endswith("/_deploy.yml"):
            continue
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        condition = str(job.get("if", ""))
        for trained in set(needs) & trains:
            if f"needs.{trained}.outputs.registered" not in condition:
                problems.append(
                    f"{relative}: job {name!r} deploys after {trained!r} trains without testing "
                    f"needs.{trained}.outputs.registered: it deploys even when the gate registered nothing"
                )
    return problems


def _templates(stage: dict) -> set[str]:
    return {str(job.get("template", "")) for job in stage.get("jobs") or [] if isinstance(job, dict)}


def _azure(relative: str, pipeline: dict) -> list[str]:
    stages = {s["stage"]: s for s in pipeline.get("stages") or [] if isinstance(s, dict) and "stage" in s}
    trains = {name for name, stage in stages.items() if any(t.endswith("jobs/train.yml") for t in _templates(stage))}
    problems = []
    for name, stage in stages.items():
        if not any(t.endswith("jobs/deploy.yml") for t in _templates(stage)):
            continue
        depends = stage.get("dependsOn") or []
        depends = [depends] if isinstance(depends, str) else depends
        condition = str(stage.get("condition", ""))
        for trained in set(depends) & trains:
            if not (f"dependencies.{trained}.outputs[" in condition and "registered'" in condition):
                problems.append(
                    f"{relative}: stage {name!r} deploys after {trained!r} trains without a condition on its "
                    "registered output: it deploys even when the gate registered nothing"
                )
    return problems


def check(root: Path, files: list[str]) -> list[str]:
    problems = []
    for relative in files:
        document = _load(root / relative)
        problems += _github(relative, document) if relative.startswith(".github/") else _azure(relative, document)
    return problems


_GITHUB = """\
on: push
jobs:
  train:
    uses: ./.github/workflows/_train.yml
  deploy:
    needs: train
    uses: ./.github/workflows/_deploy.yml
"""
_GITHUB_OK = _GITHUB.replace(
    "    needs: train\n", "    needs: train\n    if: needs.train.outputs.registered == 'true'\n"
)
_AZURE = """\
stages:
  - stage: train
    jobs:
      - template: ../templates/jobs/train.yml
  - stage: deploy
    dependsOn: train
    jobs:
      - template: ../templates/jobs/deploy.yml
"""
_AZURE_OK = _AZURE.replace(
    "    dependsOn: train\n",
    "    dependsOn: train\n"
    "    condition: and(succeeded(), eq(dependencies.train.outputs['train.azure.registered'], 'true'))\n",
)

CONTRACTS = (
    Contract(
        name="deployments follow a registration",
        patterns=(".github/workflows/*.yml", ".azuredevops/pipelines/*.yml"),
        check=check,
        source="docs.github.com, Using conditions to control job execution; Microsoft Learn, Pipeline conditions; "
        "the template's own registration output (common/register.py, ci/train.sh)",
        broken={".github/workflows/ml.yml": _GITHUB, ".azuredevops/pipelines/ml.yml": _AZURE},
        valid={".github/workflows/ml.yml": _GITHUB_OK, ".azuredevops/pipelines/ml.yml": _AZURE_OK},
    ),
)
