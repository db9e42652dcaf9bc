"""The secure baseline holds in every variant, in Terraform and in Bicep (issue 14, item 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from tools.iac_model import bicep_resources, dig, parse_bicep, parse_hcl, single, tf_blocks, tf_locals, tf_resources

VARIANTS = [
    pytest.param({"secure_workspace": secure, "ml_scenario": scenario}, id=f"secure={secure}-{scenario}")
    for secure in (False, True)
    for scenario in ("tabular", "nlp")
]


@pytest.fixture(params=VARIANTS)
def variant(request) -> dict:
    return request.param


def terraform(baked, variant) -> Path:
    return baked(infrastructure="terraform", **variant) / "infrastructure" / "terraform"


def bicep(baked, variant) -> Path:
    return baked(infrastructure="bicep", **variant) / "infrastructure" / "bicep"


def tf_of_type(directory: Path, resource_type: str) -> list[dict]:
    return [{k: single(v) for k, v in r.body.items()} for r in tf_resources(directory) if r.type == resource_type]


def bicep_of_type(directory: Path, resource_type: str) -> list[dict]:
    return [r.body for r in bicep_resources(directory) if r.type == resource_type and not r.existing]


def test_storage_takes_no_shared_keys_and_the_workspace_datastores_use_identity(baked, variant):
    # Microsoft Learn, "Disable shared key access for your workspace's storage account"
    # (https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage): the workspace's
    # system datastores reach a key-less account with Entra ID when systemDatastoresAuthMode is "identity"
    # (Azure/bicep-types-az: a workspace property from API 2025-06-01 on).
    tf = terraform(baked, variant)
    (storage,) = tf_of_type(tf, "azurerm_storage_account")
    assert storage["shared_access_key_enabled"] is False
    updates = tf_of_type(tf, "azapi_update_resource")
    auth = [u for u in updates if u["type"].startswith("Microsoft.MachineLearningServices/workspaces@")]
    assert [a["body"]["properties"]["systemDatastoresAuthMode"] for a in auth] == ["identity"]
    assert auth[0]["resource_id"] == "${azurerm_machine_learning_workspace.main.id}"
    assert auth[0]["type"].split("@")[1] >= "2025-06-01"

    bc = bicep(baked, variant)
    (account,) = bicep_of_type(bc, "Microsoft.Storage/storageAccounts")
    assert dig(account, "properties", "allowSharedKeyAccess") is False
    ml_workspace = "Microsoft.MachineLearningServices/workspaces"
    (workspace,) = [r for r in bicep_resources(bc) if r.type == ml_workspace and not r.existing]
    assert dig(workspace.body, "properties", "systemDatastoresAuthMode") == "identity"
    assert workspace.api_version >= "2025-06-01"


def test_key_vault_purge_protection_is_on_in_every_environment(baked, variant):
    # A purged vault or secret cannot be recovered; dev holds the same kind of secrets as prod.
    tf, bc = terraform(baked, variant), bicep(baked, variant)
    for env in ("dev", "prod"):
        values = parse_hcl(tf / "environments" / f"{env}.tfvars")
        assert single(values["key_vault_purge_protection"]) is True, env
        text = (bc / "environments" / f"{env}.bicepparam").read_text(encoding="utf-8")
        assert re.search(r"^param keyVaultPurgeProtection = true$", text, re.MULTILINE), env


def test_clusters_have_no_public_ip_and_run_in_a_managed_network(baked, variant):
    # Microsoft Learn, "Secure an Azure Machine Learning training environment with virtual networks": no public
    # IP removes inbound traffic from the internet. Without a subnet, azurerm accepts node_public_ip_enabled =
    # false only once the workspace's managed network is Active
    # (hashicorp/terraform-provider-azurerm internal/services/machinelearning/
    # machine_learning_compute_cluster_resource.go), hence provision_on_creation_enabled.
    tf = terraform(baked, variant)
    clusters = tf_of_type(tf, "azurerm_machine_learning_compute_cluster")
    assert clusters and {c["node_public_ip_enabled"] for c in clusters} == {False}
    assert all("subnet_resource_id" not in c for c in clusters)
    (workspace,) = tf_of_type(tf, "azurerm_machine_learning_workspace")
    network = single(workspace["managed_network"])
    assert single(network["provision_on_creation_enabled"]) is True
    assert single(network["isolation_mode"]) == "${var.managed_network_isolation_mode}"

    bc = bicep(baked, variant)
    computes = bicep_of_type(bc, "Microsoft.MachineLearningServices/workspaces/computes")
    assert computes and {dig(c, "properties", "properties", "enableNodePublicIp") for c in computes} == {False}
    (ws,) = bicep_of_type(bc, "Microsoft.MachineLearningServices/workspaces")
    assert dig(ws, "properties", "managedNetwork", "isolationMode") == "managedNetworkIsolationMode"


# Hosts that environment builds and training reach (conda.yml installs from conda-forge and PyPI; cv and nlp
# download pretrained weights). Microsoft Learn, "Workspace managed virtual network isolation", scenarios
# "Access public machine learning packages" and "HuggingFace models".
PACKAGE_HOSTS = {"pypi.org", "files.pythonhosted.org", "conda.anaconda.org", "mcr.microsoft.com"}
MODEL_HOSTS = {"huggingface.co", "cdn-lfs.huggingface.co", "download.pytorch.org"}


def test_approved_outbound_only_is_a_switch_with_the_rules_builds_and_training_need(baked, variant):
    tf, bc = terraform(baked, variant), bicep(baked, variant)
    expected = PACKAGE_HOSTS | (MODEL_HOSTS if variant["ml_scenario"] != "tabular" else set())

    # The switch: a validated variable / an @allowed parameter, set in every environment's values.
    variables = tf_blocks(tf, "variable")
    assert "AllowOnlyApprovedOutbound" in str(variables["managed_network_isolation_mode"]["validation"])
    params = parse_bicep(bc / "main.bicep")["parameters"]["managedNetworkIsolationMode"]
    assert "AllowOnlyApprovedOutbound" in str(params["decorators"])
    for env in ("dev", "prod"):
        assert "managed_network_isolation_mode" in parse_hcl(tf / "environments" / f"{env}.tfvars")
        assert "param managedNetworkIsolationMode" in (bc / "environments" / f"{env}.bicepparam").read_text("utf-8")

    # Terraform: one FQDN rule per host, only in approved-outbound-only mode.
    fqdns = single(tf_locals(tf)["approved_outbound_fqdns"])
    assert expected <= set(fqdns.values())
    (rule,) = [r for r in tf_resources(tf) if r.type.endswith("network_outbound_rule_fqdn")]
    assert "AllowOnlyApprovedOutbound" in single(rule.body["for_each"])
    assert single(rule.body["destination_fqdn"]) == "${each.value}"

    # Bicep: the same hosts, an outbound rule of type FQDN each, under the same condition.
    approved = parse_bicep(bc / "modules" / "workspace.bicep")["variables"]["approvedOutbound"]["value"]
    assert {k.strip("'"): v for k, v in approved.items()} == fqdns
    (rules,) = [r for r in bicep_resources(bc) if r.symbol == "approvedOutboundRules"]
    assert dig(rules.body, "properties", "type") == "FQDN"
    text = (bc / "modules" / "workspace.bicep").read_text(encoding="utf-8")
    assert "managedNetworkIsolationMode == 'AllowOnlyApprovedOutbound' ? approvedOutbound : {}" in text


@pytest.mark.parametrize("scenario", ["tabular", "cv"])
def test_base_images_are_pinned_to_a_dated_tag(baked, scenario):
    # Azure ML base images are tagged <yyyymmdd>.v<n> (Azure/AzureML-Containers images/<image>/release-notes.md);
    # `latest` changes under a rebuild, so two builds of one commit could differ.
    project = baked(ml_scenario=scenario, deployment_mode="online")
    files = [
        project / "mlops/azureml/environment/environment.yml",
        project / "mlops/azureml/deploy/online/deployment.yml",
    ]
    images = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        images.append(data["image"] if "image" in data else data["environment"]["image"])
    for image in images:
        assert re.fullmatch(r"mcr\.microsoft\.com/azureml/[\w.-]+:\d{8}\.v\d+", image), image
    assert ("cuda" in images[0]) is (scenario == "cv")
