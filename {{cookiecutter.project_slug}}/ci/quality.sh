#!/usr/bin/env bash
# Weekly model-quality check of ENV against delayed labels: download what the {{ cookiecutter.deployment_mode }} deployment predicted
# and the labels your label feed wrote to the datastore folder monitoring.quality.ground_truth_path, read the
# served model's test-time quality from its registry tags, then `make quality` (docs/observability.md).
# Exit codes, so the pipeline retrains only on a real drop (it reads the `degraded` output, not the code):
#   0  quality holds, or nothing to judge yet (no predictions or no labels: a warning)
#   1  quality dropped beyond monitoring.quality.max_drop (output degraded=true)
#   3  the data could not be fetched (login, permissions, download)
#   4  the quality check itself failed without a verdict
# Usage: ci/quality.sh ENV
{%- from "partials/deployment_settings.j2" import deployment_settings with context %}
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="${1:-}"
require_env_name "$env"
# Later steps read this output; it turns true only when make quality gives a drop verdict.
ci_output degraded false

step="logging in to the workspace"
# shellcheck disable=SC2329 # called by the ERR trap below
fetch_failed() {
  ci_error "could not fetch predictions or labels from the $env workspace while $step (not a quality result)"
  exit 3
}
set -E
trap fetch_failed ERR

no_data() {
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "::warning::$*"
  elif [ -n "${TF_BUILD:-}" ]; then
    echo "##vso[task.logissue type=warning]$*"
  else
    echo "WARNING: $*" >&2
  fi
  echo "nothing to judge: quality check skipped, no retraining"
  exit 0
}

use_workspace "$env"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
endpoint="$(setting "$env" deployment.endpoint_name)"
{%- if cookiecutter.deployment_mode == "online" %}

step="reading endpoint $endpoint"
found="$(az ml online-endpoint list "${AZ_ML[@]}" --query "[?name=='$endpoint'].name" --output tsv)"
if [ -z "$found" ]; then
  no_data "online endpoint $endpoint does not exist in $env yet"
fi
live="$(az ml online-endpoint show --name "$endpoint" "${AZ_ML[@]}" --query traffic --output json |
  PYTHONPATH=src python -m {{ cookiecutter.package_name }}.serving.rollout live)"
if [ -z "$live" ]; then
  no_data "no deployment of $endpoint takes traffic"
fi
served="$(az ml online-deployment show --name "$live" --endpoint-name "$endpoint" "${AZ_ML[@]}" --query model --output tsv)"
# score.py's Collector("model_outputs"): one JSON line per request, its correlation id in `correlationid`.
prefix="modelDataCollector/$endpoint/$live/model_outputs/"
{%- else %}

step="reading batch endpoint $endpoint"
deployment="$(yaml_value mlops/azureml/deploy/batch/deployment.yml name)"
served="$(az ml batch-deployment show --name "$deployment" --endpoint-name "$endpoint" "${AZ_ML[@]}" --query model --output tsv)"
# The batch jobs' predictions (ci/deploy.sh invokes with --output-path under this folder).
prefix="{{ deployment_settings.monitoring.batch_predictions_path }}/"
{%- endif %}

# The served model's registry tags hold the gate's metric and its test score (common/register.py).
step="reading the tags of model $served"
read -r -a model_args <<<"$(python - "$served" <<'PY'
import re
import sys

served = sys.argv[1]
found = re.search(r"registries/([^/]+)/models/([^/]+)/versions/([^/]+)", served)
if found:
    print(f"--registry-name {found[1]} --name {found[2]} --version {found[3]}")
else:
    found = re.search(r"models/([^/]+)/versions/([^/]+)", served) or re.search(r"azureml:([^:/]+):([^:/]+)$", served)
    print(f"--name {found[1]} --version {found[2]}")
PY
)"
if [[ " ${model_args[*]} " == *" --registry-name "* ]]; then
  az ml model show "${model_args[@]}" --query tags --output json >"$work/baseline.json"
