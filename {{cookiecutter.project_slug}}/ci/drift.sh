#!/usr/bin/env bash
# Weekly drift check: `make drift` exits non-zero when the recent data drifted from the training
# data; the pipeline then starts a retraining run. Kept as a script so both CI platforms and a
# laptop run the same command.
# Usage: ci/drift.sh
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

if ! make drift; then
  ci_error "drift detected (or the drift check failed): retraining is triggered"
  exit 1
fi
echo "no drift"
