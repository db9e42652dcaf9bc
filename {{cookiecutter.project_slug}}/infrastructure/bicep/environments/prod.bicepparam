// prod environment: az deployment group create --resource-group rg-{{ cookiecutter.resource_prefix }}-prod --template-file main.bicep
//   --parameters environments/prod.bicepparam   (see docs/infrastructure.md)
// Resource names are derived from these values in main.bicep and match config/prod.yml.
using '../main.bicep'

param resourcePrefix = '{{ cookiecutter.resource_prefix }}'
param environmentName = 'prod'
param nameSuffix = '{{ cookiecutter.name_suffix }}'
param location = '{{ cookiecutter.azure_location }}'

// Object id (principal id) of the prod CI managed identity. python ci/bootstrap.py --environment prod writes it;
// empty: no role assignments for CI.
param ciPrincipalId = ''

// prod owns the Azure ML registry shared by dev and prod. The dev CI identity copies models into it (promotion):
// python ci/bootstrap.py writes its principal id here, and only this code grants it AzureML Registry User.
param deployMlRegistry = true
param mlRegistryUserPrincipalIds = []

param keyVaultPurgeProtection = true
param cpuClusterMaxNodes = 4
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
param gpuClusterMaxNodes = 2
{%- endif %}

// Outbound traffic of the workspace managed network. 'AllowOnlyApprovedOutbound' allows only what Azure ML needs
// and the package, image and model hosts of modules/workspace.bicep (and runs a billed managed Azure Firewall).
param managedNetworkIsolationMode = 'AllowInternetOutbound'
