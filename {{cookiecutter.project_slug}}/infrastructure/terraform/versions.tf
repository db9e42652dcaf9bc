terraform {
  required_version = ">= 1.9.0"

  required_providers {
    # 4.55 or newer: rbac_authorization_enabled on key vaults, and clusters without public IPs in a managed
    # network. The template checks every argument against the azurerm 4.73 schema.
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.55"
    }
    # azurerm has no resource for Azure ML registries; azapi calls the ARM API directly.
    azapi = {
      source  = "azure/azapi"
      version = "~> 2.0"
    }
  }

  # Partial configuration: the values for each environment are in backend/<env>.azurerm.tfbackend
  # (terraform init -backend-config=backend/dev.azurerm.tfbackend), so dev and prod never share a state.
  backend "azurerm" {}
}
