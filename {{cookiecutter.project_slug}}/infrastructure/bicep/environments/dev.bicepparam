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

param keyVaultPurgeProtection = false
param cpuClusterMaxNodes = 2
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
param gpuClusterMaxNodes = 1
{%- endif %}
