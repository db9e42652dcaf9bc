output "resource_group" {
  value = data.azurerm_resource_group.main.name
}

output "workspace" {
  value = azurerm_machine_learning_workspace.main.name
}

output "workspace_principal_id" {
  description = "Object id of the workspace identity (add it to ml_registry_user_principal_ids of the registry's environment if needed)."
  value       = azurerm_machine_learning_workspace.main.identity[0].principal_id
}

output "ml_registry" {
  description = "Name of the shared Azure ML registry (created by the environment with deploy_ml_registry = true)."
  value       = local.names.ml_registry
}
{%- if cookiecutter.observability_store == "adx" %}

output "adx_cluster_uri" {
  description = "Query URI of the Azure Data Explorer cluster (observability_store=adx; see docs/observability-adx.md)."
  value       = azurerm_kusto_cluster.main.uri
}

output "adx_database" {
  value = azurerm_kusto_database.main.name
}
{%- endif %}
{%- if cookiecutter.feature_store %}

output "feature_store" {
  value = azurerm_machine_learning_workspace.feature_store.name
}
{%- endif %}
