"""Workflow graphs: jobs run when they are meant to, and what one job hands to another exists (issue 13, item 4).

Conditions (both platforms). GitHub: "If a job fails or is skipped, all jobs that need it are skipped unless the
jobs use a conditional expression that causes the job to continue. If a run contains a series of jobs that need
each other, a failure or skip applies to all jobs in the dependency chain from the point of failure or skip
onwards" (docs.github.com, Workflow syntax for GitHub Actions, jobs.<job_id>.needs; "Using conditions to control
job execution"); an `if:` without a status-check function gets success() added (docs.github.com, "Evaluate
expressions", Status check functions). Azure Pipelines: "By default, a pipeline job or stage runs if ... all its
dependencies completed and succeeded. The dependency requirement applies to direct dependencies and to their
indirect dependencies, computed recursively"; a `condition:` replaces that default (learn.microsoft.com, Azure
Pipelines, "Pipeline conditions").

So a job whose condition is the default - none, or only success()/succeeded() - is skipped whenever ANY
ancestor failed or was skipped. That is what is meant for a plain chain (train -> deploy: no deploy after a
failed training), and forcing a condition on every `needs:` would be noise. It is wrong exactly when some job
in between was written to run after its own dependencies failed (`always()`, `!cancelled()`, `failure()`;
Azure: `always()`, `failed()`, `succeededOrFailed()`, `not(canceled())`, or any condition without
`succeeded()`): that job's author expected the failure, and its dependents inherit it silently. The rule:

1. A job or stage with the default condition must not have a failure-tolerant ancestor. Issue 12, defect 4:
   drift (fails on drift, on purpose) -> retrain (`!cancelled() && ...drifted == 'true'`) -> deploy (no `if:`):
   deploy never ran. The fix states the intended condition (`!cancelled() && needs.retrain.result == 'success'`).
2. A failure-tolerant condition must test what it runs on (`needs.<job>.result`/`outputs`, Azure
   `dependencies.<name>.result`/`outputs`): a bare `always()` on a deployment would deploy after a failed build.

What one job hands to another:

- GitHub reusable workflows (`uses: ./.github/workflows/x.yml` or `$/...`): every `with:` key is an input of the
  callee's `on.workflow_call.inputs` with a fitting type, every required input (required, no default) is given,
  `secrets:` likewise (unless `inherit`), every `needs.<job>.outputs.<name>` the caller reads is a declared
  output of the callee, and the caller's `permissions:` grant at least what each callee job requests: "The
  GITHUB_TOKEN permissions passed from the caller workflow can be only downgraded (not elevated) by the called
  workflow" (docs.github.com, Reusable workflows reference, Access and permissions; a caller granting less gets a
  run that fails at start-up, "startup_failure", as reported in hyperpolymath/standards#451). The chain is
  followed to the end: workflow output -> `jobs.<job>.outputs` -> `steps.<id>.outputs` -> a step whose script
  (or the ci/*.sh it runs) sets it.
  `needs.<job>` must name a direct need (the needs context holds direct dependencies only).
- Azure Pipelines, after inlining our own templates with their parameters (`${{ parameters.x }}` and simple
  `${{ if }}`/`${{ else }}`): every `dependsOn` names an existing stage (jobs: a job of the same stage);
  `dependencies.<stage>.outputs['<job>.<step>.<var>']`, `stageDependencies.<stage>.<job>.outputs['<step>.<var>']`
  and `dependencies.<job>.outputs['<step>.<var>']` name a declared dependency, an existing job and a step of
  that `name:` whose script sets the variable with `isoutput=true` (directly or through ci/common.sh's
  `ci_output`); learn.microsoft.com, "Set variables in scripts" / "Define variables" (output variables).

Not checked: expressions beyond parameters/not/eq/ne in `${{ if }}` (both branches are then kept), remote
templates and other repositories' workflows, and whether a condition's values can ever be true.
"""

from __future__ import annotations

from contracts import Contract

from ._azure_graph import check as check_azure
from ._github_graph import check as check_github

COMMON_SH = """set -euo pipefail
ci_output() {
  local name="$1" value="$2"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$name=$value" >>"$GITHUB_OUTPUT"
  elif [ -n "${TF_BUILD:-}" ]; then
    echo "##vso[task.setvariable variable=$name;isoutput=true]$value"
  fi
}
"""
CHECK_SH = 'source "$(dirname "$0")/common.sh"\nci_output drifted true\nexit 1\n'
TRAIN_SH = 'source "$(dirname "$0")/common.sh"\nci_output registered true\nci_output model azureml:m:1\n'

