#!/usr/bin/env bash
# Submit the training pipeline to the workspace of ENV, wait for it (at most MINUTES, see
# wait_for_job.sh) and report what its gate decided. Outputs (ci_output):
#   job_name    the Azure ML job
#   registered  true when the register step registered a new champion, false otherwise
#   model       azureml:<name>:<version> of that new version (only when registered=true):
#               CI deploys exactly this version, never "latest".
# Before the infrastructure exists (the first push runs this and the infrastructure together) it
# ends with a notice and registered=false: the infrastructure run trains after its first dev
# deployment (ONLY_IF_UNTRAINED=true: train only when the workspace holds no version of the model).
# Jobs are tagged with the commit they train and the CI run: a re-run of the same CI run waits
# for (or reads) its own job instead of training the same code twice.
# Usage: [ONLY_IF_UNTRAINED=true] ci/train.sh ENV [MINUTES]
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="$1"
minutes="${2:-45}"
only_if_untrained="${ONLY_IF_UNTRAINED:-false}"
require_env_name "$env"
use_workspace "$env"
commit="${GITHUB_SHA:-${BUILD_SOURCEVERSION:-local}}"
run="${GITHUB_RUN_ID:-${BUILD_BUILDID:-local}}"
for id in "$commit" "$run"; do
  case "$id" in
    *[!0-9a-zA-Z]*)
      ci_error "unexpected commit or run id '$id'"
      exit 2
      ;;
  esac
done

# Shown in the run summary: not an error, nothing to fix.
ci_notice() {
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "::notice::$*"
  elif [ -n "${TF_BUILD:-}" ]; then
    echo "##vso[task.logissue type=warning]$*"
  else
    echo "NOTICE: $*"
  fi
}

# Nothing to train (yet): no failure, and no deployment follows.
skip_training() {
  ci_notice "$*"
  ci_output registered false
  exit 0
}

# The infrastructure first: a missing resource group, workspace or cluster means the
# infrastructure run has not finished its first dev deployment. Any other error (login,
# permissions) fails here, as it should.
resource_group="$(setting "$env" azure.resource_group)"
workspace="$(setting "$env" azure.workspace)"
{%- if cookiecutter.ci_platform == "github_actions" %}
pending="the infrastructure workflow (.github/workflows/infra.yml) trains and deploys after its first $env deployment"
{%- else %}
pending="the infra pipeline (.azuredevops/pipelines/infra.yml) trains and deploys after its first $env deployment"
{%- endif %}
# Each answer is assigned first: a failing az inside `[ ]` would not stop the script (set -e).
group_exists="$(az group exists --name "$resource_group")"
if [ "$group_exists" != true ]; then
  skip_training "resource group $resource_group does not exist yet: $pending"
fi
workspace_found="$(az ml workspace list --resource-group "$resource_group" --query "[?name=='$workspace'].name" \
  --output tsv)"
if [ -z "$workspace_found" ]; then
  skip_training "workspace $workspace does not exist yet: $pending"
fi
clusters="$(az ml compute list "${AZ_ML[@]}" --query "[].name" --output tsv)"
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
needed=("$(setting "$env" compute.cpu_cluster.name)" "$(setting "$env" compute.gpu_cluster.name)")
{%- else %}
needed=("$(setting "$env" compute.cpu_cluster.name)")
{%- endif %}
for cluster in "${needed[@]}"; do
  if ! grep -qxF "$cluster" <<<"$clusters"; then
    skip_training "compute cluster $cluster of workspace $workspace does not exist yet: $pending"
  fi
done

{%- if cookiecutter.feature_store %}
# The feature store first: its entity and feature set registered (and materialized on their schedule).
"$CI_DIR/feature_store.sh" "$env"
{%- endif %}

running="['NotStarted', 'Queued', 'Preparing', 'Provisioning', 'Starting', 'Running', 'Finalizing']"
job="$(az ml job list "${AZ_ML[@]}" --output tsv --query "[?tags.git_commit == '$commit' && \
  (contains($running, status) || (status == 'Completed' && tags.ci_run == '$run'))].name | [0]")"
model_name="$(yaml_value mlops/azureml/train/pipeline.yml inputs.model_name)"

if [ -n "$job" ]; then
  echo "Azure ML job $job already trains commit $commit: waiting for it"
