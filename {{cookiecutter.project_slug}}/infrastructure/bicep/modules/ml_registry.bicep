{%- set secure = cookiecutter.secure_workspace -%}
// The Azure ML registry shared by dev and prod: approved models are copied here from dev and deployed to prod
// from here. It lives with prod, so deleting the dev resource group never deletes a promoted model.
param location string
param name string
param workspacePrincipalId string
param userPrincipalIds array = []
param tags object

var registryUserRole = '1823dd4f-9b8c-4ab6-ab4e-7397a3684615' // AzureML Registry User

resource registry 'Microsoft.MachineLearningServices/registries@2024-10-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
    regionDetails: [
      {
        location: location
        acrDetails: [
          {
            systemCreatedAcrAccount: {
              acrAccountSku: 'Premium'
            }
          }
        ]
        storageAccountDetails: [
          {
            systemCreatedStorageAccount: {
              storageAccountType: 'Standard_ZRS'
              storageAccountHnsEnabled: false
              allowBlobPublicAccess: false
            }
          }
        ]
      }
    ]
  }
}

// The workspace reads registry models and environments when prod deploys a promoted model.
resource workspaceRegistryUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, workspacePrincipalId, registryUserRole)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', registryUserRole)
    principalId: workspacePrincipalId
    principalType: 'ServicePrincipal'
  }
}

// CI identities (this environment's and, e.g., dev's, which promotes models).
resource registryUsers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in userPrincipalIds: {
  scope: registry
  name: guid(registry.id, principalId, registryUserRole)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', registryUserRole)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = registry.id
