"""The workflow-graph contract (tests/contracts/workflow_graph.py) on real bakes: each class of defect it is
meant to catch is planted in a copy of a bake and must be reported; the bake as generated passes.

The GitHub and Azure DevOps behaviour behind each rule is cited in the contract module's docstring.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from contracts._azure_graph import render
from contracts.workflow_graph import CONTRACTS
from validators import run_validators

GITHUB = {"ci_platform": "github_actions"}
AZURE_DEVOPS = {"ci_platform": "azure_devops"}
CI_FOLDERS = (".github", ".azuredevops", "ci")


def copy_ci(baked_root: Path, target: Path) -> Path:
    for folder in CI_FOLDERS:
        if (baked_root / folder).is_dir():
            shutil.copytree(baked_root / folder, target / folder)
    return target


def problems(root: Path) -> list[str]:
    return [problem for found in run_validators(root, CONTRACTS).values() for problem in found]


def plant(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} no longer holds {old!r}: update the planted defect"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("answers", [GITHUB, AZURE_DEVOPS], ids=["github", "azure_devops"])
def test_bake_passes(baked, answers, tmp_path):
    assert problems(copy_ci(baked(**answers), tmp_path)) == []


DRIFT_DEPLOY_IF = (
    "    if: ${{ !cancelled() && needs.retrain.result == 'success' && needs.retrain.outputs.registered == 'true' }}\n"
)
AZURE_DRIFT_DEPLOY_CONDITION = (
    "    condition: and(not(canceled()), eq(dependencies.retrain.result, 'Succeeded'), "
    "eq(dependencies.retrain.outputs['train.azure.registered'], 'true'))\n"
)

# (file, text in the bake, planted text, what the report must say)
GITHUB_DEFECTS = {
    # Issue 12, defect 4 as it was: deploy after retrain without a condition, below a drift job that fails on purpose.
    "defect-4-drift-deploy-without-condition": (
        ".github/workflows/drift.yml",
        DRIFT_DEPLOY_IF,
        "",
        "drift.yml:",
        "job 'deploy' needs 'retrain', and 'retrain' runs after its own needs failed",
    ),
    "always-deploys-after-a-failure": (
        ".github/workflows/drift.yml",
        DRIFT_DEPLOY_IF,
        "    if: ${{ always() }}\n",
        "drift.yml:",
        "job 'deploy' runs even when its needs failed",
    ),
    "output-the-callee-does-not-declare": (
        ".github/workflows/ml.yml",
        "needs.train.outputs.model",
        "needs.train.outputs.model_id",
        "ml.yml:",
        "reads needs.train.outputs.model_id, but $/.github/workflows/_train.yml declares no output",
    ),
    "needs-context-of-a-job-not-needed": (
        ".github/workflows/ml.yml",
        "needs.train.outputs.model",
        "needs.build.outputs.model",
        "ml.yml:",
        "reads needs.build but does not need 'build'",
    ),
    "unknown-input": (
        ".github/workflows/infra.yml",
        "only-if-untrained: true",
        "only-untrained: true",
        "infra.yml:",
        "passes input 'only-untrained' that $/.github/workflows/_train.yml lacks",
    ),
    "input-of-the-wrong-type": (
        ".github/workflows/infra.yml",
        "only-if-untrained: true",
        'only-if-untrained: "yes"',
        "infra.yml:",
        "which declares type boolean",
    ),
    "required-input-missing": (
        ".github/workflows/promote.yml",
        "      environment: prod\n",
        "",
        "promote.yml:",
        "does not pass the required input 'environment'",
    ),
    "caller-grants-less-than-the-callee-requests": (
        ".github/workflows/ml.yml",
        "      id-token: write # an OIDC token for the Azure login (no stored secret)\n",
        "",
        "ml.yml:",
        "requests id-token: write, more than the caller grants",
    ),
    "workflow-output-of-an-undeclared-job-output": (
        ".github/workflows/_train.yml",
        "      model: ${{ steps.train.outputs.model }}\n",
        "",
        "_train.yml:",
        "workflow output 'model' reads jobs.train.outputs.model",
    ),
    "script-never-sets-the-output": (
        "ci/train.sh",
        'ci_output model "$model"',
        'echo "$model"',
        ".github/workflows/_train.yml:",
        "neither the step's script nor the ci/ scripts it runs set 'model'",
    ),
}
AZURE_DEFECTS = {
    # The same defect 4 on Azure DevOps: the default condition also requires indirect dependencies to succeed.
    "defect-4-drift-deploy-without-condition": (
        ".azuredevops/pipelines/drift.yml",
        AZURE_DRIFT_DEPLOY_CONDITION,
        "",
        "drift.yml:",
        "stage 'deploy' depends on 'retrain', and 'retrain' runs after its dependencies failed",
    ),
    "depends-on-a-stage-that-does-not-exist": (
        ".azuredevops/pipelines/promote.yml",
        "dependsOn: promote",
        "dependsOn: promotion",
        "promote.yml:",
        "stage 'prod' depends on 'promotion', which does not exist",
    ),
    "output-of-a-step-that-does-not-exist": (
        ".azuredevops/pipelines/ml.yml",
        "'train.azure.registered'",
        "'train.train.registered'",
        "ml.yml:",
        "job 'train' of stage 'train' has no step 'train'",
    ),
    "output-of-a-job-that-does-not-exist": (
        ".azuredevops/pipelines/promote.yml",
        "stageDependencies.promote.promote.",
        "stageDependencies.promote.share.",
        "promote.yml:",
        "stage 'promote' has no job 'share'",
    ),
    "output-of-a-stage-it-does-not-depend-on": (
        ".azuredevops/pipelines/infra.yml",
        "dependencies.train.outputs",
        "dependencies.dev.outputs",
        "infra.yml:",
        "stage 'deploy' reads outputs of 'dev' without depending on it",
    ),
    "script-never-sets-the-output-variable": (
        "ci/train.sh",
        'ci_output model "$model"',
        'echo "$model"',
        "ml.yml:",
        "never sets output variable 'model'",
    ),
    "always-after-a-failure": (
        ".azuredevops/pipelines/drift.yml",
        AZURE_DRIFT_DEPLOY_CONDITION,
        "    condition: always()\n",
        "drift.yml:",
        "stage 'deploy' runs even when its dependencies failed",
    ),
}


@pytest.mark.parametrize("defect", sorted(GITHUB_DEFECTS))
def test_github_defect_is_reported(baked, tmp_path, defect):
    relative, old, new, where, message = GITHUB_DEFECTS[defect]
    root = copy_ci(baked(**GITHUB), tmp_path)
    plant(root, relative, old, new)
    found = problems(root)
    assert any(where in problem.split(": ", 1)[0] and message in problem for problem in found), "\n".join(found)


@pytest.mark.parametrize("defect", sorted(AZURE_DEFECTS))
def test_azure_defect_is_reported(baked, tmp_path, defect):
    relative, old, new, where, message = AZURE_DEFECTS[defect]
    root = copy_ci(baked(**AZURE_DEVOPS), tmp_path)
    plant(root, relative, old, new)
    found = problems(root)
    assert any(where in problem.split(": ", 1)[0] and message in problem for problem in found), "\n".join(found)


@pytest.mark.parametrize(("apply", "job"), [("true", "iac_apply"), ("false", "iac_plan"), (True, "iac_apply")])
def test_azure_template_branches_follow_the_parameters(apply, job):
    # `- ${{ if }}:` and `- ${{ else }}:` are separate list items (the shape of templates/jobs/iac.yml), and the
    # bakes pass booleans as the strings "true"/"false": the check must take the one branch they select.
    jobs = [
        {"${{ if parameters.apply }}": [{"deployment": "iac_apply"}]},
        {"${{ else }}": [{"job": "iac_plan"}]},
        {"${{ if eq(parameters.environment, 'prod') }}": [{"job": "approve"}]},
    ]
    rendered = render(jobs, {"apply": apply, "environment": "dev"})
    assert [entry.get("job") or entry.get("deployment") for entry in rendered] == [job]


CALLEE_WITH_SECRET = """on:
  workflow_call:
    secrets:
      token: {required: true}
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions: {contents: write}
    steps:
      - run: echo publish
"""


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("    secrets: {token: x}\n    permissions: {contents: write}\n", None),
        ("    secrets: inherit\n    permissions: write-all\n", None),
        ("    permissions: {contents: write}\n", "does not pass the required secret 'token'"),
        ("    secrets: {token: x, other: y}\n    permissions: {contents: write}\n", "passes secret 'other'"),
        ("    secrets: {token: x}\n    permissions: read-all\n", "requests contents: write, more than the caller"),
        ("    needs: build\n    secrets: inherit\n    permissions: write-all\n", "needs 'build', which does not exist"),
    ],
    ids=["ok", "inherit", "missing-secret", "unknown-secret", "read-all-caller", "unknown-need"],
)
def test_github_reusable_secrets_permissions_and_needs(tmp_path, call, message):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "_publish.yml").write_text(CALLEE_WITH_SECRET, encoding="utf-8")
    caller = "on: push\npermissions: {}\njobs:\n  publish:\n    uses: ./.github/workflows/_publish.yml\n" + call
    (workflows / "release.yml").write_text(caller, encoding="utf-8")
    found = problems(tmp_path)
    if message is None:
        assert found == []
    else:
        assert any(problem.startswith(".github/workflows/release.yml:") and message in problem for problem in found), (
            found
        )
