#!/usr/bin/env bash
# Point the feature store of ENV at its offline store and materialization identity, upload the feature sets'
# sources, and register the entity and the feature set (featurestore/) when their versions are missing. The
# feature set's materialization_settings (featurestore/featuresets/payment_history/featureset.yml) turn on
# offline materialization on a schedule. The infrastructure creates the store, the offline store account and
# the identity with their roles (infrastructure/*/feature_store.*). ci/train.sh runs it before training.
# Usage: ci/feature_store.sh ENV
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="$1"
require_env_name "$env"
use_workspace "$env"
resource_group="$(setting "$env" azure.resource_group)"
store="$(setting "$env" feature_store.name)"
storage="$(setting "$env" feature_store.offline_storage_account)"
identity="$(setting "$env" feature_store.materialization_identity)"
FS=(--resource-group "$resource_group" --feature-store-name "$store")

# Before the infrastructure's first deployment there is no store yet: nothing to register (train.sh skips too).
if ! az ml feature-store show --name "$store" --resource-group "$resource_group" --output none 2>/dev/null; then
  echo "feature store $store does not exist yet: the infrastructure run creates it"
  exit 0
fi

# Offline store and materialization identity (reference-yaml-feature-store: offline_store, materialization_identity).
subscription="$(az account show --query id --output tsv)"
client_id="$(az identity show --name "$identity" --resource-group "$resource_group" --query clientId --output tsv)"
identity_id="$(az identity show --name "$identity" --resource-group "$resource_group" --query id --output tsv)"
staged="$(mktemp -d)"
cat >"$staged/feature_store.yml" <<YAML
name: $store
offline_store:
  type: azure_data_lake_gen2
  target: /subscriptions/$subscription/resourceGroups/$resource_group/providers/Microsoft.Storage/storageAccounts/$storage/blobServices/default/containers/offline
materialization_identity:
  client_id: $client_id
  resource_id: $identity_id
YAML
az ml feature-store update --file "$staged/feature_store.yml" --resource-group "$resource_group" --name "$store" \
  --output none

# The source the spec reads (source.path): the data asset's file in the store's "sources" container.
az storage blob upload --auth-mode login --account-name "$storage" --container-name sources \
  --name payment_history/payment_history.csv --file data/payment_history.csv --overwrite --only-show-errors \
  --output none
cp -R featurestore/featuresets/payment_history "$staged/payment_history"
sed -i "s/STORAGE_ACCOUNT/$storage/" "$staged/payment_history/spec/FeatureSetSpec.yaml"

entity=featurestore/entities/applicant.yml
entity_name="$(yaml_value "$entity" name)"
entity_version="$(yaml_value "$entity" version)"
if az ml feature-store-entity show --name "$entity_name" --version "$entity_version" "${FS[@]}" --output none \
  2>/dev/null; then
  echo "entity $entity_name:$entity_version is registered"
else
  az ml feature-store-entity create --file "$entity" "${FS[@]}" --output none
  echo "registered entity $entity_name:$entity_version"
fi

feature_set="$staged/payment_history/featureset.yml"
set_name="$(yaml_value "$feature_set" name)"
set_version="$(yaml_value "$feature_set" version)"
if az ml feature-set show --name "$set_name" --version "$set_version" "${FS[@]}" --output none 2>/dev/null; then
  echo "feature set $set_name:$set_version is registered (materialized on its schedule)"
else
  az ml feature-set create --file "$feature_set" "${FS[@]}" --output none
  echo "registered feature set $set_name:$set_version with scheduled materialization"
fi
