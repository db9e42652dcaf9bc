{%- set secure = cookiecutter.secure_workspace -%}
# Azure Data Explorer (observability_store=adx): the inputs and outputs the online deployment's data collector
# writes to the workspace's blob storage, ingested into a database whose tables and drift functions are the
# KQL files of kql/ (see docs/observability-adx.md).
#
# Ingestion is the documented pull from blob storage: the storage account's BlobCreated events go through an
# Event Grid system topic to an event hub, and the cluster's Event Grid data connection reads each new blob
# with its own identity (Microsoft Learn, "Create an Event Grid data connection for Azure Data Explorer").
# The scoring script writes nothing more: one write path, so ADX holds exactly what Azure ML monitoring reads.

locals {
  adx_database       = "observability"
  adx_eventhub       = "collected-blobs"
  adx_consumer_group = "adx"
}

resource "azurerm_kusto_cluster" "main" {
  #checkov:skip=CKV_AZURE_180:The Dev(No SLA) SKU is the cheapest cluster (one node, no SLA); choose a Standard SKU in var.adx_sku for an SLA
  #checkov:skip=CKV_AZURE_75:Double encryption (a second layer at the infrastructure level) adds cost; disk encryption is on
  #checkov:skip=CKV2_AZURE_11:Microsoft-managed keys; customer-managed keys need a key, an identity and a rotation process of your own
  name                          = local.names.adx_cluster
  location                      = data.azurerm_resource_group.main.location
  resource_group_name           = data.azurerm_resource_group.main.name
  auto_stop_enabled             = var.adx_auto_stop
  disk_encryption_enabled       = true
  purge_enabled                 = false
  streaming_ingestion_enabled   = false
  public_network_access_enabled = {{ "false" if secure else "true" }}
  tags                          = local.tags

  # The smallest SKU: one Dev(No SLA) E2a_v4 node, no SLA, for dev/test and small production volumes.
  sku {
    name     = var.adx_sku
    capacity = 1
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kusto_database" "main" {
  name                = local.adx_database
  resource_group_name = data.azurerm_resource_group.main.name
  location            = data.azurerm_resource_group.main.location
  cluster_name        = azurerm_kusto_cluster.main.name
  soft_delete_period  = "P365D"
  hot_cache_period    = "P31D"
}

# Tables, ingestion mapping and update policies; the drift functions read the tables, so they run second.
resource "azurerm_kusto_script" "tables" {
  name                               = "tables"
  database_id                        = azurerm_kusto_database.main.id
  script_content                     = file("${path.module}/../../kql/tables.kql")
  force_an_update_when_value_changed = sha256(file("${path.module}/../../kql/tables.kql"))
  continue_on_errors_enabled         = false
}

resource "azurerm_kusto_script" "drift" {
  name                               = "drift"
  database_id                        = azurerm_kusto_database.main.id
  script_content                     = file("${path.module}/../../kql/drift.kql")
  force_an_update_when_value_changed = sha256(file("${path.module}/../../kql/drift.kql"))
  continue_on_errors_enabled         = false
  depends_on                         = [azurerm_kusto_script.tables]
}

resource "azurerm_eventhub_namespace" "adx" {
  # Standard: private endpoints and trusted-service access need it (Basic has neither).
  name                          = local.names.eventhubs_namespace
  location                      = data.azurerm_resource_group.main.location
  resource_group_name           = data.azurerm_resource_group.main.name
  sku                           = "Standard"
  capacity                      = 1
  local_authentication_enabled  = false
  minimum_tls_version           = "1.2"
  public_network_access_enabled = {{ "false" if secure else "true" }}
  tags                          = local.tags
{%- if secure %}

  # Event Grid delivers with its managed identity as a trusted service; the cluster reads through its managed
  # private endpoint.
  network_rulesets {
    default_action                 = "Deny"
    public_network_access_enabled  = false
    trusted_service_access_enabled = true
  }
{%- endif %}
}

resource "azurerm_eventhub" "adx" {
  name              = local.adx_eventhub
  namespace_id      = azurerm_eventhub_namespace.adx.id
  partition_count   = 1
  message_retention = 1
}

resource "azurerm_eventhub_consumer_group" "adx" {
  name                = local.adx_consumer_group
  namespace_name      = azurerm_eventhub_namespace.adx.name
  eventhub_name       = azurerm_eventhub.adx.name
  resource_group_name = data.azurerm_resource_group.main.name
}

resource "azurerm_eventgrid_system_topic" "storage" {
  name                = local.names.storage_events_topic
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  source_resource_id  = azurerm_storage_account.main.id
  topic_type          = "Microsoft.Storage.StorageAccounts"
  tags                = local.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "topic_sends_events" {
  scope                = azurerm_eventhub.adx.id
  role_definition_name = "Azure Event Hubs Data Sender"
  principal_id         = azurerm_eventgrid_system_topic.storage.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

# Only the data collector's JSON lines: modelDataCollector/<endpoint>/<deployment>/<collection>/.../<id>.jsonl
# in the workspace's blob container.
resource "azurerm_eventgrid_system_topic_event_subscription" "collected_data" {
  name                  = "collected-data-to-adx"
  system_topic          = azurerm_eventgrid_system_topic.storage.name
  resource_group_name   = data.azurerm_resource_group.main.name
  event_delivery_schema = "EventGridSchema"
  eventhub_endpoint_id  = azurerm_eventhub.adx.id
  included_event_types  = ["Microsoft.Storage.BlobCreated"]

  delivery_identity {
    type = "SystemAssigned"
  }

  subject_filter {
    subject_ends_with = ".jsonl"
  }

  advanced_filter {
    string_contains {
      key    = "subject"
      values = ["/blobs/modelDataCollector/"]
    }
  }

  depends_on = [azurerm_role_assignment.topic_sends_events]
}

# The cluster's identity reads the new blobs and the events about them; nothing else.
resource "azurerm_role_assignment" "adx_reads_blobs" {
  scope                = azurerm_storage_account.main.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_kusto_cluster.main.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "adx_reads_events" {
  scope                = azurerm_eventhub.adx.id
  role_definition_name = "Azure Event Hubs Data Receiver"
  principal_id         = azurerm_kusto_cluster.main.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}
{%- if secure %}

# Storage and Event Hubs take no public traffic: the cluster reaches them through managed private endpoints.
# Their connections wait for approval on the target (Networking > Private endpoint connections).
resource "azurerm_kusto_cluster_managed_private_endpoint" "blob" {
  name                     = "storage-blob"
  resource_group_name      = data.azurerm_resource_group.main.name
  cluster_name             = azurerm_kusto_cluster.main.name
  private_link_resource_id = azurerm_storage_account.main.id
  group_id                 = "blob"
  request_message          = "Azure Data Explorer ingests the collected model data"
}

resource "azurerm_kusto_cluster_managed_private_endpoint" "event_hubs" {
  name                     = "event-hubs"
  resource_group_name      = data.azurerm_resource_group.main.name
  cluster_name             = azurerm_kusto_cluster.main.name
  private_link_resource_id = azurerm_eventhub_namespace.adx.id
  group_id                 = "namespace"
  request_message          = "Azure Data Explorer reads blob events"
}
{%- endif %}

resource "azurerm_kusto_eventgrid_data_connection" "collected_data" {
  name                            = "collected-data"
  resource_group_name             = data.azurerm_resource_group.main.name
  location                        = data.azurerm_resource_group.main.location
  cluster_name                    = azurerm_kusto_cluster.main.name
  database_name                   = azurerm_kusto_database.main.name
  storage_account_id              = azurerm_storage_account.main.id
  eventhub_id                     = azurerm_eventhub.adx.id
  eventhub_consumer_group_name    = azurerm_eventhub_consumer_group.adx.name
  eventgrid_event_subscription_id = azurerm_eventgrid_system_topic_event_subscription.collected_data.id
  # The 4.0 names (managed_identity_resource_id and eventgrid_resource_id before them): the cluster itself, so
  # its system-assigned identity reads the event hub and the blobs (hashicorp/terraform-provider-azurerm,
  # kusto_eventgrid_data_connection_resource.go).
  managed_identity_id     = azurerm_kusto_cluster.main.id
  blob_storage_event_type = "Microsoft.Storage.BlobCreated"
  table_name              = "CollectedRecords"
  mapping_rule_name       = "CollectedRecordsMapping"
  data_format             = "MULTIJSON"
  database_routing_type   = "Single"

  depends_on = [
    azurerm_kusto_script.tables,
    azurerm_eventgrid_system_topic_event_subscription.collected_data,
    azurerm_role_assignment.adx_reads_blobs,
    azurerm_role_assignment.adx_reads_events,
  ]
}
