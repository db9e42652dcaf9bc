# shellcheck shell=bash
# Shared helpers for the CI scripts (sourced, not run). Works on GitHub Actions and Azure
# Pipelines: messages and outputs use whichever platform's syntax is available.
set -euo pipefail

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(dirname "$CI_DIR")"
cd "$PROJECT_ROOT"

# One value of config/<env>.yml, e.g. `setting dev azure.workspace`.
setting() {
  python "$CI_DIR/settings.py" "$1" "$2"
}

# One value of any YAML file, e.g. `yaml_value mlops/azureml/deploy/batch/deployment.yml name`.
yaml_value() {
  python "$CI_DIR/settings.py" --file "$1" "$2"
}

# Report an error so it shows up in the run summary, not only in the log.
ci_error() {
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "::error::$*"
  elif [ -n "${TF_BUILD:-}" ]; then
    echo "##vso[task.logissue type=error]$*"
  else
    echo "ERROR: $*" >&2
  fi
}

# Hand a value to later steps/jobs: a step output on GitHub, an output variable on Azure DevOps.
ci_output() {
  local name="$1" value="$2"
  echo "$name=$value"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$name=$value" >>"$GITHUB_OUTPUT"
  elif [ -n "${TF_BUILD:-}" ]; then
    echo "##vso[task.setvariable variable=$name;isoutput=true]$value"
  fi
}

# The release of the Azure CLI's ml extension these scripts are written and checked against (the
# template's contract checks read its command table). Hosted agents ship the CLI without it, and an
# unpinned newer release may rename or drop what the scripts call: move this together with the calls.
ML_EXTENSION_VERSION=2.44.1

# Set AZ_ML to the --resource-group/--workspace-name arguments of environment $1, after making sure
# the pinned ml extension is the one installed.
use_workspace() {
  local env="$1"
  if [ "$(az extension show --name ml --query version --output tsv 2>/dev/null)" != "$ML_EXTENSION_VERSION" ]; then
    az extension add --name ml --version "$ML_EXTENSION_VERSION" --upgrade --yes --only-show-errors
  fi
  # shellcheck disable=SC2034 # read by the scripts that source this file
  AZ_ML=(--resource-group "$(setting "$env" azure.resource_group)" --workspace-name "$(setting "$env" azure.workspace)")
}

# Register the data asset of SPEC in the workspace of AZ_ML (see use_workspace) unless its name:version
# exists: versions are immutable, so a new version is created only when the spec names one.
register_data_asset() {
  local spec="$1" name version
  name="$(yaml_value "$spec" name)"
  version="$(yaml_value "$spec" version)"
  if az ml data show --name "$name" --version "$version" "${AZ_ML[@]}" --output none 2>/dev/null; then
    echo "data asset $name:$version is registered"
  else
    az ml data create --file "$spec" "${AZ_ML[@]}" --output none
    echo "registered data asset $name:$version"
  fi
}

require_env_name() {
  case "${1:-}" in
    dev | prod) ;;
    *)
      ci_error "unknown environment '${1:-}': expected dev or prod (config/<env>.yml)"
      exit 2
      ;;
  esac
}
