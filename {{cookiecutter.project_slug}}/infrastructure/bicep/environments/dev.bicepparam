// dev environment: az deployment group create --resource-group rg-{{ cookiecutter.resource_prefix }}-dev --template-file main.bicep
//   --parameters environments/dev.bicepparam   (see docs/infrastructure.md)
// Resource names are derived from these values in main.bicep and match config/dev.yml.
using '../main.bicep'

param resourcePrefix = '{{ cookiecutter.resource_prefix }}'
param environmentName = 'dev'
param nameSuffix = '{{ cookiecutter.name_suffix }}'
param location = '{{ cookiecutter.azure_location }}'

// Object id (principal id) of the dev CI managed identity. python ci/bootstrap.py --environment dev writes it;
// empty: no role assignments for CI.
param ciPrincipalId = ''

// The shared Azure ML registry is created by prod (environments/prod.bicepparam).
param deployMlRegistry = false

// On in dev too: a deleted secret or vault stays recoverable (secure baseline). The price: after the
// resource group is deleted, the vault name stays reserved for its 90-day retention, so re-create the dev
// environment with another nameSuffix, or recover the vault first (az keyvault recover --name <vault>).
param keyVaultPurgeProtection = true
param cpuClusterMaxNodes = 2
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
param gpuClusterMaxNodes = 1
{%- endif %}

// Outbound traffic of the workspace managed network. 'AllowOnlyApprovedOutbound' allows only what Azure ML needs
// and the package, image and model hosts of modules/workspace.bicep (and runs a billed managed Azure Firewall).
param managedNetworkIsolationMode = 'AllowInternetOutbound'
