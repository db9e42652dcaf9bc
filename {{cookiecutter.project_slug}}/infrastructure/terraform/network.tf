# Private access (secure_workspace). Compute reaches storage, key vault and ACR through the workspace's managed
# network (see main.tf). People and CI reach the workspace, storage, key vault and registries through the private
# endpoints below, from this VNet or a network peered with it (VPN gateway, ExpressRoute or Bastion + jump host).

resource "azurerm_virtual_network" "main" {
  name                = local.names.virtual_network
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  address_space       = [var.vnet_address_space]
  tags                = local.tags
}

# Part of the address space; the rest is free for a Bastion subnet, a jump host or CI runners.
resource "azurerm_subnet" "private_endpoints" {
  name                              = "snet-private-endpoints"
  resource_group_name               = data.azurerm_resource_group.main.name
  virtual_network_name              = azurerm_virtual_network.main.name
  address_prefixes                  = [var.private_endpoint_subnet_prefix]
  private_endpoint_network_policies = "Enabled"
  default_outbound_access_enabled   = false
}

resource "azurerm_network_security_group" "private_endpoints" {
  name                = "nsg-${local.names.virtual_network}"
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_subnet_network_security_group_association" "private_endpoints" {
  subnet_id                 = azurerm_subnet.private_endpoints.id
  network_security_group_id = azurerm_network_security_group.private_endpoints.id
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
    var.deploy_ml_registry ? {
      ml_registry = {
        resource_id = azapi_resource.ml_registry[0].id
        subresource = "amlregistry"
        dns_zones   = ["privatelink.api.azureml.ms"]
      }
    } : {}
  )

  private_dns_zones = toset(flatten([for endpoint in local.private_endpoints : endpoint.dns_zones]))
}

resource "azurerm_private_dns_zone" "main" {
  for_each            = local.private_dns_zones
  name                = each.key
  resource_group_name = data.azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "main" {
  for_each              = local.private_dns_zones
  name                  = "link-${local.names.virtual_network}"
  resource_group_name   = data.azurerm_resource_group.main.name
  private_dns_zone_name = azurerm_private_dns_zone.main[each.key].name
  virtual_network_id    = azurerm_virtual_network.main.id
  tags                  = local.tags
}

resource "azurerm_private_endpoint" "main" {
  for_each            = local.private_endpoints
  name                = "pe-${local.names.virtual_network}-${each.key}"
  location            = data.azurerm_resource_group.main.location
  resource_group_name = data.azurerm_resource_group.main.name
  subnet_id           = azurerm_subnet.private_endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "psc-${each.key}"
    private_connection_resource_id = each.value.resource_id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [for zone in each.value.dns_zones : azurerm_private_dns_zone.main[zone].id]
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