GITHUB_TRAIN = """name: train
on:
  workflow_call:
    inputs:
      environment: {type: string, required: true}
    outputs:
      registered:
        value: ${{ jobs.train.outputs.registered }}
permissions: {}
jobs:
  train:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write
    outputs:
      registered: ${{ steps.train.outputs.registered }}
    steps:
      - id: train
        run: ci/train.sh
"""
# Issue 12, defect 4 as it was: deploy needs retrain, which runs after the drift job failed on purpose.
GITHUB_DRIFT_BROKEN = """name: drift
on: {workflow_dispatch: {}}
permissions: {}
jobs:
  drift:
    runs-on: ubuntu-latest
    permissions: {contents: read}
    outputs:
      drifted: ${{ steps.drift.outputs.drifted }}
    steps:
      - id: drift
        run: ci/check.sh
  retrain:
    needs: drift
    if: ${{ !cancelled() && needs.drift.outputs.drifted == 'true' }}
    permissions:
      contents: read
      id-token: write
    uses: ./.github/workflows/_train.yml
    with:
      environment: dev
  deploy:
    needs: retrain
    runs-on: ubuntu-latest
    permissions: {contents: read}
    steps:
      - run: echo deploy
"""
GITHUB_DRIFT_VALID = GITHUB_DRIFT_BROKEN.replace(
    "  deploy:\n    needs: retrain\n",
    "  deploy:\n    needs: retrain\n"
    "    if: ${{ !cancelled() && needs.retrain.result == 'success' && needs.retrain.outputs.registered == 'true' }}\n",
)

AZURE_TRAIN_TEMPLATE = """parameters:
  - name: onlyIfUntrained
    type: boolean
    default: false
jobs:
  - job: train
    steps:
      - task: AzureCLI@2
        name: azure
        inputs:
          scriptLocation: scriptPath
          scriptPath: $(Build.SourcesDirectory)/ci/train.sh
"""
AZURE_DRIFT_BROKEN = """trigger: none
stages:
  - stage: drift
    jobs:
      - job: drift
        steps:
          - script: ci/check.sh
            name: azure
  - stage: retrain
    dependsOn: drift
    condition: and(not(canceled()), eq(dependencies.drift.outputs['drift.azure.drifted'], 'true'))
    jobs:
      - template: ../templates/train.yml
  - stage: deploy
    dependsOn: retrain
    jobs:
      - job: deploy
        steps:
          - script: echo deploy
"""
AZURE_DRIFT_VALID = AZURE_DRIFT_BROKEN.replace(
    "    dependsOn: retrain\n",
    "    dependsOn: retrain\n"
    "    condition: and(not(canceled()), eq(dependencies.retrain.result, 'Succeeded'), "
    "eq(dependencies.retrain.outputs['train.azure.registered'], 'true'))\n",
)

CONTRACTS = (
    Contract(
        name="github-workflow-graph",
        patterns=(".github/workflows/*.yml", ".github/workflows/*.yaml"),
        check=check_github,
        context=("ci/*.sh",),
        source="docs.github.com: Workflow syntax (jobs.<job_id>.needs, if), Status check functions, Reusing workflows",
        broken={
            ".github/workflows/drift.yml": GITHUB_DRIFT_BROKEN,
            ".github/workflows/_train.yml": GITHUB_TRAIN,
            "ci/common.sh": COMMON_SH,
            "ci/check.sh": CHECK_SH,
            "ci/train.sh": TRAIN_SH,
        },
        valid={
            ".github/workflows/drift.yml": GITHUB_DRIFT_VALID,
            ".github/workflows/_train.yml": GITHUB_TRAIN,
            "ci/common.sh": COMMON_SH,
            "ci/check.sh": CHECK_SH,
            "ci/train.sh": TRAIN_SH,
        },
    ),
    Contract(
        name="azure-pipelines-graph",
        patterns=(".azuredevops/*.yml", ".azuredevops/*.yaml", "azure-pipelines.yml"),
        check=check_azure,
        context=("ci/*.sh",),
        source="learn.microsoft.com, Azure Pipelines: Pipeline conditions, Expressions (dependencies), Set variables",
        broken={
            ".azuredevops/pipelines/drift.yml": AZURE_DRIFT_BROKEN,
            ".azuredevops/templates/train.yml": AZURE_TRAIN_TEMPLATE,
            "ci/common.sh": COMMON_SH,
            "ci/check.sh": CHECK_SH,
            "ci/train.sh": TRAIN_SH,
        },
        valid={
            ".azuredevops/pipelines/drift.yml": AZURE_DRIFT_VALID,
            ".azuredevops/templates/train.yml": AZURE_TRAIN_TEMPLATE,
            "ci/common.sh": COMMON_SH,
            "ci/check.sh": CHECK_SH,
            "ci/train.sh": TRAIN_SH,
        },
    ),
)
