#!/usr/bin/env bash
{%- from "partials/scenario.j2" import scenario with context %}
{%- from "partials/deployment_settings.j2" import deployment_settings with context %}
{%- set monitoring = deployment_settings.monitoring %}
{%- if cookiecutter.deployment_mode == "online" %}
# Blue/green rollout to the online endpoint of ENV: the new deployment starts at 0% traffic, is
# smoke-tested with the sample request, then takes all traffic; the previous one stays at 0% for
# a quick rollback (`az ml online-endpoint update --traffic "<old>=100 <new>=0"`). A failed smoke
# test before the switch deletes the new deployment; after the switch it moves traffic back.
# MODEL (optional; argument or environment variable) replaces the deployment's model, e.g. the
# registry copy in prod.
# Usage: ci/deploy.sh ENV [MODEL]
{%- else %}
# Create or update the batch endpoint of ENV and its deployment, make it the default, score the
# sample data and check that the job wrote predictions, then point the model monitor at what was
# deployed. Inputs and predictions go to the dated folders the monitor reads.
# MODEL (optional; argument or environment variable) replaces the deployment's model, e.g. the
# registry copy in prod.
# Usage: ci/deploy.sh ENV [MODEL]
{%- endif %}
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"
{%- if cookiecutter.responsible_ai %}
# Set only by the promotion to prod, after its approval: record the Responsible AI review on the model first.
if [ -n "${RAI_REVIEW_MODEL:-}" ]; then
  "$CI_DIR/rai_review.sh" record "$RAI_REVIEW_MODEL"
fi
{%- endif %}

env="$1"
model="${2:-${MODEL:-}}"
require_env_name "$env"
use_workspace "$env"
endpoint="$(setting "$env" deployment.endpoint_name)"
monitor=mlops/azureml/monitoring/monitor.yml
{%- if cookiecutter.custom_container %}
# The deployment names the project's inference image (docker/inference): build it for this commit in this
# environment's registry first (prod pulls from its own registry, never from dev's).
"$CI_DIR/build_images.sh" "$env" inference
{%- endif %}

# Register what the monitor reads that no other step registers in this workspace (prod never
# trains, so nothing registered by dev's training exists there), then create or update the monitor.
# `az ml schedule create --file` creates or replaces the schedule of that name (the ml extension's
# _ml_schedule_create calls begin_create_or_update); `schedule update` takes no --file.
apply_monitor() {
{%- if cookiecutter.ml_scenario == "tabular" %}
  local reference=mlops/azureml/monitoring/reference.yml name version staged
  name="$(yaml_value "$reference" name)"
  version="$(yaml_value "$reference" version)"
  if az ml data show --name "$name" --version "$version" "${AZ_ML[@]}" --output none 2>/dev/null; then
    echo "monitoring reference $name:$version is registered"
  else
    # The MLTable and the training data it reads must be uploaded together, from one folder.
    staged="$(mktemp -d)/reference"
    cp -R mlops/azureml/monitoring/reference "$staged"
    # The training table as prep sees it: the applications with their payment-history features joined
    # point in time (src/{{ cookiecutter.package_name }}/tabular/history.py), so every model feature has a reference.
    PYTHONPATH=src python -m {{ cookiecutter.package_name }}.tabular.history --observations {{ scenario.raw_data }} \
      --history data/payment_history.csv --output "$staged/{{ scenario.raw_data.split("/")[-1] }}"
    az ml data create --file "$reference" --path "$staged" "${AZ_ML[@]}" --output none
    echo "registered monitoring reference $name:$version"
  fi
  # The ground truth of the model_quality signal: an MLTable over the datastore folder the label feed writes.
  local truth=mlops/azureml/monitoring/ground-truth.yml
  name="$(yaml_value "$truth" name)"
  version="$(yaml_value "$truth" version)"
  if az ml data show --name "$name" --version "$version" "${AZ_ML[@]}" --output none 2>/dev/null; then
    echo "monitoring ground truth $name:$version is registered"
  else
    az ml data create --file "$truth" "${AZ_ML[@]}" --output none
    echo "registered monitoring ground truth $name:$version"
  fi
{%- endif %}
{%- if cookiecutter.deployment_mode == "batch" %}
  local component=mlops/azureml/monitoring/preprocessing/component.yml component_name component_version
  component_name="$(yaml_value "$component" name)"
  component_version="$(yaml_value "$component" version)"
  if az ml component show --name "$component_name" --version "$component_version" "${AZ_ML[@]}" --output none 2>/dev/null; then
    echo "monitoring pre-processing $component_name:$component_version is registered"
  else
    az ml component create --file "$component" "${AZ_ML[@]}" --output none
    echo "registered monitoring pre-processing $component_name:$component_version"
  fi
{%- endif %}
  az ml schedule create --file "$monitor" "$@" "${AZ_ML[@]}" --output none
  echo "monitoring schedule $(yaml_value "$monitor" name) applied"
{%- if cookiecutter.ml_scenario in ["tabular", "nlp"] %}
  # The drift report as a weekly pipeline job over the same collected data (docs/observability.md).
  local report=mlops/azureml/monitoring/drift-pipeline/schedule.yml
  az ml schedule create --file "$report" "${AZ_ML[@]}" --output none
  echo "drift report schedule $(yaml_value "$report" name) applied"
{%- endif %}
}
{%- if cookiecutter.deployment_mode == "online" %}
spec_dir=mlops/azureml/deploy/online
sample="$spec_dir/sample-request.json"

