// custom_container with an external registry: AcrPull for the identities that pull the project's images (the
// compute clusters for training jobs and batch scoring, the workspace to check and prepare deployments' images).
// Deployed at the registry's own resource group (main.bicep sets the scope); only AcrPull, nothing here pushes.
param registryName string
param principalIds array

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d' // AcrPull (built-in, the same in every tenant)

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in principalIds: {
  scope: registry
  name: guid(registry.id, principalId, acrPull)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]
