{%- set secure = cookiecutter.secure_workspace -%}
// Azure Data Explorer (observability_store=adx): the inputs and outputs the online deployment's data collector
// writes to the workspace's blob storage, ingested into a database whose tables and drift functions are the
// KQL files of kql/ (see docs/observability-adx.md).
//
// Ingestion is the documented pull from blob storage: the storage account's BlobCreated events go through an
// Event Grid system topic to an event hub, and the cluster's Event Grid data connection reads each new blob
// with its own identity (Microsoft Learn, "Create an Event Grid data connection for Azure Data Explorer").
// The scoring script writes nothing more: one write path, so ADX holds exactly what Azure ML monitoring reads.
param location string
param clusterName string
param eventHubsNamespaceName string
param systemTopicName string
param storageAccountName string
param tags object

// The smallest SKU: one Dev(No SLA) E2a_v4 node, no SLA, for dev/test and small production volumes.
// Auto-stop stops a cluster that had no ingestion and no queries for 5 days, and never restarts it (Microsoft
// Learn, "Automatic stop of inactive Azure Data Explorer clusters"): see docs/observability-adx.md to start it.
param clusterSku string = 'Dev(No SLA)_Standard_E2a_v4'
param autoStop bool = true

var databaseName = 'observability'
var eventHubName = 'collected-blobs'
var consumerGroupName = 'adx'
var roles = {
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource cluster 'Microsoft.Kusto/clusters@2024-04-13' = {
  // checkov:skip=CKV_AZURE_75:Double encryption (a second layer at the infrastructure level) adds cost; disk encryption is on
  name: clusterName
  location: location
  tags: tags
  sku: {
    name: clusterSku
    tier: 'Basic'
    capacity: 1
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    enableAutoStop: autoStop
    enableDiskEncryption: true
    enablePurge: false
    enableStreamingIngest: false
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
  }
}

resource database 'Microsoft.Kusto/clusters/databases@2024-04-13' = {
  parent: cluster
  name: databaseName
  location: location
  kind: 'ReadWrite'
  properties: {
    softDeletePeriod: 'P365D'
    hotCachePeriod: 'P31D'
  }
}

// Tables, ingestion mapping and update policies; the drift functions read the tables, so they run second.
resource tablesScript 'Microsoft.Kusto/clusters/databases/scripts@2024-04-13' = {
  parent: database
  name: 'tables'
  properties: {
    scriptContent: loadTextContent('../../../kql/tables.kql')
    forceUpdateTag: uniqueString(loadTextContent('../../../kql/tables.kql'))
    continueOnErrors: false
  }
}

resource driftScript 'Microsoft.Kusto/clusters/databases/scripts@2024-04-13' = {
  parent: database
  name: 'drift'
  properties: {
    scriptContent: loadTextContent('../../../kql/drift.kql')
    forceUpdateTag: uniqueString(loadTextContent('../../../kql/drift.kql'))
    continueOnErrors: false
  }
  dependsOn: [
    tablesScript
  ]
}

resource eventHubs 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: eventHubsNamespaceName
  location: location
  tags: tags
  // Standard: private endpoints and trusted-service access need it (Basic has neither).
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
  }
}
{%- if secure %}

// Event Grid delivers with its managed identity as a trusted service; the cluster reads through its managed
// private endpoint.
resource eventHubsNetwork 'Microsoft.EventHub/namespaces/networkRuleSets@2024-01-01' = {
  parent: eventHubs
  name: 'default'
  properties: {
    defaultAction: 'Deny'
    publicNetworkAccess: 'Disabled'
    trustedServiceAccessEnabled: true
  }
}
{%- endif %}

resource eventHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: eventHubs
  name: eventHubName
  properties: {
    partitionCount: 1
    messageRetentionInDays: 1
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: eventHub
  name: consumerGroupName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource topicSendsEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventHub
  name: guid(eventHub.id, systemTopic.id, roles.eventHubsDataSender)
  properties: {
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
  }
}

// Only the data collector's JSON lines: modelDataCollector/<endpoint>/<deployment>/<collection>/.../<id>.jsonl
// in the workspace's blob container.
resource blobEvents 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'collected-data-to-adx'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'EventHub'
        properties: {
          resourceId: eventHub.id
        }
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectEndsWith: '.jsonl'
      advancedFilters: [
        {
          operatorType: 'StringContains'
          key: 'subject'
          values: [
            '/blobs/modelDataCollector/'
          ]
        }
      ]
    }
  }
  dependsOn: [
    topicSendsEvents
  ]
}

// The cluster's identity reads the new blobs and the events about them; nothing else.
resource clusterReadsBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, cluster.id, roles.storageBlobDataReader)
  properties: {
    principalId: cluster.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}

resource clusterReadsEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventHub
  name: guid(eventHub.id, cluster.id, roles.eventHubsDataReceiver)
  properties: {
    principalId: cluster.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
  }
}
{%- if secure %}

// Storage and Event Hubs take no public traffic: the cluster reaches them through managed private endpoints.
// Their connections wait for approval on the target (Networking > Private endpoint connections).
resource clusterToBlob 'Microsoft.Kusto/clusters/managedPrivateEndpoints@2024-04-13' = {
  parent: cluster
  name: 'storage-blob'
  properties: {
    privateLinkResourceId: storage.id
    groupId: 'blob'
    requestMessage: 'Azure Data Explorer ingests the collected model data'
  }
}

resource clusterToEventHubs 'Microsoft.Kusto/clusters/managedPrivateEndpoints@2024-04-13' = {
  parent: cluster
  name: 'event-hubs'
  properties: {
    privateLinkResourceId: eventHubs.id
    groupId: 'namespace'
    requestMessage: 'Azure Data Explorer reads blob events'
  }
}
{%- endif %}

resource dataConnection 'Microsoft.Kusto/clusters/databases/dataConnections@2024-04-13' = {
  parent: database
  name: 'collected-data'
  location: location
  kind: 'EventGrid'
  properties: {
    storageAccountResourceId: storage.id
    eventHubResourceId: eventHub.id
    eventGridResourceId: blobEvents.id // the event subscription that feeds the event hub
    consumerGroup: consumerGroup.name
    managedIdentityResourceId: cluster.id
    blobStorageEventType: 'Microsoft.Storage.BlobCreated'
    tableName: 'CollectedRecords'
    mappingRuleName: 'CollectedRecordsMapping'
    dataFormat: 'MULTIJSON'
    databaseRouting: 'Single'
  }
  dependsOn: [
    tablesScript
    clusterReadsBlobs
    clusterReadsEvents
  ]
}

output clusterId string = cluster.id
output clusterUri string = cluster.properties.uri
output databaseName string = databaseName
