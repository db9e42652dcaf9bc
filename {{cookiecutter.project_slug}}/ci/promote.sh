#!/usr/bin/env bash
# Copy the approved model into the shared Azure ML registry, without retraining. "Approved" is
# the model the dev endpoint serves now: it passed the training gate and the dev smoke test.
# NAME and VERSION (optional, together) pick another version of the dev workspace instead.
# Prints and outputs `model`: the registry reference that the prod deployment uses.
# Usage: ci/promote.sh [NAME VERSION]
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

name="${1:-}"
version="${2:-}"
use_workspace dev
registry="$(setting dev azure.ml_registry)"
endpoint="$(setting dev deployment.endpoint_name)"

if [ -z "$name" ] || [ -z "$version" ]; then
{%- if cookiecutter.deployment_mode == "online" %}
  deployment="$(az ml online-endpoint show --name "$endpoint" "${AZ_ML[@]}" --query traffic --output json |
    python -c 'import json, sys; t = json.load(sys.stdin) or {}; print(max(t, key=t.get) if any(t.values()) else "")')"
  if [ -z "$deployment" ]; then
    ci_error "dev endpoint $endpoint serves no deployment: deploy to dev first"
    exit 1
  fi
  model_id="$(az ml online-deployment show --name "$deployment" --endpoint-name "$endpoint" "${AZ_ML[@]}" \
    --query model --output tsv)"
{%- else %}
  deployment="$(az ml batch-endpoint show --name "$endpoint" "${AZ_ML[@]}" --query defaults.deployment_name --output tsv)"
  if [ -z "$deployment" ]; then
    ci_error "dev batch endpoint $endpoint has no default deployment: deploy to dev first"
    exit 1
  fi
  model_id="$(az ml batch-deployment show --name "$deployment" --endpoint-name "$endpoint" "${AZ_ML[@]}" \
    --query model --output tsv)"
{%- endif %}
  # The id is an ARM path (.../models/<name>/versions/<version>) or azureml:<name>:<version>.
  parsed="$(python "$CI_DIR/model_reference.py" "$model_id")"
  read -r name version <<<"$parsed"
  echo "dev deployment $deployment serves $name version $version"
fi

if az ml model show --name "$name" --version "$version" --registry-name "$registry" --output none 2>/dev/null; then
  echo "$name version $version is already in registry $registry"
else
  az ml model share --name "$name" --version "$version" "${AZ_ML[@]}" \
    --registry-name "$registry" --share-with-name "$name" --share-with-version "$version"
  echo "shared $name version $version into registry $registry"
fi
ci_output model "azureml://registries/$registry/models/$name/versions/$version"
{%- if cookiecutter.responsible_ai %}
# The reviewer of prod opens this link (run summary; GitHub also shows it on the prod environment).
review_url="$("$CI_DIR/rai_review.sh" link "$name" "$version" | tail -n 1)"
ci_output review_url "$review_url"
{%- endif %}
