"""docs/infrastructure.md of the generated project: the chosen tool's commands, the private-network guide when
it applies, and the README row pointing to it."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("tool", ["terraform", "bicep"])
@pytest.mark.parametrize("secure", [False, True], ids=["public", "secure"])
def test_infrastructure_guide(baked, tool, secure):
    project = baked(infrastructure=tool, secure_workspace=secure)
    guide = (project / "docs" / "infrastructure.md").read_text(encoding="utf-8")
    assert "{{" not in guide and "{%" not in guide
    if tool == "terraform":
        assert "ci/bootstrap.py" in guide and "-backend-config=" in guide and "terraform plan -var-file=" in guide
        assert "az deployment group create" not in guide
    else:
        assert "az deployment group what-if" in guide and "az deployment group create" in guide
        assert ".bicepparam" in guide
        assert "az deployment sub" not in guide
        assert "terraform init" not in guide
    assert ("## Private networking" in guide) is secure
    if secure:
        assert "Bastion" in guide and "VPN" in guide and "self-hosted" in guide
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"`infrastructure/{tool}/`" in readme and "`docs/infrastructure.md`" in readme


def test_every_referenced_file_exists(baked):
    for tool in ("terraform", "bicep"):
        project = baked(infrastructure=tool, secure_workspace=True)
        directory = project / "infrastructure" / tool
        for name in ("environments/dev", "environments/prod"):
            suffix = ".tfvars" if tool == "terraform" else ".bicepparam"
            assert (directory / f"{name}{suffix}").is_file()
        if tool == "terraform":
            for env in ("dev", "prod"):
                assert (directory / "backend" / f"{env}.azurerm.tfbackend").is_file()
            assert (directory / "network.tf").is_file()
        else:
            assert (directory / "modules" / "network.bicep").is_file()


def test_network_files_only_with_private_networking(baked):
    assert not (baked(infrastructure="terraform") / "infrastructure" / "terraform" / "network.tf").exists()
    assert not (baked(infrastructure="bicep") / "infrastructure" / "bicep" / "modules" / "network.bicep").exists()
