// prod environment: az deployment sub create --location {{ cookiecutter.azure_location }} --template-file main.bicep
//   --parameters environments/prod.bicepparam   (see docs/infrastructure.md)
// Resource names are derived from these values in main.bicep and match config/prod.yml.
using '../main.bicep'

param resourcePrefix = '{{ cookiecutter.resource_prefix }}'
param environmentName = 'prod'
param nameSuffix = '{{ cookiecutter.name_suffix }}'
param location = '{{ cookiecutter.azure_location }}'

// Object id of the service principal CI signs in as for prod (az ad sp show --id <client-id> --query id -o tsv).
// Empty: no role assignments for CI.
param ciPrincipalId = ''

// prod owns the Azure ML registry shared by dev and prod; add the dev CI object id here so dev can promote models.
param deployMlRegistry = true
param mlRegistryUserPrincipalIds = []

param keyVaultPurgeProtection = true
param cpuClusterMaxNodes = 4
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
param gpuClusterMaxNodes = 2
{%- endif %}
{%- if cookiecutter.secure_workspace %}

// The VNet of the private endpoints; peer it with the network you connect from (it must not overlap).
param vnetAddressSpace = '10.20.0.0/24'
param privateEndpointSubnetPrefix = '10.20.0.0/26'
{%- endif %}

// Outbound traffic of the workspace managed network. 'AllowOnlyApprovedOutbound' allows only what Azure ML needs
// and the package, image and model hosts of modules/workspace.bicep (and runs a billed managed Azure Firewall).
param managedNetworkIsolationMode = 'AllowInternetOutbound'
