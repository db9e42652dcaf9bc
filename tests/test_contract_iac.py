"""The infrastructure contracts catch the defects they exist for, planted in real bakes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from contracts import bicep_resources, terraform_data_and_azapi
from validators import project_files

DATA = Path(__file__).with_name("data")


def planted(baked, tmp_path: Path, answers: dict, relative: str, old: str, new: str) -> tuple[Path, list[str]]:
    """A copy of a bake with one edit; returns it and the files the edit's contract matches."""
    project = shutil.copytree(baked(**answers), tmp_path / "project")
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} no longer contains {old!r}: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return project, project_files(project)


def problems(contract, project: Path, files: list[str]) -> list[str]:
    return contract.check(project, [f for f in files if contract.matches(f)])


BICEP = {"infrastructure": "bicep", "secure_workspace": True, "ml_scenario": "cv"}
BICEP_TYPES, BICEP_PARAMS = bicep_resources.CONTRACTS
(TERRAFORM,) = terraform_data_and_azapi.CONTRACTS
TF = {"infrastructure": "terraform", "secure_workspace": True, "ml_scenario": "cv"}


WORKSPACE, KEY_VAULT = "infrastructure/bicep/modules/workspace.bicep", "infrastructure/bicep/modules/key_vault.bicep"


@pytest.mark.parametrize(
    ("relative", "old", "new", "expected"),
    [
        # Misspelled property (the Bicep compiler reports BCP037 for it; checkov does not look).
        (WORKSPACE, "enableNodePublicIp:", "enableNodePublicIP:", "unknown property 'enableNodePublicIP'"),
        # A read-only property: Azure reports it, ignores it, or fails the deployment.
        (WORKSPACE, "disableLocalAuth: true", "disableLocalAuth: true\n    provisioningState: 'x'", "read-only"),
        # Closed enum: a key vault sku name is standard or premium (Azure/bicep-types-az, Microsoft.KeyVault).
        (KEY_VAULT, "name: 'standard'", "name: 'basic'", "'basic' is not one of ['premium', 'standard']"),
        # An API version Azure/bicep-types-az does not have.
        (WORKSPACE, "workspaces/computes@2024-10-01", "workspaces/computes@2024-13-01", "is not in tests/data/bicep"),
    ],
)
def test_bicep_contract_catches_planted_defects(baked, tmp_path, relative, old, new, expected):
    project, files = planted(baked, tmp_path, BICEP, relative, old, new)
    found = problems(BICEP_TYPES, project, files)
    assert any(expected in p and p.startswith(f"{relative}:") for p in found), found


def test_bicepparam_contract_catches_an_undeclared_and_a_mistyped_param(baked, tmp_path):
    relative = "infrastructure/bicep/environments/dev.bicepparam"
    project, files = planted(
        baked, tmp_path, BICEP, relative, "param cpuClusterMaxNodes = 2", "param cpuClusterMaxNodes = '2'\nparam x = 1"
    )
    found = problems(BICEP_PARAMS, project, files)
    assert any("cpuClusterMaxNodes' is int" in p for p in found), found
    assert any("declares no param 'x'" in p for p in found), found


def test_terraform_contract_catches_a_misspelled_registry_body_property(baked, tmp_path):
    relative = "infrastructure/terraform/registry.tf"
    project, files = planted(baked, tmp_path, TF, relative, "publicNetworkAccess =", "publicNetworkAcess =")
    found = problems(TERRAFORM, project, files)
    assert any("unknown property 'publicNetworkAcess'" in p and p.startswith(relative) for p in found), found


def test_terraform_contract_catches_a_wrong_data_source_attribute(baked, tmp_path):
    relative = "infrastructure/terraform/main.tf"
    old = "data.azurerm_client_config.current.tenant_id"
    project, files = planted(baked, tmp_path, TF, relative, old, old.replace("tenant_id", "tenant"))
    found = problems(TERRAFORM, project, files)
    assert any("has no attribute 'tenant'" in p for p in found), found


def test_extracts_record_where_they_come_from():
    bicep = json.loads((DATA / "bicep_types.json").read_text(encoding="utf-8"))
    spec = json.loads((DATA / "azureml_registry_spec.json").read_text(encoding="utf-8"))
    for extract in (bicep, spec):
        assert re.fullmatch(r"[0-9a-f]{40}", extract["commit"])
        assert "github.com/Azure/" in extract["source"]
    assert "data_sources" in json.loads((DATA / "azurerm_schema.json").read_text(encoding="utf-8"))
    assert (DATA / "bicep_types.json").stat().st_size < 300_000
