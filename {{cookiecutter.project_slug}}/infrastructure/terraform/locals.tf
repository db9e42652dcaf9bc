# Resource names, in the formats of the template's naming rules (the same names are in config/<env>.yml).
locals {
  names = {
    resource_group       = "rg-${var.resource_prefix}-${var.environment}"
    workspace            = "mlw-${var.resource_prefix}-${var.environment}"
    storage_account      = "st${var.resource_prefix}${var.environment}${var.name_suffix}"
    key_vault            = "kv-${var.resource_prefix}-${var.environment}-${var.name_suffix}"
    container_registry   = "cr${var.resource_prefix}${var.environment}${var.name_suffix}"
    ml_registry          = "mlr-${var.resource_prefix}-${var.name_suffix}"
    log_analytics        = "log-${var.resource_prefix}-${var.environment}"
    application_insights = "appi-${var.resource_prefix}-${var.environment}"
{%- if cookiecutter.observability_store == "adx" %}
    # Azure Data Explorer and what feeds it (observability_store=adx, observability_adx.tf).
    adx_cluster          = "adx${var.resource_prefix}${var.environment}${var.name_suffix}"
    eventhubs_namespace  = "evhns-${var.resource_prefix}-${var.environment}-${var.name_suffix}"
    storage_events_topic = "evgt-${var.resource_prefix}-${var.environment}-storage"
{%- endif %}
{%- if cookiecutter.secure_workspace %}
    # The hub network shared by dev and prod (created by ci/bootstrap.py, see network.tf).
    network_resource_group = "rg-${var.resource_prefix}-network"
    hub_network            = "vnet-${var.resource_prefix}-hub"
{%- endif %}
  }

  tags = merge(var.tags, { environment = var.environment, managed_by = "terraform" })
}
