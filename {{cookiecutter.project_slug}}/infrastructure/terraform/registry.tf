{%- set secure = cookiecutter.secure_workspace -%}
# The Azure ML registry shared by dev and prod: models trained and approved in dev are copied here and
# deployed to prod from here. Only the environment with deploy_ml_registry = true (prod) creates it, so
# deleting the dev resource group never deletes a promoted model.
resource "azapi_resource" "ml_registry" {
  count     = var.deploy_ml_registry ? 1 : 0
  type      = "Microsoft.MachineLearningServices/registries@2024-10-01"
  name      = local.names.ml_registry
  parent_id = data.azurerm_resource_group.main.id
  location  = var.location
  tags      = local.tags

  identity {
    type = "SystemAssigned"
  }

  body = {
    properties = {
      publicNetworkAccess = "{{ 'Disabled' if secure else 'Enabled' }}"
      regionDetails = [
        {
          location = var.location
          acrDetails = [
            { systemCreatedAcrAccount = { acrAccountSku = "Premium" } }
          ]
          storageAccountDetails = [
            {
              systemCreatedStorageAccount = {
                storageAccountType       = "Standard_ZRS"
                storageAccountHnsEnabled = false
                allowBlobPublicAccess    = false
              }
            }
          ]
        }
      ]
    }
  }
}
