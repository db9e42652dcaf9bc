# prod environment: terraform plan -var-file=environments/prod.tfvars (see docs/infrastructure.md).
# Resource names are derived from these values (locals.tf) and match config/prod.yml.
resource_prefix = "{{ cookiecutter.resource_prefix }}"
environment     = "prod"
name_suffix     = "{{ cookiecutter.name_suffix }}"
location        = "{{ cookiecutter.azure_location }}"

# Object id of the service principal CI signs in as for prod (az ad sp show --id <client-id> --query id -o tsv).
# Empty: no role assignments for CI.
ci_principal_id = ""

# prod owns the Azure ML registry shared by dev and prod; add the dev CI object id here so dev can promote models.
deploy_ml_registry             = true
ml_registry_user_principal_ids = []

key_vault_purge_protection = true
cpu_cluster_max_nodes      = 4
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
gpu_cluster_max_nodes      = 2
{%- endif %}
{%- if cookiecutter.secure_workspace %}

# The VNet of the private endpoints; peer it with the network you connect from (it must not overlap).
vnet_address_space             = "10.20.0.0/24"
private_endpoint_subnet_prefix = "10.20.0.0/26"
{%- endif %}

# Outbound traffic of the workspace managed network. "AllowOnlyApprovedOutbound" allows only what Azure ML needs
# and the package, image and model hosts of outbound_rules.tf (and runs a billed managed Azure Firewall).
managed_network_isolation_mode = "AllowInternetOutbound"
