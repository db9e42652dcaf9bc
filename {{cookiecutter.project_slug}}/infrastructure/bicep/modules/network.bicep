// Private access (secure_workspace). Compute reaches storage, key vault and ACR through the workspace's managed
// network (see workspace.bicep). People and CI reach the workspace, storage, key vault and registries through the
// private endpoints below, from this VNet or a network peered with it (VPN gateway, ExpressRoute or Bastion + jump host).
param location string
param name string
param addressSpace string
param subnetPrefix string
param workspaceName string
param workspaceId string
param storageAccountId string
param keyVaultId string
param containerRegistryId string
param mlRegistryId string = ''
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
])

var privateDnsZoneNames = [
  'privatelink.api.azureml.ms'
  'privatelink.notebooks.azure.net'
  'privatelink.blob.core.windows.net'
  'privatelink.file.core.windows.net'
  'privatelink.vaultcore.azure.net'
  'privatelink.azurecr.io'
]

resource nsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: 'nsg-${name}'
  location: location
  tags: tags
  properties: {}
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressSpace
      ]
    }
  }
}

// Part of the address space; the rest is free for a Bastion subnet, a jump host or CI runners.
resource subnet 'Microsoft.Network/virtualNetworks/subnets@2024-05-01' = {
  parent: vnet
  name: 'snet-private-endpoints'
  properties: {
    addressPrefix: subnetPrefix
    privateEndpointNetworkPolicies: 'Enabled'
    defaultOutboundAccess: false
    networkSecurityGroup: {
      id: nsg.id
    }
  }
}

resource dnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for zone in privateDnsZoneNames: {
  name: zone
  location: 'global'
  tags: tags
}]

resource dnsZoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (zone, i) in privateDnsZoneNames: {
  parent: dnsZones[i]
  name: 'link-${name}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}]

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for endpoint in privateEndpoints: {
  name: 'pe-${name}-${endpoint.key}'
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
        privateDnsZoneId: resourceId('Microsoft.Network/privateDnsZones', zone)
      }
    }]
  }
  dependsOn: [
    dnsZones
  ]
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
