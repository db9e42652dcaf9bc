#!/usr/bin/env bash
# Wait for an Azure ML job, at most MINUTES (default 45), then exit 0 if it completed, 1 if it
# failed or was canceled, 3 if it is still running. The bound keeps the CI job inside the hosted
# agent's time limit. The Azure ML job keeps running; re-running the CI run waits for it again
# (ci/train.sh finds the running job of the same commit).
# Usage: ci/wait_for_job.sh ENV JOB_NAME [MINUTES]
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="$1"
job="$2"
minutes="${3:-45}"
require_env_name "$env"
use_workspace "$env"

studio="$(az ml job show --name "$job" "${AZ_ML[@]}" --query services.Studio.endpoint --output tsv)"
echo "Azure ML job $job: $studio"

deadline=$(($(date +%s) + minutes * 60))
while :; do
  status="$(az ml job show --name "$job" "${AZ_ML[@]}" --query status --output tsv)"
  echo "$(date -u +%H:%M:%S) $job: $status"
  case "$status" in
    Completed)
      exit 0
      ;;
    Failed | Canceled | NotResponding)
      ci_error "Azure ML job $job ended $status: $studio"
      exit 1
      ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    ci_error "Azure ML job $job still $status after $minutes minutes; re-run this CI run to wait again (the job keeps running): $studio"
    exit 3
  fi
  sleep 60
done
