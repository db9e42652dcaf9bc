"""The sign-in and network contracts catch issue 12's defects 1, 8, 9 and 10 planted back into a fresh bake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from contracts import CONTRACTS
from validators import run_validators

BY_NAME = {contract.name: contract for contract in CONTRACTS}
SUBJECTS = BY_NAME["GitHub OIDC subjects are the immutable form"]
TOKEN = BY_NAME["Terraform on Azure DevOps refreshes its token"]
ROLES = BY_NAME["Roles are granted in one place"]


def _copy(baked, tmp_path, **answers) -> Path:
    root = tmp_path / "project"
    shutil.copytree(baked(**answers), root)
    return root


def _problems(root: Path, contract) -> list[str]:
    return run_validators(root, (contract,)).get(contract.name, [])


@pytest.mark.parametrize("answers", [{}, {"infrastructure": "bicep", "secure_workspace": True}])
def test_fresh_bakes_keep_the_sign_in_contracts(baked, answers):
    root = baked(ci_platform="github_actions", **answers)
    assert _problems(root, SUBJECTS) == []
    assert _problems(root, ROLES) == []


def test_a_name_only_subject_in_the_readme_is_defect_1(baked, tmp_path):
    # The old README created `repo:$REPO:environment:$ENV`: azure/login fails for repositories with immutable subjects.
    root = _copy(baked, tmp_path)
    readme = root / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8")
        + "\n```bash\naz identity federated-credential create --name github-dev --identity-name id --resource-group rg"
        + ' --issuer https://token.actions.githubusercontent.com --subject "repo:$REPO:environment:dev"\n```\n',
        encoding="utf-8",
    )
    (problem,) = _problems(root, SUBJECTS)
    assert "README.md:" in problem and "name-only" in problem


def test_a_one_off_terraform_token_on_azure_devops_is_defect_10(baked, tmp_path):
    root = _copy(baked, tmp_path, ci_platform="azure_devops", infrastructure="terraform")
    assert _problems(root, TOKEN) == []
    script = root / "ci" / "iac.sh"
    text = script.read_text(encoding="utf-8")
    old = 'export ARM_USE_OIDC=true ARM_OIDC_TOKEN="$idToken" ARM_CLIENT_ID="${servicePrincipalId:?}"\n'
    script.write_text(
        "\n".join(line for line in text.splitlines() if "SERVICE_CONNECTION_ID=" not in line) + "\n" + old,
        encoding="utf-8",
    )
    problems = _problems(root, TOKEN)
    assert any("ARM_OIDC_TOKEN" in p for p in problems)
    assert any("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID is not set" in p for p in problems)


@pytest.mark.parametrize("infrastructure", ["terraform", "bicep"])
def test_the_registry_role_granted_by_hand_and_by_the_code_is_defect_9(baked, tmp_path, infrastructure):
    root = _copy(baked, tmp_path, infrastructure=infrastructure)
    readme = root / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8")
        + '\n```bash\naz role assignment create --assignee "$DEV_APP_ID" --role "AzureML Registry User" \\\n'
        + '  --scope "$REGISTRY_ID"\n```\n',
        encoding="utf-8",
    )
    (problem,) = _problems(root, ROLES)
    assert "AzureML Registry User" in problem and "RoleAssignmentExists" in problem


@pytest.mark.parametrize("infrastructure", ["terraform", "bicep"])
def test_a_zone_of_its_own_per_environment_is_defect_8(baked, tmp_path, infrastructure):
    # The secure variant as it was: each environment created privatelink.* zones linked to its own VNet.
    (zones,) = [c for c in CONTRACTS if c.name == "private DNS zones are the shared hub's"]
    root = _copy(baked, tmp_path, infrastructure=infrastructure, secure_workspace=True)
    assert _problems(root, zones) == []
    if infrastructure == "terraform":
        network = root / "infrastructure" / "terraform" / "network.tf"
        old = 'resource "azurerm_private_dns_zone" "main" {\n  for_each = local.zones\n  name     = each.value\n}\n'
    else:
        network = root / "infrastructure" / "bicep" / "modules" / "network.bicep"
        old = "resource dnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for zone in zones: {\n"
        old += "  name: zone\n}]\n"
    network.write_text(network.read_text(encoding="utf-8") + old, encoding="utf-8")
    (problem,) = _problems(root, zones)
    assert "private DNS zone" in problem
