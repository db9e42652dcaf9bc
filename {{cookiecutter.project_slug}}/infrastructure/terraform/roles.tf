# Least-privilege role assignments. Azure ML itself grants the workspace identity what the workspace needs on
# its storage account, key vault and container registry when it creates the workspace (declaring those again
# fails with RoleAssignmentExists), so only what Azure ML does not grant is declared here.

locals {
  compute_principal_ids = {
    cpu = azurerm_machine_learning_compute_cluster.cpu.identity[0].principal_id
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
    gpu = azurerm_machine_learning_compute_cluster.gpu.identity[0].principal_id
{%- endif %}
  }

  # Who may read and write models in the shared registry: the CI identity of this environment and any listed
  # principal (e.g. the dev CI identity, which promotes models).
  ml_registry_user_ids = var.deploy_ml_registry ? toset(compact(concat([var.ci_principal_id], var.ml_registry_user_principal_ids))) : toset([])
}

# Compute clusters pull job images from ACR with their own identity (the ACR admin user is off).
resource "azurerm_role_assignment" "compute_acr_pull" {
  for_each             = local.compute_principal_ids
  scope                = azurerm_container_registry.main.id
  role_definition_name = "AcrPull"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}

{% if cookiecutter.custom_container -%}
# The project's images in an external registry (custom_container): the clusters pull them for training jobs and
# batch scoring, the workspace identity to check and prepare deployments' images. Only AcrPull: nothing here
# pushes. Whoever applies this needs the right to assign roles on that registry (docs/containers.md).
resource "azurerm_role_assignment" "external_acr_pull" {
  for_each             = var.external_container_registry_id == "" ? {} : merge(local.compute_principal_ids, { workspace = azurerm_machine_learning_workspace.main.identity[0].principal_id })
  scope                = var.external_container_registry_id
  role_definition_name = "AcrPull"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}

{% endif -%}
# Jobs read training data and write outputs in the workspace storage with the cluster identity.
resource "azurerm_role_assignment" "compute_blob_data" {
  for_each             = local.compute_principal_ids
  scope                = azurerm_storage_account.main.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}

# The CI identity submits jobs, registers models and deploys endpoints; it cannot create compute or change the
# workspace itself (that is this Terraform's job, run with a more privileged identity).
resource "azurerm_role_assignment" "ci_data_scientist" {
  count                = var.ci_principal_id == "" ? 0 : 1
  scope                = azurerm_machine_learning_workspace.main.id
  role_definition_name = "AzureML Data Scientist"
  principal_id         = var.ci_principal_id
  principal_type       = "ServicePrincipal"
}

{%- if cookiecutter.deployment_mode == "batch" %}
# ci/deploy.sh uploads the batch sample into the folder the batch monitor reads and the weekly drift check
# (ci/drift.sh) downloads what the endpoint was sent: write access to the workspace storage's blobs.
{%- else %}
# The weekly drift check (ci/drift.sh) downloads collected production data from the workspace storage.
{%- endif %}
resource "azurerm_role_assignment" "ci_blob_data" {
  count                = var.ci_principal_id == "" ? 0 : 1
  scope                = azurerm_storage_account.main.id
  role_definition_name = "{{ "Storage Blob Data Contributor" if cookiecutter.deployment_mode == "batch" else "Storage Blob Data Reader" }}"
  principal_id         = var.ci_principal_id
  principal_type       = "ServicePrincipal"
}

# The workspace reads registry models and environments when prod deploys a promoted model.
resource "azurerm_role_assignment" "workspace_registry_user" {
  count                = var.deploy_ml_registry ? 1 : 0
  scope                = azapi_resource.ml_registry[0].id
  role_definition_name = "AzureML Registry User"
  principal_id         = azurerm_machine_learning_workspace.main.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "registry_users" {
  for_each             = local.ml_registry_user_ids
  scope                = azapi_resource.ml_registry[0].id
  role_definition_name = "AzureML Registry User"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}
