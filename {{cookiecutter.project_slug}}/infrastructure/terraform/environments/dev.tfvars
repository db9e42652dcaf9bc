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

key_vault_purge_protection = false
cpu_cluster_max_nodes      = 2
{%- if cookiecutter.ml_scenario in ["cv", "nlp"] %}
gpu_cluster_max_nodes      = 1
{%- endif %}
