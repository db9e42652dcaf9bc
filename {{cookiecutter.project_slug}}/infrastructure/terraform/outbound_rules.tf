{%- from "partials/approved_outbound.j2" import approved_outbound with context -%}
# What the workspace managed network may reach when managed_network_isolation_mode is
# "AllowOnlyApprovedOutbound": Azure ML adds the rules for its own services and the workspace's storage, key
# vault and container registry itself; these are what environment builds and training need on top (Python and
# conda packages, base images{{ ", pretrained models" if cookiecutter.ml_scenario in ["cv", "nlp"] else "" }}). Microsoft Learn, "Workspace managed virtual network
# isolation": FQDN rules make Azure ML run a managed Azure Firewall, which is billed.
# With "AllowInternetOutbound" (the default) no rule is needed and none is created.
locals {
  approved_outbound_fqdns = {
{%- set width = (approved_outbound.keys() | map("length") | max) + 2 %}
{%- for name, destination in approved_outbound.items() %}
    {{ ('"' ~ name ~ '"').ljust(width) }} = "{{ destination }}"
{%- endfor %}
  }
}

resource "azurerm_machine_learning_workspace_network_outbound_rule_fqdn" "approved" {
  for_each         = var.managed_network_isolation_mode == "AllowOnlyApprovedOutbound" ? local.approved_outbound_fqdns : {}
  name             = each.key
  workspace_id     = azurerm_machine_learning_workspace.main.id
  destination_fqdn = each.value
}
