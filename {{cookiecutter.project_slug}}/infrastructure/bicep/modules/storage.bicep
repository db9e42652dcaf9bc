{%- set secure = cookiecutter.secure_workspace -%}
// The workspace's default storage account.
param location string
param name string
param tags object

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  // checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; customer-managed keys need a key, an identity and a rotation process of your own
  // checkov:skip=CKV_AZURE_33:No queues are used; enable Azure Monitor diagnostic settings instead of classic queue logging if needed
{%- if not secure %}
  // checkov:skip=CKV_AZURE_59:Public network access is on by choice (secure_workspace=false); access still needs Entra ID or keys
  // checkov:skip=CKV_AZURE_35:Network rules allow public traffic by choice (secure_workspace=false)
{%- endif %}
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_GRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Entra ID only: the workspace's datastores use identity access (systemDatastoresAuthMode in workspace.bicep).
    allowSharedKeyAccess: false
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
    networkAcls: {
      defaultAction: '{{ "Deny" if secure else "Allow" }}'
      bypass: 'AzureServices'
    }
    // SAS tokens that outlive a day are logged.
    sasPolicy: {
      sasExpirationPeriod: '1.00:00:00'
      expirationAction: 'Log'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
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

output id string = storage.id
