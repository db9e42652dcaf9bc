#!/usr/bin/env bash
{%- if cookiecutter.infrastructure == "terraform" %}
# Terraform for ENV: `plan` checks formatting, validates and plans WITHOUT taking the state lock (pull
# requests run it with a read-only identity that may read, but not write, the state); `apply` plans with
# the lock and applies that exact plan. State lives in the backend of backend/ENV.azurerm.tfbackend
# (created once by ci/bootstrap.py --environment ENV).
# Authentication: the ARM_* variables of an OIDC login (set by the pipeline).
{%- else %}
# Bicep for ENV, deployed into the environment's resource group (created once by ci/bootstrap.py):
# `plan` builds and lints the template and shows a what-if; `apply` deploys it.
# Pull requests run `plan` with a read-only identity: what-if normally needs the same write permissions as
# a deployment (Microsoft Learn, "Bicep deployment what-if operation", Required permissions), so the plan
# uses --validation-level ProviderNoRbac, which skips the caller's RBAC write checks (Azure CLI 2.76+;
# Microsoft Learn, ValidationLevel "ProviderNoRbac"), and the plan identity holds a custom role with
# read rights and Microsoft.Resources/deployments/whatIf/action only (ci/bootstrap.py).
# Authentication: the Azure CLI login of the pipeline.
{%- endif %}
# Usage: ci/iac.sh plan|apply ENV
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

action="$1"
env="$2"
require_env_name "$env"
case "$action" in
  plan | apply) ;;
  *)
    ci_error "unknown action '$action': expected plan or apply"
    exit 2
    ;;
esac
{%- if cookiecutter.infrastructure == "terraform" %}

# Azure DevOps: the providers and the state backend fetch (and refresh) their own federated token from the
# service connection, so applies longer than the ~10 minute lifetime of a one-off id token do not fail
# (microsoft/azure-pipelines-terraform#201, Azure/terraform-provider-azapi#515). azurerm reads
# ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, azapi ARM_OIDC_AZURE_SERVICE_CONNECTION_ID, both with
# SYSTEM_ACCESSTOKEN and SYSTEM_OIDCREQUESTURI (azurerm guide "Authenticating using a Service Principal and
# OpenID Connect"; azapi provider docs, oidc_azure_service_connection_id). The AzureCLI@2 task sets the
# AZURESUBSCRIPTION_* variables of its service connection.
if [ -n "${TF_BUILD:-}" ]; then
  connection="${AZURESUBSCRIPTION_SERVICE_CONNECTION_ID:?the AzureCLI@2 task did not set the service connection id}"
  export ARM_USE_OIDC=true ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID="$connection" ARM_OIDC_AZURE_SERVICE_CONNECTION_ID="$connection"
  export ARM_CLIENT_ID="${AZURESUBSCRIPTION_CLIENT_ID:-${servicePrincipalId:?}}" ARM_TENANT_ID="${AZURESUBSCRIPTION_TENANT_ID:-${tenantId:?}}"
  : "${SYSTEM_ACCESSTOKEN:?map System.AccessToken into the step environment}" "${SYSTEM_OIDCREQUESTURI:?}"
  unset ARM_OIDC_TOKEN
  ARM_SUBSCRIPTION_ID="$(az account show --query id --output tsv)"
  export ARM_SUBSCRIPTION_ID
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0

cd infrastructure/terraform || exit 1
terraform fmt -check -recursive -diff
terraform init -backend-config="backend/$env.azurerm.tfbackend"
terraform validate
if [ "$action" = apply ]; then
  terraform plan -lock-timeout=10m -var-file="environments/$env.tfvars" -out="$env.tfplan"
  terraform apply -lock-timeout=10m "$env.tfplan"
else
  # Taking the lock writes to the state container; the pull-request identity may only read it.
  terraform plan -lock=false -var-file="environments/$env.tfvars"
fi
{%- else %}

template=infrastructure/bicep/main.bicep
parameters="infrastructure/bicep/environments/$env.bicepparam"
resource_group="$(setting "$env" azure.resource_group)"
deployment="mlops-$env-${GITHUB_RUN_ID:-${BUILD_BUILDID:-local}}"

# `bicep build` fails on errors and prints the linter's warnings.
az bicep build --file "$template" --stdout >/dev/null
if [ "$action" = apply ]; then
  az deployment group what-if --name "$deployment" --resource-group "$resource_group" \
    --template-file "$template" --parameters "$parameters"
  az deployment group create --name "$deployment" --resource-group "$resource_group" \
    --template-file "$template" --parameters "$parameters" --output none
  echo "deployment $deployment finished"
else
  az deployment group what-if --name "$deployment" --resource-group "$resource_group" \
    --template-file "$template" --parameters "$parameters" --validation-level ProviderNoRbac
fi
{%- endif %}