else
  # The infrastructure run trains only a workspace that has never had a model: later changes
  # train through the ml pipeline, and an infrastructure change must not retrain.
  if [ "${only_if_untrained,,}" = true ]; then
    versions="$(az ml model list "${AZ_ML[@]}" --query "length([?name=='$model_name'])" --output tsv)"
    if [ "$versions" != 0 ]; then
      skip_training "workspace $workspace already holds model $model_name: changes train through the ml pipeline"
    fi
  fi
  # Each data asset of config/<env>.yml (data_assets) gives a pipeline input a name and version in
  # the workspace: registered when missing, then passed to the pipeline in place of the local file.
  # The training environment is registered by the submission itself (the components refer to its YAML file).
{%- if cookiecutter.ml_scenario == "cv" %}
  # The shipped images are drawn by code, not committed: draw them before they are uploaded.
  if [ ! -d data/shapes ]; then
    PYTHONPATH=src python -m {{ cookiecutter.package_name }}.cv.shapes --output data/shapes
  fi
{%- endif %}
  data_inputs=()
  asset=0
  while data_spec="$(setting "$env" "data_assets.$asset.spec" 2>/dev/null)"; do
    register_data_asset "$data_spec"
    data_inputs+=(--set "inputs.$(setting "$env" "data_assets.$asset.input").path=azureml:$(yaml_value "$data_spec" name):$(yaml_value "$data_spec" version)")
    asset=$((asset + 1))
  done
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
  # GPU nodes, processes per node and pretrained weights of the train step come from config/<env>.yml.
  training=(
    --set "jobs.train.compute=azureml:$(setting "$env" training.compute)"
    --set "jobs.train.resources.instance_count=$(setting "$env" training.instance_count)"
    --set "jobs.train.distribution.process_count_per_instance=$(setting "$env" training.process_count_per_instance)"
    --set "jobs.train.inputs.pretrained_model=$(setting "$env" training.pretrained_model)"
{%- if cookiecutter.ml_scenario == "cv" %}
    --set "jobs.prep.inputs.image_size=$(setting "$env" training.image_size)"
{%- endif %}
  )
{%- else %}
  training=()
{%- endif %}
{%- if cookiecutter.custom_container %}
  # The steps' environment names the project's training image (docker/train): build it for this commit first.
  "$CI_DIR/build_images.sh" "$env" train
{%- endif %}
{%- if cookiecutter.responsible_ai %}
  # The Responsible AI gate of the evaluate step: mode and thresholds of config/<env>.yml (docs/responsible-ai.md).
  for key in mode metric max_gap min_group_score min_group_size; do
    training+=(--set "jobs.evaluate.inputs.rai_$key=$(setting "$env" "responsible_ai.$key")")
  done
{%- endif %}
{%- if cookiecutter.feature_store %}
  # The retrieval spec names this environment's feature store (config/<env>.yml feature_store.name): a staged copy.
  retrieval="$(mktemp -d)"
  subscription="$(az account show --query id --output tsv)"
  sed -e "s|SUBSCRIPTION_ID|$subscription|" -e "s|RESOURCE_GROUP|$resource_group|" \
    -e "s|FEATURE_STORE_NAME|$(setting "$env" feature_store.name)|" \
    featurestore/retrieval/feature_retrieval_spec.yaml >"$retrieval/feature_retrieval_spec.yaml"
  training+=(--set "inputs.feature_retrieval_spec.path=$retrieval")
{%- endif %}
  job="$(az ml job create --file mlops/azureml/train/pipeline.yml "${AZ_ML[@]}" "${training[@]}" "${data_inputs[@]}" \
    --set "tags.git_commit=$commit" --set "tags.ci_run=$run" --query name --output tsv)"
  echo "submitted Azure ML job $job"
fi
ci_output job_name "$job"

# Exits non-zero (and so does this script) when the job failed or is still running.
"$CI_DIR/wait_for_job.sh" "$env" "$job" "$minutes"

# The register step's output (src/{{ cookiecutter.package_name }}/common/register.py) says whether the gate
# registered a new version; Azure ML writes a pipeline output to <path>/named-outputs/<output name>.
download="$(mktemp -d)"
az ml job download --name "$job" --output-name registration --download-path "$download" "${AZ_ML[@]}"
record="$(find "$download" -name registration.json -print -quit)"
if [ -z "$record" ]; then
  ci_error "Azure ML job $job completed without its registration output: nothing to deploy"
  exit 1
fi
verdict="$(python - "$record" <<'PY'
import json, re, sys

record = json.load(open(sys.argv[1], encoding="utf-8"))
name, version = str(record.get("model_name", "")), str(record.get("version", ""))
if record.get("registered") is not True:
    print("false", "-", record.get("reason", "champion kept"))
elif re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) and re.fullmatch(r"[0-9]+", version):
    print("true", f"azureml:{name}:{version}", "")
else:
    print("error", "-", f"unexpected model name or version: {name!r} {version!r}")
PY
)"
read -r registered model reason <<<"$verdict"
case "$registered" in
  true)
    echo "the gate registered $model: it is deployed next"
    ci_output registered true
    ci_output model "$model"
    ;;
  false)
    echo "the gate registered nothing ($reason): the served model stays"
    ci_output registered false
    ;;
  *)
    ci_error "registration output of $job: $reason"
    exit 1
    ;;
esac
