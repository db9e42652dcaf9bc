# Every value that differs between environments comes from environments/<env>.tfvars.

variable "resource_prefix" {
  description = "Prefix of every resource name (2-8 lowercase letters and digits)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{2,8}$", var.resource_prefix))
    error_message = "resource_prefix must be 2-8 lowercase letters and digits."
  }
}

variable "environment" {
  description = "Environment name, part of every resource name."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "name_suffix" {
  description = "Suffix that makes the globally unique names (storage, key vault, registries) unique."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,5}$", var.name_suffix))
    error_message = "name_suffix must be 3-5 lowercase letters and digits."
  }
}

variable "location" {
  description = "Azure region (programmatic name, e.g. westeurope)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+$", var.location))
    error_message = "location must be a programmatic region name such as westeurope."
  }
}

variable "ci_principal_id" {
  description = "Object id of the CI identity's service principal; empty skips its role assignments."
  type        = string
  default     = ""

  validation {
    condition     = var.ci_principal_id == "" || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.ci_principal_id))
    error_message = "ci_principal_id must be empty or an object id (GUID, lowercase)."
  }
}

variable "deploy_ml_registry" {
  description = "Whether this environment creates the Azure ML registry shared by dev and prod (exactly one should)."
  type        = bool
  default     = false
}

variable "ml_registry_user_principal_ids" {
  description = "Extra principals (object ids) allowed to use the shared registry, e.g. the dev CI identity."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.ml_registry_user_principal_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "ml_registry_user_principal_ids must hold object ids (GUIDs, lowercase)."
  }
}

{% if cookiecutter.custom_container -%}
variable "external_container_registry_id" {
  description = "Resource id of a container registry outside this environment that the project's images are pulled from (containers.registry of config/<env>.yml names it); empty: the workspace's own registry."
  type        = string
  default     = ""

  validation {
    condition     = var.external_container_registry_id == "" || can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.ContainerRegistry/registries/[^/]+$", var.external_container_registry_id))
    error_message = "external_container_registry_id must be empty or a container registry's resource id."
  }
}

{% endif -%}
variable "key_vault_purge_protection" {
  description = "Purge protection on the key vault; once on it cannot be turned off (and the vault name stays taken for the retention period)."
  type        = bool
  default     = true
}

variable "cpu_cluster_vm_size" {
  description = "VM size of the CPU compute cluster."
  type        = string
  default     = "Standard_DS3_v2"
}

variable "cpu_cluster_max_nodes" {
  description = "Maximum node count of the CPU cluster (it scales to zero when idle)."
  type        = number
  default     = 2

  validation {
    condition     = var.cpu_cluster_max_nodes >= 1 && var.cpu_cluster_max_nodes <= 100
    error_message = "cpu_cluster_max_nodes must be between 1 and 100."
  }
}
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}

variable "gpu_cluster_vm_size" {
  description = "VM size of the GPU compute cluster (needs GPU quota in the region)."
  type        = string
  default     = "Standard_NC4as_T4_v3"
}

variable "gpu_cluster_max_nodes" {
  description = "Maximum node count of the GPU cluster (it scales to zero when idle)."
  type        = number
  default     = 1

  validation {
    condition     = var.gpu_cluster_max_nodes >= 1 && var.gpu_cluster_max_nodes <= 20
    error_message = "gpu_cluster_max_nodes must be between 1 and 20."
  }
}
{%- endif %}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "managed_network_isolation_mode" {
  description = "Outbound isolation of the workspace managed network: AllowOnlyApprovedOutbound allows only Azure ML's own rules and the destinations of outbound_rules.tf (Azure ML then runs a managed Azure Firewall, billed)."
  type        = string
  default     = "AllowInternetOutbound"

  validation {
    condition     = contains(["AllowInternetOutbound", "AllowOnlyApprovedOutbound"], var.managed_network_isolation_mode)
    error_message = "managed_network_isolation_mode must be AllowInternetOutbound or AllowOnlyApprovedOutbound."
  }
}
{%- if cookiecutter.observability_store == "adx" %}

variable "adx_sku" {
  description = "SKU of the Azure Data Explorer cluster: the Dev(No SLA) one-node SKU by default; a Standard SKU (e.g. Standard_E2ads_v5) for an SLA."
  type        = string
  default     = "Dev(No SLA)_Standard_E2a_v4"
}

variable "adx_auto_stop" {
  description = "Let Azure stop the Data Explorer cluster after 5 days without ingestion or queries (it ingests nothing until started again)."
  type        = bool
  default     = true
}
{%- endif %}
