#!/usr/bin/env bash
# Submit the training pipeline to the workspace of ENV and wait for it (at most MINUTES, see
# wait_for_job.sh). Jobs are tagged with the commit they train: when a job of this commit is
# still running - an earlier CI run stopped waiting and is being re-run - wait for that job
# again instead of training the same code twice.
# Usage: ci/train.sh ENV [MINUTES]
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="$1"
minutes="${2:-45}"
require_env_name "$env"
use_workspace "$env"
commit="${GITHUB_SHA:-${BUILD_SOURCEVERSION:-local}}"
case "$commit" in
  *[!0-9a-zA-Z]*)
    ci_error "unexpected commit id '$commit'"
    exit 2
    ;;
esac

running="['NotStarted', 'Queued', 'Preparing', 'Provisioning', 'Starting', 'Running', 'Finalizing']"
job="$(az ml job list "${AZ_ML[@]}" --output tsv \
  --query "[?tags.git_commit == '$commit' && contains($running, status)].name | [0]")"

if [ -n "$job" ]; then
  echo "Azure ML job $job already trains commit $commit: waiting for it"
else
  # The data asset gives each run's input a name and version in the workspace. Versions are
  # immutable: create one only when the file names a new version. The training environment is
  # registered by the submission itself (the components refer to its YAML file).
{%- if cookiecutter.ml_scenario == "cv" %}
  # The shipped images are drawn by code, not committed: draw them before they are uploaded.
  if [ ! -d data/shapes ]; then
    PYTHONPATH=src python -m {{ cookiecutter.package_name }}.cv.shapes --output data/shapes
  fi
{%- endif %}
  data_spec=mlops/azureml/data.yml
  if [ -f "$data_spec" ]; then
    data_name="$(yaml_value "$data_spec" name)"
    data_version="$(yaml_value "$data_spec" version)"
    if az ml data show --name "$data_name" --version "$data_version" "${AZ_ML[@]}" --output none 2>/dev/null; then
      echo "data asset $data_name:$data_version is registered"
    else
      az ml data create --file "$data_spec" "${AZ_ML[@]}" --output none
      echo "registered data asset $data_name:$data_version"
    fi
  fi
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
  job="$(az ml job create --file mlops/azureml/train/pipeline.yml "${AZ_ML[@]}" "${training[@]}" \
    --set "tags.git_commit=$commit" --query name --output tsv)"
  echo "submitted Azure ML job $job"
fi
ci_output job_name "$job"

"$CI_DIR/wait_for_job.sh" "$env" "$job" "$minutes"
