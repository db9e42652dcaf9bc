#!/usr/bin/env bash
# Weekly drift check of ENV against real production data: download what the
# {{ cookiecutter.deployment_mode }} endpoint received, then `make drift CURRENT=<that data>`. Plain `make drift`
# would compare the shipped, deliberately drifted data/drift-sample.csv and retrain every week.
# Exit codes, so the pipeline retrains only on real drift (it reads the `drifted` output, not the code):
#   0  no drift, or no production data yet (a warning; nothing to compare)
#   1  drift detected (output drifted=true)
#   3  the production data could not be fetched (login, permissions, download)
#   4  the drift check itself failed without a verdict
# Usage: ci/drift.sh ENV [DAYS]   (DAYS: how far back collected requests count, default 7)
{%- from "partials/deployment_settings.j2" import deployment_settings with context %}
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="${1:-}"
require_env_name "$env"
# Later steps read this output; it turns true only when make drift gives a drift verdict.
ci_output drifted false
days="${2:-${DRIFT_DAYS:-7}}"
case "$days" in
  '' | *[!0-9]*)
    ci_error "DAYS must be a whole number of days, got '$days'"
    exit 2
    ;;
esac

# Any failure while fetching data is an infrastructure problem, never a drift verdict: report it
# with its own label and exit code (set -E lets functions inherit the trap).
step="logging in to the workspace"
# shellcheck disable=SC2329 # called by the ERR trap below
fetch_failed() {
  ci_error "could not fetch production data from the $env workspace while $step (not a drift result)"
  exit 3
}
set -E
trap fetch_failed ERR

# Nothing to compare yet (first weeks, no traffic): warn and stop without retraining.
no_data() {
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "::warning::$*"
  elif [ -n "${TF_BUILD:-}" ]; then
    echo "##vso[task.logissue type=warning]$*"
  else
    echo "WARNING: $*" >&2
  fi
  echo "no production data to check: drift check skipped, no retraining"
  exit 0
}

use_workspace "$env"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
download="$work/download"
mkdir -p "$download"
{%- if cookiecutter.deployment_mode == "online" %}
endpoint="$(setting "$env" deployment.endpoint_name)"

step="reading endpoint $endpoint"
found="$(az ml online-endpoint list "${AZ_ML[@]}" --query "[?name=='$endpoint'].name" --output tsv)"
if [ -z "$found" ]; then
  no_data "online endpoint $endpoint does not exist in $env yet"
fi
# The live deployment is the one with the most traffic (same rule as the rollout).
live="$(az ml online-endpoint show --name "$endpoint" "${AZ_ML[@]}" --query traffic --output json |
  PYTHONPATH=src python -m {{ cookiecutter.package_name }}.serving.rollout live)"
if [ -z "$live" ]; then
  no_data "no deployment of $endpoint takes traffic"
fi
# score.py's Collector("model_inputs") writes JSON Lines under this folder of the workspace's
# default datastore; Azure ML registers the same folder as data asset $endpoint-$live-model_inputs.
prefix="modelDataCollector/$endpoint/$live/model_inputs/"
{%- else %}

# The files sent to the batch endpoint: ci/deploy.sh uploads each run's inputs under this folder,
# which the Azure ML batch monitor reads too (mlops/azureml/monitoring/monitor.yml, production_data).
prefix="{{ deployment_settings.monitoring.batch_inputs_path }}/"
{%- endif %}

step="looking up the storage of datastore workspaceblobstore"
account="$(az ml datastore show --name workspaceblobstore "${AZ_ML[@]}" --query account_name --output tsv)"
container="$(az ml datastore show --name workspaceblobstore "${AZ_ML[@]}" --query container_name --output tsv)"
step="downloading $container/$prefix from storage account $account"
echo "downloading production data: $account/$container/$prefix"
# --auth-mode login: the pipeline's identity (Storage Blob Data Reader), no account key.
az storage blob download-batch --account-name "$account" --source "$container" --pattern "$prefix*" \
  --destination "$download" --auth-mode login --only-show-errors --output none
{%- if cookiecutter.deployment_mode == "online" %}

step="reading the collected requests"
current="$work/current"
mkdir -p "$current"
# One CSV of the rows logged in the last DAYS days (each JSON line holds one request's rows in
# `data`, and its time in `time`): {{ "the features" if cookiecutter.ml_scenario == "tabular" else "score.py's description of each " ~ ("image" if cookiecutter.ml_scenario == "cv" else "text") }}.
python - "$download" "$current/production.csv" "$days" <<'PY'
import csv
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

source, target, days = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
since = datetime.now(UTC) - timedelta(days=days)
rows = []
for path in sorted(source.rglob("*.jsonl")):
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        logged = event.get("time")
        if logged and datetime.fromisoformat(logged.replace("Z", "+00:00")) < since:
            continue
        rows.extend(row for row in event.get("data") or [] if isinstance(row, dict))
if rows:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
print(f"{len(rows)} production rows from the last {days} days")
PY
if [ ! -s "$current/production.csv" ]; then
  no_data "no requests to $endpoint/$live were collected in the last $days days"
fi
{%- else %}
current="$download"
{%- set inputs = {"tabular": ["*.csv", "*.parquet"], "cv": ["*.png", "*.jpg", "*.jpeg"], "nlp": ["*.csv", "*.txt"]}[cookiecutter.ml_scenario] %}
if [ -z "$(find "$current" -type f \( {% for pattern in inputs %}{% if not loop.first %}-o {% endif %}-iname '{{ pattern }}' {% endfor %}\) -print -quit)" ]; then
  no_data "no {{ inputs | join(", ") }} files in $prefix of the $env workspace yet"
fi
{%- endif %}
trap - ERR

# From here on a non-zero exit is either the drift verdict or a broken check: drift.json tells which.
verdict=outputs/drift/drift.json
rm -f "$verdict"
status=0
make drift CURRENT="$current" ENV="$env" || status=$?
if [ "$status" -eq 0 ]; then
  echo "no drift"
  exit 0
fi
if [ -f "$verdict" ] && python -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["drift_detected"] else 1)' "$verdict"; then
  ci_output drifted true
  ci_error "drift detected in the $env production data: retraining is triggered"
  exit 1
fi
ci_error "the drift check failed without a verdict (exit $status, see above): not retraining"
exit 4
