# prod environment: terraform plan -var-file=environments/prod.tfvars (see docs/infrastructure.md).
# Resource names are derived from these values (locals.tf) and match config/prod.yml.
resource_prefix = "{{ cookiecutter.resource_prefix }}"
environment     = "prod"
name_suffix     = "{{ cookiecutter.name_suffix }}"
location        = "{{ cookiecutter.azure_location }}"

# Object id (principal id) of the prod CI managed identity. python ci/bootstrap.py --environment prod writes it;
# empty: no role assignments for CI.
ci_principal_id = ""

# prod owns the Azure ML registry shared by dev and prod. The dev CI identity copies models into it (promotion):
# python ci/bootstrap.py writes its principal id here, and only this code grants it AzureML Registry User.
deploy_ml_registry             = true
ml_registry_user_principal_ids = []

key_vault_purge_protection = true
cpu_cluster_max_nodes      = 4
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
gpu_cluster_max_nodes      = 2
{%- endif %}

# Outbound traffic of the workspace managed network. "AllowOnlyApprovedOutbound" allows only what Azure ML needs
# and the package, image and model hosts of outbound_rules.tf (and runs a billed managed Azure Firewall).
managed_network_isolation_mode = "AllowInternetOutbound"
