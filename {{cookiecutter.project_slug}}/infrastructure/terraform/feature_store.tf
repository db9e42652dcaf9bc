{%- set secure = cookiecutter.secure_workspace -%}
# The managed feature store of this environment (feature_store=true): an Azure ML workspace of kind FeatureStore,
# its offline store (an ADLS Gen2 account), and the user-assigned identity its materialization jobs run as.
# Roles: Microsoft Learn, "Manage access control for managed feature store"
# (https://learn.microsoft.com/azure/machine-learning/how-to-setup-access-control-feature-store): the
# materialization identity gets AzureML Data Scientist on the feature store, Storage Blob Data Contributor on
# the offline store and Storage Blob Data Reader on the source data; consumers (training compute) read the
# offline store. ci/feature_store.sh points the store at its offline store and identity and registers the
# entity and the feature set (featurestore/).

locals {
  # Names in the formats of the template's naming rules (config/<env>.yml lists the same, under feature_store).
  feature_store_names = {
    store    = "fs-${var.resource_prefix}-${var.environment}"
    storage  = "stfs${var.resource_prefix}${var.environment}${var.name_suffix}"
    identity = "id-${var.resource_prefix}-${var.environment}-materialization"
  }
}

resource "azurerm_storage_account" "feature_store" {
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; customer-managed keys need a key, an identity and a rotation process of your own
  #checkov:skip=CKV_AZURE_33:No queues are used
  #checkov:skip=CKV_AZURE_206:Locally redundant: the offline store is recomputed from its sources by materialization
{%- if not secure %}
  #checkov:skip=CKV_AZURE_59:Public network access is on by choice (secure_workspace=false); access still needs Entra ID
  #checkov:skip=CKV2_AZURE_33:No private endpoint by choice (secure_workspace=false)
{%- endif %}
  name                            = local.feature_store_names.storage
  location                        = data.azurerm_resource_group.main.location
  resource_group_name             = data.azurerm_resource_group.main.name
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  is_hns_enabled                  = true # ADLS Gen2: the only offline store type a feature store takes
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  shared_access_key_enabled       = false
  local_user_enabled              = false # no SFTP/local users: Entra ID only
  public_network_access_enabled   = {{ "false" if secure else "true" }}
  tags                            = local.tags

  blob_properties {
    delete_retention_policy {
      days = 7
    }
    container_delete_retention_policy {
      days = 7
    }
  }

  sas_policy {
    expiration_period = "01.00:00:00"
    expiration_action = "Log"
  }
}

# Materialized feature values, and the feature sets' sources (ci/feature_store.sh uploads them).
resource "azurerm_storage_container" "feature_store" {
  #checkov:skip=CKV2_AZURE_21:Blob read logging is configured with Azure Monitor diagnostic settings, not classic logging
  for_each              = toset(["offline", "sources"])
  name                  = each.key
  storage_account_id    = azurerm_storage_account.feature_store.id
  container_access_type = "private"
}

resource "azurerm_user_assigned_identity" "materialization" {
  name                = local.feature_store_names.identity
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_machine_learning_workspace" "feature_store" {
{%- if not secure %}
  #checkov:skip=CKV_AZURE_144:Public network access is on by choice (secure_workspace=false); sign-in with Entra ID is still required
  #checkov:skip=CKV2_AZURE_49:The feature store accepts connections from public networks by choice (secure_workspace=false)
  #checkov:skip=CKV2_AZURE_50:The storage account is reachable from public networks by choice (secure_workspace=false)
{%- endif %}
  name                           = local.feature_store_names.store
  kind                           = "FeatureStore"
  location                       = data.azurerm_resource_group.main.location
  resource_group_name            = data.azurerm_resource_group.main.name
  application_insights_id        = azurerm_application_insights.main.id
  key_vault_id                   = azurerm_key_vault.main.id
  storage_account_id             = azurerm_storage_account.main.id
  public_network_access_enabled  = {{ "false" if secure else "true" }}
  primary_user_assigned_identity = azurerm_user_assigned_identity.materialization.id
  tags                           = local.tags

  identity {
    type         = "SystemAssigned, UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.materialization.id]
  }

  # The Spark runtime of materialization jobs (reference-yaml-feature-store: compute_runtime.spark_runtime_version).
  feature_store {
    computer_spark_runtime_version = "3.4"
    offline_connection_name        = "OfflineStoreConnectionName"
  }

  managed_network {
    isolation_mode                = var.managed_network_isolation_mode
    provision_on_creation_enabled = true
  }
}

locals {
  # Principal -> role on the feature store, its offline store, and the data sources (least privilege, see above).
  feature_store_roles = merge(
    {
      materialization_store = {
        principal = azurerm_user_assigned_identity.materialization.principal_id
        scope     = azurerm_machine_learning_workspace.feature_store.id
        role      = "AzureML Data Scientist"
      }
      materialization_offline = {
        principal = azurerm_user_assigned_identity.materialization.principal_id
        scope     = azurerm_storage_account.feature_store.id
        role      = "Storage Blob Data Contributor"
      }
    },
    # Training reads materialized features (a feature set consumer): the offline store, read only.
    { for kind, principal in local.compute_principal_ids : "consumer_${kind}" => {
      principal = principal
      scope     = azurerm_storage_account.feature_store.id
      role      = "Storage Blob Data Reader"
    } },
    var.ci_principal_id == "" ? {} : {
      # CI registers entities and feature sets (a feature set developer) and uploads the sources.
      ci_store = {
        principal = var.ci_principal_id
        scope     = azurerm_machine_learning_workspace.feature_store.id
        role      = "AzureML Data Scientist"
      }
      ci_sources = {
        principal = var.ci_principal_id
        scope     = azurerm_storage_container.feature_store["sources"].id
        role      = "Storage Blob Data Contributor"
      }
    }
  )
}

resource "azurerm_role_assignment" "feature_store" {
  for_each             = local.feature_store_roles
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = each.value.principal
  principal_type       = "ServicePrincipal"
}
