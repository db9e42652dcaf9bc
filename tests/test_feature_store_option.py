"""feature_store=true: the one IaC x CI combination the pairwise bakes leave out, IaC parity, and CI registration.

The pairwise bakes (options.pairwise_variants) already bake feature_store=true with Terraform on both CI platforms
and with Bicep on GitHub Actions, and run every validator, contract and their own fast tests there. Bicep on Azure
DevOps (with private networking, the secure variant of the Bicep) is baked here.
"""

from __future__ import annotations

import re

import pytest
from contracts import CONTRACTS
from validators import run_validators

FEATURE_STORE = {"ml_scenario": "tabular", "feature_store": True}
# Roles of the feature store's materialization identity and consumers: Microsoft Learn, "Manage access control for
# managed feature store" (MicrosoftDocs/azure-ai-docs
# articles/machine-learning/how-to-setup-access-control-feature-store.md, "Permissions required for the feature
# store materialization managed identity role").
MATERIALIZATION_ROLES = {"AzureML Data Scientist", "Storage Blob Data Contributor"}
ROLE_IDS = {
    "f6c7c914-8db3-469d-8ca1-694a8f32e121": "AzureML Data Scientist",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
}


def test_bicep_on_azure_devops_with_private_networking_passes_every_validator_and_contract(baked):
    project = baked(infrastructure="bicep", ci_platform="azure_devops", secure_workspace=True, **FEATURE_STORE)
    results = {**run_validators(project), **run_validators(project, CONTRACTS)}
    failures = {name: problems for name, problems in results.items() if problems}
    assert not failures, "\n".join(f"[{name}]\n" + "\n".join(problems) for name, problems in failures.items())
    bicep = (project / "infrastructure/bicep/modules/network.bicep").read_text()
    assert "key: 'feature_store'" in bicep and "key: 'feature_store_blob'" in bicep  # private like the workspace


@pytest.mark.parametrize("secure", [False, True])
def test_terraform_and_bicep_declare_the_same_feature_store(baked, secure):
    terraform = baked(infrastructure="terraform", secure_workspace=secure, **FEATURE_STORE)
    bicep = baked(infrastructure="bicep", secure_workspace=secure, **FEATURE_STORE)
    tf = (terraform / "infrastructure/terraform/feature_store.tf").read_text()
    bc = (bicep / "infrastructure/bicep/modules/feature_store.bicep").read_text()
    # A workspace of kind FeatureStore with its Spark runtime, an ADLS Gen2 offline store, a user-assigned identity.
    assert 'kind                           = "FeatureStore"' in tf and "kind: 'FeatureStore'" in bc
    assert 'computer_spark_runtime_version = "3.4"' in tf and "sparkRuntimeVersion: '3.4'" in bc
    assert "is_hns_enabled                  = true" in tf and "isHnsEnabled: true" in bc
    assert "azurerm_user_assigned_identity" in tf and "Microsoft.ManagedIdentity/userAssignedIdentities" in bc
    public = "false" if secure else "true"
    assert (
        tf.count(f"public_network_access_enabled   = {public}") + tf.count(f"public_network_access_enabled  = {public}")
        == 2
    )
    assert bc.count(f"publicNetworkAccess: '{'Disabled' if secure else 'Enabled'}'") == 2
    # The same roles: materialization on the store and the offline store, consumers read, CI registers and uploads.
    tf_roles = set(re.findall(r'role\s+= "([^"]+)"', tf))
    bicep_roles = {ROLE_IDS[role_id] for role_id in re.findall(r"'([0-9a-f-]{36})'", bc)}
    assert tf_roles == bicep_roles == MATERIALIZATION_ROLES | {"Storage Blob Data Reader"}


def test_feature_store_files_exist_only_when_chosen(baked):
    off = baked(ml_scenario="tabular")
    assert not (off / "featurestore").exists() and not (off / "ci/feature_store.sh").exists()
    assert "feature_store" not in (off / "config/dev.yml").read_text()
    on = baked(**FEATURE_STORE)
    for relative in ("featurestore/entities/applicant.yml", "ci/feature_store.sh", "docs/feature-store.md"):
        assert (on / relative).is_file(), relative
    train = (on / "ci/train.sh").read_text()
    assert train.index('"$CI_DIR/feature_store.sh" "$env"') < train.index("az ml job create")
    script = (on / "ci/feature_store.sh").read_text()
    # Registered through the CLI the contract checks (az ml feature-store-entity / feature-set create).
    assert "az ml feature-store-entity create --file" in script and "az ml feature-set create --file" in script
