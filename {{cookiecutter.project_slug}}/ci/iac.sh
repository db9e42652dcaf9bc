#!/usr/bin/env bash
{%- if cookiecutter.infrastructure == "terraform" %}
# Terraform for ENV: `plan` checks formatting, validates and writes ENV.tfplan; `apply` plans and
# applies that exact plan. State lives in the backend of backend/ENV.azurerm.tfbackend (created
# once by infrastructure/terraform/bootstrap_state.sh ENV).
# Authentication: the ARM_* variables of an OIDC login (set by the pipeline).
{%- else %}
# Bicep for ENV (subscription scope): `plan` builds the template and shows a what-if against the
# subscription; `apply` deploys it. Authentication: the Azure CLI login of the pipeline.
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

# On Azure DevOps the AzureCLI task (addSpnToEnvironment) hands over the federated token.
if [ -n "${TF_BUILD:-}" ] && [ -n "${idToken:-}" ]; then
  export ARM_USE_OIDC=true ARM_OIDC_TOKEN="$idToken" ARM_CLIENT_ID="${servicePrincipalId:?}" ARM_TENANT_ID="${tenantId:?}"
  ARM_SUBSCRIPTION_ID="$(az account show --query id --output tsv)"
  export ARM_SUBSCRIPTION_ID
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0

cd infrastructure/terraform || exit 1
terraform fmt -check -recursive -diff
terraform init -backend-config="backend/$env.azurerm.tfbackend"
terraform validate
terraform plan -lock-timeout=10m -var-file="environments/$env.tfvars" -out="$env.tfplan"
if [ "$action" = apply ]; then
  terraform apply -lock-timeout=10m "$env.tfplan"
fi
{%- else %}

template=infrastructure/bicep/main.bicep
parameters="infrastructure/bicep/environments/$env.bicepparam"
location="$(setting "$env" azure.location)"
deployment="mlops-$env-${GITHUB_RUN_ID:-${BUILD_BUILDID:-local}}"

# `bicep build` fails on errors and prints the linter's warnings.
az bicep build --file "$template" --stdout >/dev/null
az deployment sub what-if --name "$deployment" --location "$location" \
  --template-file "$template" --parameters "$parameters"
if [ "$action" = apply ]; then
  az deployment sub create --name "$deployment" --location "$location" \
    --template-file "$template" --parameters "$parameters" --output none
  echo "deployment $deployment finished"
fi
{%- endif %}
