# OIDC (workload identity federation) from CI; locally, `az login` is used when no OIDC token is present.
provider "azurerm" {
  use_oidc = true
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