# Score the sample request (through one deployment if given) and check the answer is JSON.
smoke_test() {
  local target=()
  if [ -n "${1:-}" ]; then target=(--deployment-name "$1"); fi
  local response
  if ! response="$(az ml online-endpoint invoke --name "$endpoint" "${target[@]}" --request-file "$sample" "${AZ_ML[@]}")"; then
    return 1
  fi
  echo "response: $response"
  python -c 'import json, sys; json.loads(sys.stdin.read())' <<<"$response"
}

if ! az ml online-endpoint show --name "$endpoint" "${AZ_ML[@]}" --output none 2>/dev/null; then
  az ml online-endpoint create --file "$spec_dir/endpoint.yml" --name "$endpoint" "${AZ_ML[@]}"
fi

# The deployment that takes most traffic now is the one to keep for rollback.
live="$(az ml online-endpoint show --name "$endpoint" "${AZ_ML[@]}" --query traffic --output json |
  python -c 'import json, sys; t = json.load(sys.stdin) or {}; print(max(t, key=t.get) if any(t.values()) else "")')"
if [ "$live" = blue ]; then new=green; else new=blue; fi
echo "live deployment: ${live:-none}; new deployment: $new"

# A deployment of the new colour can only be an older rollback target with 0% traffic: replace it.
if az ml online-deployment show --name "$new" --endpoint-name "$endpoint" "${AZ_ML[@]}" --output none 2>/dev/null; then
  az ml online-deployment delete --name "$new" --endpoint-name "$endpoint" "${AZ_ML[@]}" --yes
fi

overrides=(
  --set "instance_type=$(setting "$env" deployment.instance_type)"
  --set "instance_count=$(setting "$env" deployment.instance_count)"
)
if [ -n "$model" ]; then overrides+=(--set "model=$model"); fi
# Without --all-traffic the new deployment receives no traffic until the smoke test passed.
az ml online-deployment create --file "$spec_dir/deployment.yml" --name "$new" --endpoint-name "$endpoint" \
  "${overrides[@]}" "${AZ_ML[@]}"

if ! smoke_test "$new"; then
  ci_error "smoke test of deployment $new failed; deleting it, traffic stays on ${live:-nothing}"
  # The container log says why; fetching it must not stop the clean-up (the script fails below anyway).
  az ml online-deployment get-logs --name "$new" --endpoint-name "$endpoint" "${AZ_ML[@]}" --lines 100 || true
  az ml online-deployment delete --name "$new" --endpoint-name "$endpoint" "${AZ_ML[@]}" --yes
  exit 1
fi

if [ -n "$live" ]; then traffic="$new=100 $live=0"; else traffic="$new=100"; fi
az ml online-endpoint update --name "$endpoint" --traffic "$traffic" "${AZ_ML[@]}" --output none
echo "traffic: $traffic"

if ! smoke_test; then
  if [ -n "$live" ]; then
    ci_error "smoke test through the endpoint failed after the switch; traffic back to $live"
    az ml online-endpoint update --name "$endpoint" --traffic "$live=100 $new=0" "${AZ_ML[@]}" --output none
  else
    ci_error "smoke test through the endpoint failed and there is no previous deployment to return to"
  fi
  exit 1
fi

