# Private access (secure_workspace). Compute reaches storage, key vault and ACR through the workspace's managed
# network (see main.tf). People and CI reach the workspaces, storage, key vaults and the shared registry through
# private endpoints in ONE hub network shared by dev and prod, created once by ci/bootstrap.py
# (rg-<prefix>-network: vnet-<prefix>-hub, its subnets and one set of privatelink.* DNS zones linked to it).
# One set of zones holds the records of both environments, so a runner in the hub (snet-ci-runners) resolves
# and reaches everything a CI stage touches: promotion needs the dev workspace AND the prod registry.
# This environment's identity may only join the hub's subnet and DNS zones (a role the bootstrap grants).

data "azurerm_subnet" "private_endpoints" {
  name                 = "snet-private-endpoints"
  virtual_network_name = local.names.hub_network
  resource_group_name  = local.names.network_resource_group
}

locals {
  # One private endpoint per service and sub-resource; each registers its addresses in the listed DNS zones.
  private_endpoints = merge(
    {
      workspace = {
        resource_id = azurerm_machine_learning_workspace.main.id
        subresource = "amlworkspace"
        dns_zones   = ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]
      }
      blob = {
        resource_id = azurerm_storage_account.main.id
        subresource = "blob"
        dns_zones   = ["privatelink.blob.core.windows.net"]
      }
      file = {
        resource_id = azurerm_storage_account.main.id
        subresource = "file"
        dns_zones   = ["privatelink.file.core.windows.net"]
      }
      vault = {
        resource_id = azurerm_key_vault.main.id
        subresource = "vault"
        dns_zones   = ["privatelink.vaultcore.azure.net"]
      }
      registry = {
        resource_id = azurerm_container_registry.main.id
        subresource = "registry"
        dns_zones   = ["privatelink.azurecr.io"]
      }
    },
{%- if cookiecutter.feature_store %}
    # The feature store and its offline store, private like the workspace.
    {
      feature_store = {
        resource_id = azurerm_machine_learning_workspace.feature_store.id
        subresource = "amlworkspace"
        dns_zones   = ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]
      }
      feature_store_blob = {
        resource_id = azurerm_storage_account.feature_store.id
        subresource = "blob"
        dns_zones   = ["privatelink.blob.core.windows.net"]
      }
    },
{%- endif %}
    var.deploy_ml_registry ? {
      ml_registry = {
        resource_id = azapi_resource.ml_registry[0].id
        subresource = "amlregistry"
        dns_zones   = ["privatelink.api.azureml.ms"]
      }
    } : {}{{ "," if cookiecutter.observability_store == "adx" }}
{%- if cookiecutter.observability_store == "adx" %}
    # Azure Data Explorer registers the cluster in its regional zone and its ingestion storage in the blob,
    # queue and table zones (Microsoft Learn, "Azure Private Endpoint private DNS zone values").
    {
      adx = {
        resource_id = azurerm_kusto_cluster.main.id
        subresource = "cluster"
        dns_zones = [
          "privatelink.${var.location}.kusto.windows.net",
          "privatelink.blob.core.windows.net",
          "privatelink.queue.core.windows.net",
          "privatelink.table.core.windows.net",
        ]
      }
    }
{%- endif %}
  )

  private_dns_zones = toset(flatten([for endpoint in local.private_endpoints : endpoint.dns_zones]))
}

data "azurerm_private_dns_zone" "main" {
  for_each            = local.private_dns_zones
  name                = each.key
  resource_group_name = local.names.network_resource_group
}

resource "azurerm_private_endpoint" "main" {
  for_each            = local.private_endpoints
  name                = "pe-${var.resource_prefix}-${var.environment}-${each.key}"
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  subnet_id           = data.azurerm_subnet.private_endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "psc-${each.key}"
    private_connection_resource_id = each.value.resource_id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [for zone in each.value.dns_zones : data.azurerm_private_dns_zone.main[zone].id]
  }
}

# Jobs and deployments in the managed network reach the (private) shared registry through this rule.
resource "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint" "ml_registry" {
  count               = var.deploy_ml_registry ? 1 : 0
  name                = "ml-registry"
  workspace_id        = azurerm_machine_learning_workspace.main.id
  service_resource_id = azapi_resource.ml_registry[0].id
  sub_resource_target = "amlregistry"
}
{%- if cookiecutter.custom_container %}

# An external registry of the project's images (custom_container) is reached privately too: jobs and deployments
# in the managed network pull through a private endpoint Azure ML creates for this rule.
resource "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint" "external_container_registry" {
  count               = var.external_container_registry_id == "" ? 0 : 1
  name                = "external-container-registry"
  workspace_id        = azurerm_machine_learning_workspace.main.id
  service_resource_id = var.external_container_registry_id
  sub_resource_target = "registry"
}
{%- endif %}
