{%- set secure = cookiecutter.secure_workspace -%}
{%- set gpu = cookiecutter.ml_scenario in ["cv", "nlp"] -%}
{%- set adx = cookiecutter.observability_store == "adx" -%}
// One environment of the project, deployed into its resource group:
//   az deployment group create --resource-group rg-<prefix>-<env> --template-file main.bicep
//   --parameters environments/<env>.bicepparam   (see docs/infrastructure.md)
// The resource group is created once by ci/bootstrap.py (an administrator), not by CI: the CI identity is
// Contributor on this group only and cannot create or delete resource groups.
targetScope = 'resourceGroup'

@description('Prefix of every resource name (2-8 lowercase letters and digits).')
@minLength(2)
@maxLength(8)
param resourcePrefix string

@description('Environment name, part of every resource name.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Suffix that makes the globally unique names (storage, key vault, registries) unique.')
@minLength(3)
@maxLength(5)
param nameSuffix string

@description('Azure region (programmatic name, e.g. westeurope).')
param location string

@description('Object id of the CI identity service principal; empty skips its role assignments.')
param ciPrincipalId string = ''

@description('Whether this environment creates the Azure ML registry shared by dev and prod (exactly one should).')
param deployMlRegistry bool = false

@description('Extra principals (object ids) allowed to use the shared registry, e.g. the dev CI identity.')
param mlRegistryUserPrincipalIds array = []

{% if cookiecutter.custom_container -%}
@description('Resource id of a container registry outside this environment that the project\'s images are pulled from (containers.registry of config/<env>.yml names it); empty: the workspace\'s own registry.')
param externalContainerRegistryId string = ''

{% endif -%}
@description('Purge protection on the key vault; once on it cannot be turned off.')
param keyVaultPurgeProtection bool = true

@description('VM size of the CPU compute cluster.')
param cpuClusterVmSize string = 'Standard_DS3_v2'

@description('Maximum node count of the CPU cluster (it scales to zero when idle).')
@minValue(1)
@maxValue(100)
param cpuClusterMaxNodes int = 2
{%- if gpu %}

@description('VM size of the GPU compute cluster (needs GPU quota in the region).')
param gpuClusterVmSize string = 'Standard_NC4as_T4_v3'

@description('Maximum node count of the GPU cluster (it scales to zero when idle).')
@minValue(1)
@maxValue(20)
param gpuClusterMaxNodes int = 1
{%- endif %}

@description('Outbound isolation of the workspace managed network: AllowOnlyApprovedOutbound allows only Azure ML\'s own rules and the destinations in modules/workspace.bicep (Azure ML then runs a managed Azure Firewall, billed).')
@allowed([
  'AllowInternetOutbound'
  'AllowOnlyApprovedOutbound'
])
param managedNetworkIsolationMode string = 'AllowInternetOutbound'

@description('Tags added to every resource.')
param tags object = {}

// Resource names, in the formats of the template's naming rules (the same names are in config/<env>.yml).
var names = {
  resourceGroup: 'rg-${resourcePrefix}-${environmentName}' // the group ci/iac.sh deploys into (config/<env>.yml)
  workspace: 'mlw-${resourcePrefix}-${environmentName}'
  storageAccount: 'st${resourcePrefix}${environmentName}${nameSuffix}'
  keyVault: 'kv-${resourcePrefix}-${environmentName}-${nameSuffix}'
  containerRegistry: 'cr${resourcePrefix}${environmentName}${nameSuffix}'
  mlRegistry: 'mlr-${resourcePrefix}-${nameSuffix}'
  logAnalytics: 'log-${resourcePrefix}-${environmentName}'
  applicationInsights: 'appi-${resourcePrefix}-${environmentName}'
{%- if adx %}
  // Azure Data Explorer and what feeds it (observability_store=adx, modules/observability_adx.bicep).
  adxCluster: 'adx${resourcePrefix}${environmentName}${nameSuffix}'
  eventHubsNamespace: 'evhns-${resourcePrefix}-${environmentName}-${nameSuffix}'
  storageEventsTopic: 'evgt-${resourcePrefix}-${environmentName}-storage'
{%- endif %}
{%- if cookiecutter.feature_store %}
  featureStore: 'fs-${resourcePrefix}-${environmentName}'
  featureStoreStorage: 'stfs${resourcePrefix}${environmentName}${nameSuffix}'
  featureStoreIdentity: 'id-${resourcePrefix}-${environmentName}-materialization'
{%- endif %}
{%- if secure %}
  // The hub network shared by dev and prod (created by ci/bootstrap.py, see modules/network.bicep).
  networkResourceGroup: 'rg-${resourcePrefix}-network'
  hubNetwork: 'vnet-${resourcePrefix}-hub'
{%- endif %}
}

var allTags = union(tags, {
  environment: environmentName
  managed_by: 'bicep'
})

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    tags: allTags
  }
}

