#!/usr/bin/env bash
{%- from "partials/scenario.j2" import scenario with context %}
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
# sample data and check that the job wrote predictions.
# MODEL (optional; argument or environment variable) replaces the deployment's model, e.g. the
# registry copy in prod.
# Usage: ci/deploy.sh ENV [MODEL]
{%- endif %}
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="$1"
model="${2:-${MODEL:-}}"
require_env_name "$env"
use_workspace "$env"
endpoint="$(setting "$env" deployment.endpoint_name)"
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

# Data-drift monitoring of the live deployment (created once, then updated). The file names the
# dev endpoint and the blue colour: point it at this environment's endpoint and the new live colour.
monitor=mlops/azureml/monitoring/monitor.yml
if [ -f "$monitor" ]; then
  schedule="$(yaml_value "$monitor" name)"
  targets=(--set "create_monitor.monitoring_target.endpoint_deployment_id=azureml:$endpoint:$new")
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
  # The reference of each signal is what this deployment collected in earlier weeks.
  for signal in input_drift input_quality; do
    targets+=(--set "create_monitor.monitoring_signals.$signal.reference_data.input_data.path=azureml:$endpoint-$new-model_inputs:1")
  done
  targets+=(--set "create_monitor.monitoring_signals.prediction_drift.reference_data.input_data.path=azureml:$endpoint-$new-model_outputs:1")
{%- endif %}
  if az ml schedule show --name "$schedule" "${AZ_ML[@]}" --output none 2>/dev/null; then
    az ml schedule update --file "$monitor" "${targets[@]}" "${AZ_ML[@]}" --output none
  else
    az ml schedule create --file "$monitor" "${targets[@]}" "${AZ_ML[@]}" --output none
  fi
  echo "monitoring schedule $schedule applied"
fi
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

# Score the shipped sample and check that predictions came back.
job="$(az ml batch-endpoint invoke --name "$endpoint" --input {{ scenario.batch_sample }} --input-type uri_folder \
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
ci_output deployment "$deployment"
{%- endif %}
