# OIDC (workload identity federation) from CI; locally, `az login` is used when no OIDC token is present.
provider "azurerm" {
  use_oidc = true
  # CI may change its own resource group only, so it cannot register resource providers (a subscription-scope
  # action): ci/bootstrap.py registers the ones this code uses, and azurerm must not try (azurerm 4.x default:
  # "legacy", a long list registered on first use).
  resource_provider_registrations = "none"
  # Any storage data-plane call uses Entra ID instead of account keys.
  storage_use_azuread = true

  features {
    storage {
      # Nothing here needs the storage data plane (queues, static websites); without it Terraform does not
      # need network line of sight to the storage account, which matters once public access is off.
      data_plane_available = false
    }
  }
}

provider "azapi" {
  use_oidc = true
}
