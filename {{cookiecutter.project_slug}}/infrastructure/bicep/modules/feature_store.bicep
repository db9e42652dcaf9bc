{%- set secure = cookiecutter.secure_workspace -%}
// The managed feature store of this environment (feature_store=true): an Azure ML workspace of kind FeatureStore,
// its offline store (an ADLS Gen2 account), and the user-assigned identity its materialization jobs run as.
// Roles: Microsoft Learn, "Manage access control for managed feature store"
// (https://learn.microsoft.com/azure/machine-learning/how-to-setup-access-control-feature-store): the
// materialization identity gets AzureML Data Scientist on the feature store, Storage Blob Data Contributor on
// the offline store and Storage Blob Data Reader on the source data; consumers (training compute) read the
// offline store. Same resources and roles as infrastructure/terraform/feature_store.tf.
param location string
param name string
param storageName string
param identityName string
param applicationInsightsId string
param keyVaultId string
param storageAccountId string
param computePrincipalIds array
param ciPrincipalId string = ''
param managedNetworkIsolationMode string
param tags object

// Built-in role definition ids (the same for every tenant).
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  azureMLDataScientist: 'f6c7c914-8db3-469d-8ca1-694a8f32e121'
}

resource offlineStore 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  // checkov:skip=CKV_AZURE_206:Locally redundant: the offline store is recomputed from its sources by materialization
  // checkov:skip=CKV_AZURE_43:Checkov reads the parameter's name (storageName), not its value: stfs<prefix><env><suffix>, 3-24 lowercase letters and digits
{%- if not secure %}
  // checkov:skip=CKV_AZURE_59:Public network access is on by choice (secure_workspace=false); access still needs Entra ID
  // checkov:skip=CKV_AZURE_35:Network rules allow public traffic by choice (secure_workspace=false)
{%- endif %}
  name: storageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    isHnsEnabled: true // ADLS Gen2: the only offline store type a feature store takes
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    isLocalUserEnabled: false // no SFTP/local users: Entra ID only
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
    networkAcls: {
      defaultAction: '{{ "Deny" if secure else "Allow" }}'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: offlineStore
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

// Materialized feature values, and the feature sets' sources (ci/feature_store.sh uploads them).
resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [for container in [
  'offline'
  'sources'
]: {
  parent: blobService
  name: container
  properties: {
    publicAccess: 'None'
  }
}]

resource materialization 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource featureStore 'Microsoft.MachineLearningServices/workspaces@2025-06-01' = {
{%- if secure %}
  // checkov:skip=CKV_AZURE_243:The feature store private endpoint is in network.bicep
{%- else %}
  // checkov:skip=CKV_AZURE_243:No private endpoint by choice (secure_workspace=false)
  // checkov:skip=CKV_AZURE_144:Public network access is on by choice (secure_workspace=false); sign-in with Entra ID is still required
{%- endif %}
  name: name
  location: location
  tags: tags
  kind: 'FeatureStore'
  identity: {
    type: 'SystemAssigned,UserAssigned'
    userAssignedIdentities: {
      '${materialization.id}': {}
    }
  }
  sku: {
    name: 'Basic'
    tier: 'Basic'
  }
  properties: {
    friendlyName: name
    applicationInsights: applicationInsightsId
    storageAccount: storageAccountId
    keyVault: keyVaultId
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
    primaryUserAssignedIdentity: materialization.id
    systemDatastoresAuthMode: 'identity'
    // The Spark runtime of materialization jobs (reference-yaml-feature-store: compute_runtime.spark_runtime_version).
    featureStoreSettings: {
      computeRuntime: {
        sparkRuntimeVersion: '3.4'
      }
      offlineStoreConnectionName: 'OfflineStoreConnectionName'
    }
    managedNetwork: {
      isolationMode: managedNetworkIsolationMode
    }
  }
}

// One role assignment on the scope it grants: the name is stable per scope, principal and role.
resource materializationStoreGrant 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(featureStore.id, materialization.id, roles.azureMLDataScientist)
  scope: featureStore
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.azureMLDataScientist)
    principalId: materialization.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource materializationOfflineGrant 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(offlineStore.id, materialization.id, roles.storageBlobDataContributor)
  scope: offlineStore
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: materialization.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Training reads materialized features (a feature set consumer): the offline store, read only.
resource consumerGrants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principal in computePrincipalIds: {
  name: guid(offlineStore.id, principal, roles.storageBlobDataReader)
  scope: offlineStore
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: principal
    principalType: 'ServicePrincipal'
  }
}]

// CI registers entities and feature sets (a feature set developer).
resource ciStoreGrant 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  name: guid(featureStore.id, ciPrincipalId, roles.azureMLDataScientist)
  scope: featureStore
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.azureMLDataScientist)
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// CI uploads the feature sets' sources: write access to that container only.
resource ciSourcesGrant 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  name: guid(containers[1].id, ciPrincipalId, roles.storageBlobDataContributor)
  scope: containers[1]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output id string = featureStore.id
output name string = featureStore.name
output offlineStoreId string = offlineStore.id