{%- if cookiecutter.deployment_mode == "online" %}
@description('E-mail address the endpoint\'s latency and error-rate alerts go to.')
param alertEmail string = {{ "'" ~ cookiecutter.alert_email ~ "'" }}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    namePrefix: '${resourcePrefix}-${environmentName}'
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmail: alertEmail
    tags: allTags
  }
}

{% endif -%}
module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storageAccount
    tags: allTags
  }
}

module keyVault 'modules/key_vault.bicep' = {
  name: 'key-vault'
  params: {
    location: location
    name: names.keyVault
    purgeProtection: keyVaultPurgeProtection
    tags: allTags
  }
}

module containerRegistry 'modules/container_registry.bicep' = {
  name: 'container-registry'
  params: {
    location: location
    name: names.containerRegistry
    tags: allTags
  }
}

module workspace 'modules/workspace.bicep' = {
  name: 'workspace'
  params: {
    location: location
    name: names.workspace
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
    containerRegistryId: containerRegistry.outputs.id
    ciPrincipalId: ciPrincipalId
    cpuClusterVmSize: cpuClusterVmSize
    cpuClusterMaxNodes: cpuClusterMaxNodes
{%- if gpu %}
    gpuClusterVmSize: gpuClusterVmSize
    gpuClusterMaxNodes: gpuClusterMaxNodes
{%- endif %}
    managedNetworkIsolationMode: managedNetworkIsolationMode
    tags: allTags
  }
}

{% if cookiecutter.custom_container -%}
// The project's images in an external registry: its pulling identities get AcrPull there, in the registry's own
// resource group (a resource id is /subscriptions/<id>/resourceGroups/<group>/providers/...).
module externalRegistryPull 'modules/external_registry_pull.bicep' = if (!empty(externalContainerRegistryId)) {
  name: 'external-registry-pull'
  scope: resourceGroup(split(externalContainerRegistryId, '/')[2], split(externalContainerRegistryId, '/')[4])
  params: {
    registryName: last(split(externalContainerRegistryId, '/'))
    principalIds: workspace.outputs.pullPrincipalIds
  }
}

{% endif -%}
{%- if cookiecutter.feature_store %}
// The managed feature store, its offline store and materialization identity (modules/feature_store.bicep).
module featureStore 'modules/feature_store.bicep' = {
  name: 'feature-store'
  params: {
    location: location
    name: names.featureStore
    storageName: names.featureStoreStorage
    identityName: names.featureStoreIdentity
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    keyVaultId: keyVault.outputs.id
    storageAccountId: storage.outputs.id
    computePrincipalIds: workspace.outputs.computePrincipalIds
    ciPrincipalId: ciPrincipalId
    managedNetworkIsolationMode: managedNetworkIsolationMode
    tags: allTags
  }
}

{%- endif %}
// The registry shared by dev and prod; only the environment with deployMlRegistry (prod) creates it.
module mlRegistry 'modules/ml_registry.bicep' = if (deployMlRegistry) {
  name: 'ml-registry'
  params: {
    location: location
    name: names.mlRegistry
    workspacePrincipalId: workspace.outputs.principalId
    userPrincipalIds: union(empty(ciPrincipalId) ? [] : [ciPrincipalId], mlRegistryUserPrincipalIds)
    tags: allTags
  }
}
{%- if adx %}

module observability 'modules/observability_adx.bicep' = {
  name: 'observability-adx'
  params: {
    location: location
    clusterName: names.adxCluster
    eventHubsNamespaceName: names.eventHubsNamespace
    systemTopicName: names.storageEventsTopic
    storageAccountName: names.storageAccount
    tags: allTags
  }
  dependsOn: [
    storage
  ]
}
{%- endif %}
{%- if secure %}

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    location: location
    endpointPrefix: 'pe-${resourcePrefix}-${environmentName}'
    networkResourceGroup: names.networkResourceGroup
    hubNetworkName: names.hubNetwork
    workspaceName: names.workspace
    workspaceId: workspace.outputs.id
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
    containerRegistryId: containerRegistry.outputs.id
    mlRegistryId: deployMlRegistry ? mlRegistry.outputs.id : ''
{%- if cookiecutter.custom_container %}
    externalContainerRegistryId: externalContainerRegistryId
{%- endif %}
{%- if adx %}
    adxClusterId: observability.outputs.clusterId
{%- endif %}
{%- if cookiecutter.feature_store %}
    featureStoreId: featureStore.outputs.id
    featureStoreStorageId: featureStore.outputs.offlineStoreId
{%- endif %}
    tags: allTags
  }
}
{%- endif %}

output resourceGroup string = resourceGroup().name
output workspace string = names.workspace
output workspacePrincipalId string = workspace.outputs.principalId
output mlRegistry string = names.mlRegistry
{%- if adx %}
output adxClusterUri string = observability.outputs.clusterUri
output adxDatabase string = observability.outputs.databaseName
{%- endif %}
{%- if cookiecutter.feature_store %}
output featureStore string = featureStore.outputs.name
{%- endif %}
