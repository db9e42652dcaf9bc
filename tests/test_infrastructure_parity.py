"""Terraform and Bicep declare the same platform: the same resource kinds and the same security settings."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest
from tools.iac_model import bicep_resources, dig, parse_bicep, parse_hcl, single, tf_blocks, tf_resources

# azurerm resource type -> the ARM type Bicep declares for it.
TF_TO_ARM = {
    "azurerm_resource_group": "Microsoft.Resources/resourceGroups",
    "azurerm_log_analytics_workspace": "Microsoft.OperationalInsights/workspaces",
    "azurerm_application_insights": "Microsoft.Insights/components",
    "azurerm_storage_account": "Microsoft.Storage/storageAccounts",
    "azurerm_key_vault": "Microsoft.KeyVault/vaults",
    "azurerm_container_registry": "Microsoft.ContainerRegistry/registries",
    "azurerm_machine_learning_workspace": "Microsoft.MachineLearningServices/workspaces",
    "azurerm_machine_learning_compute_cluster": "Microsoft.MachineLearningServices/workspaces/computes",
    "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint":
        "Microsoft.MachineLearningServices/workspaces/outboundRules",
    "azurerm_machine_learning_workspace_network_outbound_rule_fqdn":
        "Microsoft.MachineLearningServices/workspaces/outboundRules",
    "azurerm_role_assignment": "Microsoft.Authorization/roleAssignments",
    "azurerm_virtual_network": "Microsoft.Network/virtualNetworks",
    "azurerm_subnet": "Microsoft.Network/virtualNetworks/subnets",
    "azurerm_network_security_group": "Microsoft.Network/networkSecurityGroups",
    "azurerm_private_dns_zone": "Microsoft.Network/privateDnsZones",
    "azurerm_private_dns_zone_virtual_network_link": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "azurerm_private_endpoint": "Microsoft.Network/privateEndpoints",
    "azurerm_monitor_action_group": "Microsoft.Insights/actionGroups",
    "azurerm_monitor_metric_alert": "Microsoft.Insights/metricAlerts",
    "azurerm_monitor_scheduled_query_rules_alert_v2": "Microsoft.Insights/scheduledQueryRules",
}  # fmt: skip
# What one language declares as a resource and the other as a block or property of another resource.
TF_ONLY = {
    "azurerm_subnet_network_security_group_association": "Bicep: the subnet's networkSecurityGroup property",
    "azapi_update_resource": "Bicep: the workspace's systemDatastoresAuthMode property (azurerm has no argument)",
}
ARM_ONLY = {
    "Microsoft.Storage/storageAccounts/blobServices": "Terraform: blob_properties block of azurerm_storage_account",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups": "Terraform: private_dns_zone_group block",
}
# Built-in role names (Terraform) and their ids (Bicep).
ROLE_IDS = {
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "AzureML Data Scientist": "f6c7c914-8db3-469d-8ca1-694a8f32e121",
    "AzureML Registry User": "1823dd4f-9b8c-4ab6-ab4e-7397a3684615",
}


@pytest.fixture(params=[False, True], ids=["public", "secure"])
def pair(request, baked) -> tuple[Path, Path]:
    answers = {"secure_workspace": request.param, "ml_scenario": "cv"}  # cv: the GPU cluster too
    return (
        baked(infrastructure="terraform", **answers) / "infrastructure" / "terraform",
        baked(infrastructure="bicep", **answers) / "infrastructure" / "bicep",
    )


def arm_type_of(resource) -> str:
    if resource.type == "azapi_resource":
        return single(resource.body["type"]).split("@")[0]
    return TF_TO_ARM[resource.type]


def test_mapping_tables_cover_every_declared_type(pair):
    terraform, bicep = pair
    for resource in tf_resources(terraform):
        assert resource.type == "azapi_resource" or resource.type in TF_TO_ARM or resource.type in TF_ONLY
    known = set(TF_TO_ARM.values()) | set(ARM_ONLY) | {"Microsoft.MachineLearningServices/registries"}
    for resource in bicep_resources(bicep):
        assert resource.type in known, resource.type


def test_same_resource_kinds(pair):
    terraform, bicep = pair
    tf_kinds = {arm_type_of(r) for r in tf_resources(terraform) if r.type not in TF_ONLY}
    bicep_kinds = {r.type for r in bicep_resources(bicep) if not r.existing and r.type not in ARM_ONLY}
    assert tf_kinds == bicep_kinds


def test_same_compute_clusters(pair):
    terraform, bicep = pair
    tf_clusters = {single(r.body["name"]) for r in tf_resources(terraform) if r.type.endswith("compute_cluster")}
    bicep_clusters = {r.body["name"] for r in bicep_resources(bicep) if r.type.endswith("/computes")}
    assert tf_clusters == bicep_clusters == {"cpu-cluster", "gpu-cluster"}


def tf_by_type(terraform: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for r in tf_resources(terraform):
        if r.type not in {"azurerm_role_assignment", *TF_ONLY}:
            found.setdefault(arm_type_of(r), []).append({k: single(v) for k, v in r.body.items()})
    return found


def bicep_by_type(bicep: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for r in bicep_resources(bicep):
        if not r.existing:
            found.setdefault(r.type, []).append(r.body)
    return found


def access(enabled: bool) -> str:
    return "Enabled" if enabled else "Disabled"


def tf_security(terraform: Path) -> dict:
    by_type = tf_by_type(terraform)
    r = {kind: bodies[0] for kind, bodies in by_type.items()}
    clusters = by_type["Microsoft.MachineLearningServices/workspaces/computes"]
    storage, vault = r["Microsoft.Storage/storageAccounts"], r["Microsoft.KeyVault/vaults"]
    acr, workspace = r["Microsoft.ContainerRegistry/registries"], r["Microsoft.MachineLearningServices/workspaces"]
    registry = r["Microsoft.MachineLearningServices/registries"]
    variables = tf_blocks(terraform, "variable")
    return {
        "storage public access": access(storage["public_network_access_enabled"]),
        "storage min TLS": storage["min_tls_version"],
        "storage https only": storage["https_traffic_only_enabled"],
        "storage anonymous blob access": storage["allow_nested_items_to_be_public"],
        "storage shared keys": storage["shared_access_key_enabled"],
        "key vault public access": access(vault["public_network_access_enabled"]),
        "key vault firewall default": single(vault["network_acls"])["default_action"][0],
        "key vault RBAC": vault["rbac_authorization_enabled"],
        "key vault purge protection default": single(variables["key_vault_purge_protection"]["default"]),
        "ACR public access": access(acr["public_network_access_enabled"]),
        "ACR admin user": acr["admin_enabled"],
        "ACR sku": acr["sku"],
        "workspace public access": access(workspace["public_network_access_enabled"]),
        "workspace identity": single(workspace["identity"])["type"][0],
        "workspace managed network": "managed_network" in workspace,
        "workspace datastores auth": {
            single(r.body["body"])["properties"]["systemDatastoresAuthMode"]
            for r in tf_resources(terraform)
            if r.type == "azapi_update_resource" and "machine_learning_workspace" in single(r.body["resource_id"])
        },
        "compute identity": {single(c["identity"])["type"][0] for c in clusters},
        "compute node public IP": {c["node_public_ip_enabled"] for c in clusters},
        "compute local auth": {c["local_auth_enabled"] for c in clusters},
        "compute SSH from the internet": {c["ssh_public_access_enabled"] for c in clusters},
        "compute min nodes": {single(c["scale_settings"])["min_node_count"][0] for c in clusters},
        "ML registry public access": registry["body"]["properties"]["publicNetworkAccess"],
        "ML registry identity": single(registry["identity"])["type"][0],
    }


def bicep_security(bicep: Path) -> dict:
    by_type = bicep_by_type(bicep)
    r = {kind: bodies[0] for kind, bodies in by_type.items()}
    clusters = by_type["Microsoft.MachineLearningServices/workspaces/computes"]
    storage, vault = r["Microsoft.Storage/storageAccounts"], r["Microsoft.KeyVault/vaults"]
    acr, workspace = r["Microsoft.ContainerRegistry/registries"], r["Microsoft.MachineLearningServices/workspaces"]
    registry = r["Microsoft.MachineLearningServices/registries"]
    params = parse_bicep(bicep / "main.bicep")["parameters"]
    purge = dig(vault, "properties", "enablePurgeProtection", "operator", "operands")
    assert purge["true_value"] is True and purge["condition"] == "purgeProtection"
    return {
        "storage public access": dig(storage, "properties", "publicNetworkAccess"),
        "storage min TLS": dig(storage, "properties", "minimumTlsVersion"),
        "storage https only": dig(storage, "properties", "supportsHttpsTrafficOnly"),
        "storage anonymous blob access": dig(storage, "properties", "allowBlobPublicAccess"),
        "storage shared keys": dig(storage, "properties", "allowSharedKeyAccess"),
        "key vault public access": dig(vault, "properties", "publicNetworkAccess"),
        "key vault firewall default": dig(vault, "properties", "networkAcls", "defaultAction"),
        "key vault RBAC": dig(vault, "properties", "enableRbacAuthorization"),
        "key vault purge protection default": params["keyVaultPurgeProtection"]["default"],
        "ACR public access": dig(acr, "properties", "publicNetworkAccess"),
        "ACR admin user": dig(acr, "properties", "adminUserEnabled"),
        "ACR sku": dig(acr, "sku", "name"),
        "workspace public access": dig(workspace, "properties", "publicNetworkAccess"),
        "workspace identity": dig(workspace, "identity", "type"),
        "workspace managed network": dig(workspace, "properties", "managedNetwork") is not None,
        "workspace datastores auth": {dig(workspace, "properties", "systemDatastoresAuthMode")},
        "compute identity": {dig(c, "identity", "type") for c in clusters},
        "compute node public IP": {dig(c, "properties", "properties", "enableNodePublicIp") for c in clusters},
        "compute local auth": {not dig(c, "properties", "disableLocalAuth") for c in clusters},
        "compute SSH from the internet": {
            dig(c, "properties", "properties", "remoteLoginPortPublicAccess") == "Enabled" for c in clusters
        },
        "compute min nodes": {dig(c, "properties", "properties", "scaleSettings", "minNodeCount") for c in clusters},
        "ML registry public access": dig(registry, "properties", "publicNetworkAccess"),
        "ML registry identity": dig(registry, "identity", "type"),
    }


def test_same_security_settings(pair, request):
    terraform, bicep = pair
    tf, bc = tf_security(terraform), bicep_security(bicep)
    assert tf == bc
    secure = "secure" in request.node.callspec.id
    public = [key for key in tf if key.endswith("public access")]
    assert {tf[key] for key in public} == {"Disabled" if secure else "Enabled"}
    assert tf["ACR admin user"] is False and tf["key vault RBAC"] is True and tf["storage min TLS"] == "TLS1_2"
    # Both variants: identity-only storage, a managed network and clusters without public IPs (issue 14, item 7).
    assert tf["storage shared keys"] is False and tf["workspace datastores auth"] == {"identity"}
    assert tf["workspace managed network"] is True and tf["compute node public IP"] == {False}
    assert tf["compute min nodes"] == {0}


def test_same_role_assignments(pair):
    terraform, bicep = pair
    assigned = [r for r in tf_resources(terraform) if r.type == "azurerm_role_assignment"]
    tf_roles = {single(r.body["role_definition_name"]) for r in assigned}
    bicep_text = "\n".join(p.read_text(encoding="utf-8") for p in bicep.rglob("*.bicep"))
    used_ids = set(re.findall(r"'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'", bicep_text))
    # ROLE_IDS lists the only roles allowed: no Owner, Contributor or User Access Administrator anywhere.
    assert tf_roles <= set(ROLE_IDS)
    assert {ROLE_IDS[name] for name in tf_roles} == used_ids


def env_values(terraform: Path, bicep: Path, env: str) -> tuple[dict, dict]:
    tfvars = {k: single(v) for k, v in parse_hcl(terraform / "environments" / f"{env}.tfvars").items()}
    text = (bicep / "environments" / f"{env}.bicepparam").read_text(encoding="utf-8")
    params = dict(re.findall(r"^param (\w+) = (.+)$", text, re.MULTILINE))
    return tfvars, {k: hcl2.loads(f"v = {v.replace(chr(39), chr(34))}")["v"] for k, v in params.items()}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_same_environment_values(pair, env):
    # Every tfvars setting has the same value in the .bicepparam (environment -> environmentName).
    tfvars, bicepparam = env_values(*pair, env)
    renamed = {("environmentName" if k == "environment" else camel(k)): single(v) for k, v in tfvars.items()}
    assert renamed == {k: single(v) for k, v in bicepparam.items()}
