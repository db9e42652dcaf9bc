# dev environment: terraform plan -var-file=environments/dev.tfvars (see docs/infrastructure.md).
# Resource names are derived from these values (locals.tf) and match config/dev.yml.
resource_prefix = "{{ cookiecutter.resource_prefix }}"
environment     = "dev"
name_suffix     = "{{ cookiecutter.name_suffix }}"
location        = "{{ cookiecutter.azure_location }}"

# Object id (principal id) of the dev CI managed identity. python ci/bootstrap.py --environment dev writes it;
# empty: no role assignments for CI.
ci_principal_id = ""

# The shared Azure ML registry is created by prod (environments/prod.tfvars).
deploy_ml_registry = false

# On in dev too: a deleted secret or vault stays recoverable (secure baseline). The price: after the
# resource group is deleted, the vault name stays reserved for its 90-day retention, so a re-created dev
# environment recovers the soft-deleted vault (azurerm does by default) or needs another name_suffix.
key_vault_purge_protection = true
cpu_cluster_max_nodes      = 2
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
gpu_cluster_max_nodes      = 1
{%- endif %}

# Outbound traffic of the workspace managed network. "AllowOnlyApprovedOutbound" allows only what Azure ML needs
# and the package, image and model hosts of outbound_rules.tf (and runs a billed managed Azure Firewall).
managed_network_isolation_mode = "AllowInternetOutbound"
