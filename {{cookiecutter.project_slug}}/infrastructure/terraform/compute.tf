{%- set kinds = ["cpu", "gpu"] if cookiecutter.ml_scenario in ["cv", "nlp"] else ["cpu"] -%}
# Clusters scale to zero when idle, so an unused environment costs nothing for compute. No public IP in either
# variant: nodes sit in the workspace's managed network (main.tf), which gives them outbound access, and nothing
# reaches them from the internet (Microsoft Learn, "Secure an Azure Machine Learning training environment with
# virtual networks": no public IP removes the inbound traffic from the internet).
{%- for kind in kinds %}

resource "azurerm_machine_learning_compute_cluster" "{{ kind }}" {
  name                          = "{{ kind }}-cluster"
  location                      = data.azurerm_resource_group.main.location
  machine_learning_workspace_id = azurerm_machine_learning_workspace.main.id
  vm_size                       = var.{{ kind }}_cluster_vm_size
  vm_priority                   = "Dedicated"
  local_auth_enabled            = false
  ssh_public_access_enabled     = false
  node_public_ip_enabled        = false
  tags                          = local.tags

  scale_settings {
    min_node_count                       = 0
    max_node_count                       = var.{{ kind }}_cluster_max_nodes
    scale_down_nodes_after_idle_duration = "PT15M"
  }

  # Jobs use this identity to pull images (ACR admin user is off) and read and write data.
  identity {
    type = "SystemAssigned"
  }
}
{%- endfor %}
