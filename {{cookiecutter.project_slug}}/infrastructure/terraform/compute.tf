{%- set secure = cookiecutter.secure_workspace -%}
# Clusters scale to zero when idle, so an unused environment costs nothing for compute.

resource "azurerm_machine_learning_compute_cluster" "cpu" {
  name                          = "cpu-cluster"
  location                      = azurerm_resource_group.main.location
  machine_learning_workspace_id = azurerm_machine_learning_workspace.main.id
  vm_size                       = var.cpu_cluster_vm_size
  vm_priority                   = "Dedicated"
  local_auth_enabled            = false
  ssh_public_access_enabled     = false
  node_public_ip_enabled        = {{ "false" if secure else "true" }}
  tags                          = local.tags

  scale_settings {
    min_node_count                       = 0
    max_node_count                       = var.cpu_cluster_max_nodes
    scale_down_nodes_after_idle_duration = "PT15M"
  }

  # Jobs use this identity to pull images (ACR admin user is off) and read and write data.
  identity {
    type = "SystemAssigned"
  }
}
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}

resource "azurerm_machine_learning_compute_cluster" "gpu" {
  name                          = "gpu-cluster"
  location                      = azurerm_resource_group.main.location
  machine_learning_workspace_id = azurerm_machine_learning_workspace.main.id
  vm_size                       = var.gpu_cluster_vm_size
  vm_priority                   = "Dedicated"
  local_auth_enabled            = false
  ssh_public_access_enabled     = false
  node_public_ip_enabled        = {{ "false" if secure else "true" }}
  tags                          = local.tags

  scale_settings {
    min_node_count                       = 0
    max_node_count                       = var.gpu_cluster_max_nodes
    scale_down_nodes_after_idle_duration = "PT15M"
  }

  identity {
    type = "SystemAssigned"
  }
}
{%- endif %}
