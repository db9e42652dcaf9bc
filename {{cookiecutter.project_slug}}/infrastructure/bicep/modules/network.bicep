// Private access (secure_workspace). Compute reaches storage, key vault and ACR through the workspace's managed
// network (see workspace.bicep). People and CI reach the workspaces, storage, key vaults and the shared registry
// through private endpoints in ONE hub network shared by dev and prod, created once by ci/bootstrap.py
// (rg-<prefix>-network: vnet-<prefix>-hub, its subnets and one set of privatelink.* DNS zones linked to it).
// One set of zones holds the records of both environments, so a runner in the hub (snet-ci-runners) resolves
// and reaches everything a CI stage touches: promotion needs the dev workspace AND the prod registry.
// This environment's identity may only join the hub's subnet and DNS zones (a role the bootstrap grants).
param location string
param endpointPrefix string
param networkResourceGroup string
param hubNetworkName string
param workspaceName string
param workspaceId string
param storageAccountId string
param keyVaultId string
param containerRegistryId string
param mlRegistryId string = ''
{%- if cookiecutter.custom_container %}
param externalContainerRegistryId string = ''
{%- endif %}
@description('Azure Data Explorer cluster (observability_store=adx); empty: none.')
param adxClusterId string = ''
{%- if cookiecutter.feature_store %}
param featureStoreId string
param featureStoreStorageId string
{%- endif %}
param tags object

// One private endpoint per service and sub-resource; each registers its addresses in the listed DNS zones.
var privateEndpoints = concat([
  {
    key: 'workspace'
    resourceId: workspaceId
    subresource: 'amlworkspace'
    dnsZones: [
      'privatelink.api.azureml.ms'
      'privatelink.notebooks.azure.net'
    ]
  }
  {
    key: 'blob'
    resourceId: storageAccountId
    subresource: 'blob'
    dnsZones: [
      'privatelink.blob.core.windows.net'
    ]
  }
  {
    key: 'file'
    resourceId: storageAccountId
    subresource: 'file'
    dnsZones: [
      'privatelink.file.core.windows.net'
    ]
  }
  {
    key: 'vault'
    resourceId: keyVaultId
    subresource: 'vault'
    dnsZones: [
      'privatelink.vaultcore.azure.net'
    ]
  }
  {
    key: 'registry'
    resourceId: containerRegistryId
    subresource: 'registry'
    dnsZones: [
      'privatelink.azurecr.io'
    ]
  }
], empty(mlRegistryId) ? [] : [
  {
    key: 'ml_registry'
    resourceId: mlRegistryId
    subresource: 'amlregistry'
    dnsZones: [
      'privatelink.api.azureml.ms'
    ]
  }
], empty(adxClusterId) ? [] : [
  {
    // Azure Data Explorer registers the cluster in its regional zone and its ingestion storage in the
    // blob, queue and table zones (Microsoft Learn, "Azure Private Endpoint private DNS zone values").
    key: 'adx'
    resourceId: adxClusterId
    subresource: 'cluster'
    dnsZones: [
      'privatelink.${location}.kusto.windows.net'
      'privatelink.blob.core.windows.net'
      'privatelink.queue.core.windows.net'
      'privatelink.table.core.windows.net'
    ]
  }
]{% if cookiecutter.feature_store %}, [
  // The feature store and its offline store, private like the workspace.
  {
    key: 'feature_store'
    resourceId: featureStoreId
    subresource: 'amlworkspace'
    dnsZones: [
      'privatelink.api.azureml.ms'
      'privatelink.notebooks.azure.net'
    ]
  }
  {
    key: 'feature_store_blob'
    resourceId: featureStoreStorageId
    subresource: 'blob'
    dnsZones: [
      'privatelink.blob.core.windows.net'
    ]
  }
]{% endif %})


resource hub 'Microsoft.Network/virtualNetworks@2024-05-01' existing = {
  scope: resourceGroup(networkResourceGroup)
  name: hubNetworkName
}

resource subnet 'Microsoft.Network/virtualNetworks/subnets@2024-05-01' existing = {
  parent: hub
  name: 'snet-private-endpoints'
}

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for endpoint in privateEndpoints: {
  name: '${endpointPrefix}-${endpoint.key}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnet.id
    }
    privateLinkServiceConnections: [
      {
        name: 'psc-${endpoint.key}'
        properties: {
          privateLinkServiceId: endpoint.resourceId
          groupIds: [
            endpoint.subresource
          ]
        }
      }
    ]
  }
}]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [for (endpoint, i) in privateEndpoints: {
  parent: endpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [for zone in endpoint.dnsZones: {
      name: replace(zone, '.', '-')
      properties: {
        privateDnsZoneId: resourceId(networkResourceGroup, 'Microsoft.Network/privateDnsZones', zone)
      }
    }]
  }
}]

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' existing = {
  name: workspaceName
}

// Jobs and deployments in the managed network reach the (private) shared registry through this rule.
resource mlRegistryOutboundRule 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = if (!empty(mlRegistryId)) {
  parent: workspace
  name: 'ml-registry'
  properties: {
    type: 'PrivateEndpoint'
    category: 'UserDefined'
    destination: {
      serviceResourceId: mlRegistryId
      subresourceTarget: 'amlregistry'
      sparkEnabled: false
    }
  }
}
{%- if cookiecutter.custom_container %}

// An external registry of the project's images (custom_container) is reached privately too: jobs and deployments
// in the managed network pull through a private endpoint Azure ML creates for this rule.
resource externalRegistryOutboundRule 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = if (!empty(externalContainerRegistryId)) {
  parent: workspace
  name: 'external-container-registry'
  properties: {
    type: 'PrivateEndpoint'
    category: 'UserDefined'
    destination: {
      serviceResourceId: externalContainerRegistryId
      subresourceTarget: 'registry'
      sparkEnabled: false
    }
  }
}
{%- endif %}
