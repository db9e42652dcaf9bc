{%- set secure = cookiecutter.secure_workspace -%}
data "azurerm_client_config" "current" {}

# The resource group is created once by ci/bootstrap.py (an administrator), not by CI: the CI identity is
# Contributor on this group only and cannot create or delete resource groups.
data "azurerm_resource_group" "main" {
  name = local.names.resource_group
}

resource "azurerm_log_analytics_workspace" "main" {
  name                = local.names.log_analytics
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = local.tags
}

resource "azurerm_application_insights" "main" {
  name                = local.names.application_insights
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  workspace_id        = azurerm_log_analytics_workspace.main.id
  application_type    = "web"
  tags                = local.tags
}

resource "azurerm_storage_account" "main" {
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; customer-managed keys need a key, an identity and a rotation process of your own
  #checkov:skip=CKV_AZURE_33:No queues are used; enable Azure Monitor diagnostic settings instead of classic queue logging if needed
{%- if not secure %}
  #checkov:skip=CKV_AZURE_59:Public network access is on by choice (secure_workspace=false); access still needs Entra ID or keys
  #checkov:skip=CKV2_AZURE_33:No private endpoint by choice (secure_workspace=false)
{%- endif %}
  name                            = local.names.storage_account
  location                        = data.azurerm_resource_group.main.location
  resource_group_name             = data.azurerm_resource_group.main.name
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  shared_access_key_enabled       = false # Entra ID only: see workspace_datastores_auth below
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

  # SAS tokens that outlive a day are logged.
  sas_policy {
    expiration_period = "01.00:00:00"
    expiration_action = "Log"
  }
}

resource "azurerm_key_vault" "main" {
{%- if not secure %}
  #checkov:skip=CKV_AZURE_189:Public network access is on by choice (secure_workspace=false); data access needs Entra ID and RBAC
  #checkov:skip=CKV_AZURE_109:The firewall allows public traffic by choice (secure_workspace=false)
  #checkov:skip=CKV2_AZURE_32:No private endpoint by choice (secure_workspace=false)
{%- endif %}
  name                          = local.names.key_vault
  location                      = data.azurerm_resource_group.main.location
  resource_group_name           = data.azurerm_resource_group.main.name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = var.key_vault_purge_protection
  soft_delete_retention_days    = 90
  public_network_access_enabled = {{ "false" if secure else "true" }}
  tags                          = local.tags

  network_acls {
    default_action = "{{ 'Deny' if secure else 'Allow' }}"
    bypass         = "AzureServices"
  }
}

resource "azurerm_container_registry" "main" {
  #checkov:skip=CKV_AZURE_233:Zone redundancy is not offered in every region; turn it on where the region has availability zones
  #checkov:skip=CKV_AZURE_165:One region only; geo-replication doubles the registry cost
  #checkov:skip=CKV_AZURE_166:Quarantine blocks every image until a scanner releases it, which stalls Azure ML image builds
  #checkov:skip=CKV_AZURE_164:Docker Content Trust is being retired by ACR; sign images with Notation if you need signatures
{%- if not secure %}
  #checkov:skip=CKV_AZURE_139:Public network access is on by choice (secure_workspace=false); pulls need Entra ID (admin user off)
{%- endif %}
  name                          = local.names.container_registry
  location                      = data.azurerm_resource_group.main.location
  resource_group_name           = data.azurerm_resource_group.main.name
  sku                           = "Premium"
  admin_enabled                 = false
  public_network_access_enabled = {{ "false" if secure else "true" }}
  data_endpoint_enabled         = true
  retention_policy_in_days      = 7
  tags                          = local.tags
}

# The storage account takes no shared keys, so the workspace's own datastores (workspaceblobstore and
# friends) must reach it with Entra ID: systemDatastoresAuthMode "identity" (Microsoft Learn, "Disable shared
# key access for your workspace's storage account",
# https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage). azurerm has no
# argument for it, so azapi sets that one property on the workspace azurerm created.
resource "azapi_update_resource" "workspace_datastores_auth" {
  type        = "Microsoft.MachineLearningServices/workspaces@2025-06-01"
  resource_id = azurerm_machine_learning_workspace.main.id

  body = {
    properties = {
      systemDatastoresAuthMode = "identity"
    }
  }
}

resource "azurerm_machine_learning_workspace" "main" {
{%- if not secure %}
  #checkov:skip=CKV_AZURE_144:Public network access is on by choice (secure_workspace=false); sign-in with Entra ID is still required
  #checkov:skip=CKV2_AZURE_49:The workspace accepts connections from public networks by choice (secure_workspace=false)
  #checkov:skip=CKV2_AZURE_50:The storage account is reachable from public networks by choice (secure_workspace=false)
{%- endif %}
  name                          = local.names.workspace
  location                      = data.azurerm_resource_group.main.location
  resource_group_name           = data.azurerm_resource_group.main.name
  application_insights_id       = azurerm_application_insights.main.id
  key_vault_id                  = azurerm_key_vault.main.id
  storage_account_id            = azurerm_storage_account.main.id
  container_registry_id         = azurerm_container_registry.main.id
  public_network_access_enabled = {{ "false" if secure else "true" }}
  # Images are built on the CPU cluster: with private networking the workspace cannot build them on shared ACR tasks.
  image_build_compute_name = "cpu-cluster"
  tags                     = local.tags

  identity {
    type = "SystemAssigned"
  }

  # Compute runs in a network Azure ML manages (both variants), so clusters need no public IP; it reaches
  # storage, key vault and ACR through private endpoints that Azure ML creates in that network. Provisioned
  # with the workspace: azurerm creates a cluster without public IP only once the managed network is active
  # (hashicorp/terraform-provider-azurerm, machine_learning_compute_cluster_resource.go).
  managed_network {
    isolation_mode                = var.managed_network_isolation_mode
    provision_on_creation_enabled = true
  }
}