# Model monitoring of the live deployment. The file names the dev endpoint and the blue colour:
# point it at this environment's endpoint and the new live colour.
targets=(--set "create_monitor.monitoring_target.endpoint_deployment_id=azureml:$endpoint:$new")
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
# The reference of each signal is what this deployment collected in earlier weeks.
for signal in input_drift input_quality; do
  targets+=(--set "create_monitor.monitoring_signals.$signal.reference_data.input_data.path=azureml:$endpoint-$new-model_inputs:1")
done
{%- endif %}
targets+=(--set "create_monitor.monitoring_signals.prediction_drift.reference_data.input_data.path=azureml:$endpoint-$new-model_outputs:1")
{%- if cookiecutter.ml_scenario == "tabular" %}
targets+=(--set "create_monitor.monitoring_signals.model_quality.production_data.input_data.path=azureml:$endpoint-$new-model_outputs:1")
{%- endif %}
apply_monitor "${targets[@]}"
ci_output deployment "$new"
{%- else %}
spec_dir=mlops/azureml/deploy/batch
deployment="$(yaml_value "$spec_dir/deployment.yml" name)"

if az ml batch-endpoint show --name "$endpoint" "${AZ_ML[@]}" --output none 2>/dev/null; then
  az ml batch-endpoint update --file "$spec_dir/endpoint.yml" --name "$endpoint" "${AZ_ML[@]}" --output none
else
  az ml batch-endpoint create --file "$spec_dir/endpoint.yml" --name "$endpoint" "${AZ_ML[@]}" --output none
fi

overrides=()
if [ -n "$model" ]; then overrides+=(--set "model=$model"); fi
if az ml batch-deployment show --name "$deployment" --endpoint-name "$endpoint" "${AZ_ML[@]}" --output none 2>/dev/null; then
  action=update
else
  action=create
fi
az ml batch-deployment "$action" --file "$spec_dir/deployment.yml" --name "$deployment" --endpoint-name "$endpoint" \
  "${overrides[@]}" "${AZ_ML[@]}" --output none
az ml batch-endpoint update --name "$endpoint" --set "defaults.deployment_name=$deployment" "${AZ_ML[@]}" --output none
echo "batch deployment $deployment is the default of $endpoint"

# Score the shipped sample and check that predictions came back. Each run gets a dated folder under
# the folders the monitor reads (monitor.yml production_data): the inputs are uploaded there and the
# job writes its predictions there (--output-path, as `az ml batch-endpoint invoke` documents it:
# azureml://datastores/<datastore>/paths/<path>).
run="$(date -u +%Y/%m/%d)/${GITHUB_RUN_ID:-${BUILD_BUILDID:-local}}-$(date -u +%H%M%S)"
inputs="{{ monitoring.batch_inputs_path }}/$run"
predictions="{{ monitoring.batch_predictions_path }}/$run"
account="$(az ml datastore show --name workspaceblobstore "${AZ_ML[@]}" --query account_name --output tsv)"
container="$(az ml datastore show --name workspaceblobstore "${AZ_ML[@]}" --query container_name --output tsv)"
# --auth-mode login: the pipeline's identity (Storage Blob Data Contributor on the workspace storage).
az storage blob upload-batch --account-name "$account" --destination "$container" --destination-path "$inputs" \
  --source {{ scenario.batch_sample }} --auth-mode login --only-show-errors --output none
job="$(az ml batch-endpoint invoke --name "$endpoint" \
  --input "azureml://datastores/workspaceblobstore/paths/$inputs/" --input-type uri_folder \
  --output-path "azureml://datastores/workspaceblobstore/paths/$predictions/" \
  "${AZ_ML[@]}" --query name --output tsv)"
"$CI_DIR/wait_for_job.sh" "$env" "$job" "${BATCH_WAIT_MINUTES:-40}"
output_dir="$(mktemp -d)"
az ml job download --name "$job" --output-name score --download-path "$output_dir" "${AZ_ML[@]}"
if ! find "$output_dir" -type f -size +0 | grep -q .; then
  ci_error "batch job $job wrote no predictions"
  exit 1
fi
echo "predictions of $job:"
find "$output_dir" -type f -size +0 -exec head -n 5 {} +

# The monitor watches the model this deployment serves now (the file pins a dev version).
served="$(az ml batch-deployment show --name "$deployment" --endpoint-name "$endpoint" "${AZ_ML[@]}" \
  --query model --output tsv)"
apply_monitor --set "create_monitor.monitoring_target.model_id=$served"
ci_output deployment "$deployment"
{%- endif %}
