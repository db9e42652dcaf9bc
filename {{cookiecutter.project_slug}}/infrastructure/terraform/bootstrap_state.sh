#!/usr/bin/env bash
# Create the storage that holds one environment's Terraform state (run once per environment, before
# `terraform init`). Names come from backend/<env>.azurerm.tfbackend, the file `terraform init` reads too.
#
#   ./bootstrap_state.sh dev [CI_PRINCIPAL_OBJECT_ID]
#
# Needs the az CLI, signed in (az login) with rights to create resource groups and role assignments.
# Safe to re-run: every step leaves existing resources as they are.
set -euo pipefail

env="${1:?usage: $0 <dev|prod> [ci-principal-object-id]}"
ci_principal_id="${2:-}"
location="{{ cookiecutter.azure_location }}"
backend_file="$(dirname "$0")/backend/${env}.azurerm.tfbackend"
[[ -f "$backend_file" ]] || { echo "no backend config $backend_file" >&2; exit 1; }

# Read `key = "value"` lines of the backend file.
setting() { sed -n "s/^$1 *= *\"\(.*\)\"/\1/p" "$backend_file"; }
resource_group="$(setting resource_group_name)"
account="$(setting storage_account_name)"
container="$(setting container_name)"

az group create --name "$resource_group" --location "$location" --tags purpose=terraform-state environment="$env" --output none

if ! az storage account show --name "$account" --resource-group "$resource_group" --output none 2>/dev/null; then
  # State holds secrets in clear text: no shared keys, no anonymous access, TLS 1.2, versions kept for recovery.
  az storage account create --name "$account" --resource-group "$resource_group" --location "$location" \
    --sku Standard_ZRS --kind StorageV2 --min-tls-version TLS1_2 --https-only true \
    --allow-blob-public-access false --allow-shared-key-access false --output none
fi
az storage account blob-service-properties update --account-name "$account" --resource-group "$resource_group" \
  --enable-versioning true --enable-delete-retention true --delete-retention-days 30 --output none

account_id="$(az storage account show --name "$account" --resource-group "$resource_group" --query id --output tsv)"

# Terraform reads and writes the state with Entra ID (use_azuread_auth), so whoever runs it needs a data role.
grant() {
  az role assignment create --assignee-object-id "$1" --assignee-principal-type "$2" \
    --role "Storage Blob Data Contributor" --scope "$account_id" --output none
}
me="$(az ad signed-in-user show --query id --output tsv 2>/dev/null || true)"
if [[ -n "$me" ]]; then grant "$me" User; fi
if [[ -n "$ci_principal_id" ]]; then grant "$ci_principal_id" ServicePrincipal; fi

# A new role assignment can take a minute to apply; retry creating the container until it does.
for attempt in 1 2 3 4 5 6; do
  if az storage container create --name "$container" --account-name "$account" --auth-mode login --output none; then
    echo "state storage ready: $account/$container (terraform init -backend-config=$backend_file)"
    exit 0
  fi
  echo "waiting for the role assignment to apply (attempt $attempt)" >&2
  sleep 20
done
exit 1
