{%- set secure = cookiecutter.secure_workspace -%}
{%- set gpu = cookiecutter.ml_scenario in ["cv", "nlp"] -%}
{%- set kinds = ["cpu", "gpu"] if gpu else ["cpu"] -%}
{%- from "partials/approved_outbound.j2" import approved_outbound with context -%}
// Azure ML workspace, its compute clusters and the role assignments of their identities and of CI.
param location string
param name string
param applicationInsightsId string
param storageAccountId string
param keyVaultId string
param containerRegistryId string
param ciPrincipalId string = ''
param cpuClusterVmSize string
param cpuClusterMaxNodes int
{%- if gpu %}
param gpuClusterVmSize string
param gpuClusterMaxNodes int
{%- endif %}
param managedNetworkIsolationMode string
param tags object

// Built-in role definition ids (the same for every tenant).
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  azureMLDataScientist: 'f6c7c914-8db3-469d-8ca1-694a8f32e121'
}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2025-06-01' = {
{%- if secure %}
  // checkov:skip=CKV_AZURE_243:The workspace private endpoint is in network.bicep; this check only reads managed-network outbound rules
{%- else %}
  // checkov:skip=CKV_AZURE_243:No private endpoint by choice (secure_workspace=false)
  // checkov:skip=CKV_AZURE_144:Public network access is on by choice (secure_workspace=false); sign-in with Entra ID is still required
{%- endif %}
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
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
    containerRegistry: containerRegistryId
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
    // Images are built on the CPU cluster: with private networking the workspace cannot build them on shared ACR tasks.
    imageBuildCompute: 'cpu-cluster'
    // The storage account takes no shared keys: the workspace's own datastores use Entra ID (Microsoft Learn,
    // "Disable shared key access for your workspace's storage account"; GA in API 2025-06-01).
    systemDatastoresAuthMode: 'identity'
    // Compute runs in a network Azure ML manages (both variants), so clusters need no public IP; it reaches
    // storage, key vault and ACR through private endpoints that Azure ML creates in that network.
    managedNetwork: {
      isolationMode: managedNetworkIsolationMode
    }
  }
}

// What the managed network may reach when managedNetworkIsolationMode is AllowOnlyApprovedOutbound: Azure ML
// adds the rules for its own services and the workspace's storage, key vault and ACR itself; these are what
// environment builds and training need on top (Microsoft Learn, "Workspace managed virtual network isolation").
// FQDN rules make Azure ML run a managed Azure Firewall, which is billed. None with AllowInternetOutbound.
var approvedOutbound = {
{%- for name, destination in approved_outbound.items() %}
  {{ ("'" ~ name ~ "'") if "-" in name else name }}: '{{ destination }}'
{%- endfor %}
}

resource approvedOutboundRules 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = [for rule in items(managedNetworkIsolationMode == 'AllowOnlyApprovedOutbound' ? approvedOutbound : {}): {
  parent: workspace
  name: rule.key
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: rule.value
  }
}]

// Clusters scale to zero when idle, so an unused environment costs nothing for compute.
{%- for kind in kinds %}
{%- if not loop.first %}
{% endif %}
resource {{ kind }}Cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-10-01' = {
  parent: workspace
  name: '{{ kind }}-cluster'
  location: location
  tags: tags
  // Jobs use this identity to pull images (ACR admin user is off) and read and write data.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    computeType: 'AmlCompute'
    disableLocalAuth: true
    properties: {
      vmSize: {{ kind }}ClusterVmSize
      vmPriority: 'Dedicated'
      // No public IP in either variant: nodes are in the managed network, nothing reaches them from the internet.
      enableNodePublicIp: false
      remoteLoginPortPublicAccess: 'Disabled'
      scaleSettings: {
        minNodeCount: 0
        maxNodeCount: {{ kind }}ClusterMaxNodes
        nodeIdleTimeBeforeScaleDown: 'PT15M'
      }
    }
  }
}
{%- endfor %}

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: last(split(storageAccountId, '/'))
}

resource containerRegistry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: last(split(containerRegistryId, '/'))
}

// Azure ML grants the workspace identity what it needs on storage, key vault and ACR when it creates the
// workspace (declaring those again fails with RoleAssignmentExists); only what it does not grant is here.
// Names use the cluster's resource id: a role assignment name must be known when the deployment starts.
// Compute clusters pull job images from ACR with their own identity (the ACR admin user is off) and read
// and write data in the workspace storage.
{%- for kind in kinds %}
{%- if not loop.first %}
{% endif %}
resource {{ kind }}AcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: containerRegistry
  name: guid(containerRegistry.id, {{ kind }}Cluster.id, roles.acrPull)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: {{ kind }}Cluster.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource {{ kind }}BlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storageAccount
  name: guid(storageAccount.id, {{ kind }}Cluster.id, roles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: {{ kind }}Cluster.identity.principalId
    principalType: 'ServicePrincipal'
  }
}
{%- endfor %}

// CI submits jobs, registers models and deploys endpoints; it cannot create compute or change the workspace.
resource ciDataScientist 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  scope: workspace
  name: guid(workspace.id, ciPrincipalId, roles.azureMLDataScientist)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.azureMLDataScientist)
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}

{%- if cookiecutter.deployment_mode == "batch" %}
// ci/deploy.sh uploads the batch sample into the folder the batch monitor reads and the weekly drift check
// (ci/drift.sh) downloads what the endpoint was sent: write access to the workspace storage's blobs.
{%- else %}
// The weekly drift check (ci/drift.sh) downloads collected production data from the workspace storage.
{%- endif %}
resource ciBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  scope: storageAccount
  name: guid(storageAccount.id, ciPrincipalId, roles.{{ "storageBlobDataContributor" if cookiecutter.deployment_mode == "batch" else "storageBlobDataReader" }})
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.{{ "storageBlobDataContributor" if cookiecutter.deployment_mode == "batch" else "storageBlobDataReader" }})
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output id string = workspace.id
output principalId string = workspace.identity.principalId
{%- if cookiecutter.custom_container %}
// The identities that pull the project's images from an external registry (main.bicep, custom_container).
output pullPrincipalIds array = [
  workspace.identity.principalId
{%- for kind in kinds %}
  {{ kind }}Cluster.identity.principalId
{%- endfor %}
]
{%- endif %}
// The compute clusters' identities (the feature store lets them read materialized features).
output computePrincipalIds array = [
{%- for kind in kinds %}
  {{ kind }}Cluster.identity.principalId
{%- endfor %}
]
