"""The CI identity's data-plane role on the workspace storage is what its scripts do there, and no more.

Batch deployments upload the sample into the folder the batch monitor reads (ci/deploy.sh,
`az storage blob upload-batch --auth-mode login`), which needs Storage Blob Data Contributor; online
deployments only download collected data in the drift check, for which Reader is enough. Entra ID data
access needs a data role even for an owner of the account (Microsoft Learn, "Assign an Azure role for
access to blob data": management roles such as Contributor do not grant data access).
"""

from __future__ import annotations

import re

import pytest
from tools.iac_model import single, tf_resources

WRITES_BLOBS = re.compile(r"az storage blob upload")


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_ci_storage_role_matches_what_the_scripts_do(baked, mode):
    expected = "Storage Blob Data Contributor" if mode == "batch" else "Storage Blob Data Reader"
    terraform = baked(infrastructure="terraform", deployment_mode=mode)
    uploads = bool(WRITES_BLOBS.search((terraform / "ci" / "deploy.sh").read_text(encoding="utf-8")))
    assert uploads == (mode == "batch")

    ci_storage = [
        single(r.body["role_definition_name"])
        for r in tf_resources(terraform / "infrastructure" / "terraform")
        if r.type == "azurerm_role_assignment"
        and "ci_principal_id" in str(r.body["principal_id"])
        and "azurerm_storage_account" in str(r.body["scope"])
    ]
    assert ci_storage == [expected]

    bicep = baked(infrastructure="bicep", deployment_mode=mode) / "infrastructure" / "bicep"
    text = (bicep / "modules" / "workspace.bicep").read_text(encoding="utf-8")
    (block,) = re.findall(r"resource ciBlobData [^\n]*\n(?:.*\n)*?}\n", text)
    role = "roles.storageBlobDataContributor" if mode == "batch" else "roles.storageBlobDataReader"
    assert block.count(role) == 2 and "ciPrincipalId" in block