else
  az ml model show "${model_args[@]}" "${AZ_ML[@]}" --query tags --output json >"$work/baseline.json"
fi

step="looking up the storage of datastore workspaceblobstore"
account="$(az ml datastore show --name workspaceblobstore "${AZ_ML[@]}" --query account_name --output tsv)"
container="$(az ml datastore show --name workspaceblobstore "${AZ_ML[@]}" --query container_name --output tsv)"
labels_prefix="$(setting "$env" monitoring.quality.ground_truth_path)/"
step="downloading $container/$prefix and $container/$labels_prefix from storage account $account"
mkdir -p "$work/predictions" "$work/labels"
# --auth-mode login: the pipeline's identity (Storage Blob Data Reader), no account key.
az storage blob download-batch --account-name "$account" --source "$container" --pattern "$prefix*" \
  --destination "$work/predictions" --auth-mode login --only-show-errors --output none
az storage blob download-batch --account-name "$account" --source "$container" --pattern "$labels_prefix*" \
  --destination "$work/labels" --auth-mode login --only-show-errors --output none

step="reading the labels"
# Every CSV the label feed wrote, as one file (the same columns in each: correlation_id and the target).
python - "$work/labels" "$work/labels.csv" {% if cookiecutter.deployment_mode == "batch" %}"$work/predictions" "$work/predictions.csv" {% endif %}<<'PY'
import sys
from pathlib import Path

import pandas as pd

files = sorted(Path(sys.argv[1]).rglob("*.csv"))
if files:
    pd.concat([pd.read_csv(f, dtype={"correlation_id": str}) for f in files]).to_csv(sys.argv[2], index=False)
print(f"{len(files)} label file(s)")
{%- if cookiecutter.deployment_mode == "batch" %}
# Batch predictions: header-less CSV lines of the scoring script (serving/errors.py BATCH_COLUMNS), one folder
# per run dated YYYY/MM/DD; the application id is the correlation id, the run date the time of the prediction.
columns = ["source_file", "row", "id", "prediction", "probability", "error"]
frames = []
for path in sorted(Path(sys.argv[3]).rglob("*.csv")):
    frame = pd.read_csv(path, header=None, names=columns, dtype={"id": str})
    day = "-".join(path.relative_to(sys.argv[3]).parts[-5:-2])
    frames.append(frame[frame["error"].isna()].assign(correlation_id=frame["id"], row=0, time=day))
if frames:
    pd.concat(frames)[["correlation_id", "row", "prediction", "probability", "time"]].to_csv(sys.argv[4], index=False)
print(f"{sum(len(f) for f in frames)} predictions")
{%- endif %}
PY
if [ ! -s "$work/labels.csv" ]; then
  no_data "no labels under $labels_prefix of the $env workspace yet"
fi
{%- if cookiecutter.deployment_mode == "online" %}
predictions="$work/predictions"
if [ -z "$(find "$predictions" -type f -name '*.jsonl' -print -quit)" ]; then
  no_data "no collected outputs of $endpoint/$live yet"
fi
{%- else %}
predictions="$work/predictions.csv"
if [ ! -s "$predictions" ]; then
  no_data "no batch predictions under $prefix yet"
fi
{%- endif %}
trap - ERR

verdict=outputs/quality/quality.json
rm -f "$verdict"
status=0
make quality PREDICTIONS="$predictions" LABELS="$work/labels.csv" BASELINE="$work/baseline.json" ENV="$env" || status=$?
if [ "$status" -eq 0 ]; then
  echo "quality holds"
  exit 0
fi
if [ -f "$verdict" ] && python -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["degraded"] else 1)' "$verdict"; then
  ci_output degraded true
  ci_error "model quality dropped in $env: retraining is triggered"
  exit 1
fi
ci_error "the quality check failed without a verdict (exit $status, see above): not retraining"
exit 4
