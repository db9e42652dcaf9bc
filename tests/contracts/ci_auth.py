"""How CI signs in to Azure: the trust it sets up, the token it uses, the roles it grants once.

Three classes of defect a real subscription rejects and no format validator sees:

- **GitHub OIDC subjects.** GitHub issues immutable subject claims by default for repositories created or
  renamed since 2026-07-15, `repo:OWNER@OWNER_ID/REPO@REPO_ID:environment:ENV` (GitHub changelog 2026-04-23;
  Microsoft Learn "Migrate GitHub Actions federated credentials to immutable subjects"). A federated credential
  created with the name-only form `repo:OWNER/REPO:...` never matches, and azure/login fails in every job. The
  check reads the commands a user runs (fenced code in Markdown, shell scripts, workflow steps); a name-only
  subject is allowed only where the same line says it is the legacy form.
- **Terraform on Azure DevOps.** An id token handed over by AzureCLI@2 (`ARM_OIDC_TOKEN=$idToken`) expires after
  about ten minutes, so long applies fail (microsoft/azure-pipelines-terraform#201,
  Azure/terraform-provider-azapi#515). The providers fetch and refresh their own token from the service
  connection: azurerm reads `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, azapi `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`
  (azurerm guide "Authenticating using a Service Principal and OpenID Connect", Azure DevOps section; azapi
  provider docs, `oidc_azure_service_connection_id`).
- **A role granted twice.** A role assignment the infrastructure code declares must not also be made by a command
  in the README, docs or scripts: the next deployment then fails with `RoleAssignmentExists` (Microsoft Learn,
  "Troubleshoot Azure RBAC": a role assignment with the same principal, role and scope already exists).
"""

from __future__ import annotations

import re
from pathlib import Path

from contracts import Contract
from contracts.cli_calls import _arrays, _calls, _snippets

# --- OIDC subjects ------------------------------------------------------------------------------------------------

# A subject of GitHub's token: repo:<repository part>:<context>; shell variables may stand for any part. The
# immutable form has an id after the owner and after the name (OWNER@ID/REPO@ID), so "@" in the repository part.
_SUBJECT = re.compile(r"repo:(?P<repository>[^\s\"'`:]+):(?:environment|pull_request|ref|job_workflow_ref)")


def _subject_problems(relative: str, text: str) -> list[str]:
    problems = []
    for snippet, first_line in _snippets(relative, text):
        for offset, line in enumerate(snippet.splitlines()):
            if "legacy" in line.lower():
                continue
            for match in _SUBJECT.finditer(line):
                if "@" not in match["repository"]:
                    problems.append(
                        f"{relative}:{first_line + offset}: federated credential subject {match[0]!r} is GitHub's "
                        "name-only form; repositories created or renamed since 2026-07-15 send "
                        "repo:OWNER@OWNER_ID/REPO@REPO_ID:... (immutable subject claims)"
                    )
    return problems


def check_subjects(root: Path, files: list[str]) -> list[str]:
    if not (root / ".github").exists():
        return []
    problems = []
    for relative in files:
        problems += _subject_problems(relative, (root / relative).read_text(encoding="utf-8", errors="replace"))
    return problems


# --- Terraform's token on Azure DevOps -----------------------------------------------------------------------------

_ONE_OFF_TOKEN = re.compile(r"ARM_OIDC_TOKEN=")
_REFRESHING = ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID")


def check_terraform_token(root: Path, files: list[str]) -> list[str]:
    if not (root / ".azuredevops").exists() or not (root / "infrastructure" / "terraform").exists():
        return []
    problems = []
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if _ONE_OFF_TOKEN.search(line) and not line.lstrip().startswith("#"):
                problems.append(
                    f"{relative}:{number}: Terraform gets a one-off id token (ARM_OIDC_TOKEN), which expires after "
                    "about ten minutes; let the providers refresh it from the service connection"
                )
        if relative == "ci/iac.sh":
            for variable in _REFRESHING:
                if not re.search(rf"\b{variable}=", text):
                    problems.append(f"{relative}: {variable} is not set: that provider cannot refresh its token")
    return problems


# --- Roles granted once ---------------------------------------------------------------------------------------------

# Built-in role ids (the same in every tenant; Microsoft Learn "Azure built-in roles") of the roles the template's
# infrastructure code may assign, so that Bicep's ids and Terraform's names compare.
BUILT_IN_ROLES = {
    "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "f6c7c914-8db3-469d-8ca1-694a8f32e121": "AzureML Data Scientist",
    "1823dd4f-9b8c-4ab6-ab4e-7397a3684615": "AzureML Registry User",
}
_TF_ROLE = re.compile(r'role_definition_name\s*=\s*"([^"]+)"')
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _roles_the_infrastructure_assigns(root: Path) -> set[str]:
    roles: set[str] = set()
    for path in (root / "infrastructure").rglob("*.tf"):
        roles |= set(_TF_ROLE.findall(path.read_text(encoding="utf-8")))
    for path in (root / "infrastructure").rglob("*.bicep"):
        text = path.read_text(encoding="utf-8")
        if "Microsoft.Authorization/roleAssignments" in text:
            roles |= {BUILT_IN_ROLES[guid] for guid in _GUID.findall(text) if guid in BUILT_IN_ROLES}
    return roles


def check_roles_granted_once(root: Path, files: list[str]) -> list[str]:
    declared = _roles_the_infrastructure_assigns(root)
    problems = []
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8", errors="replace")
        for line, words, _unknown in _calls(text, relative, _arrays(text)):
            if words[1:4] != ["role", "assignment", "create"] or "--role" not in words:
                continue
            position = words.index("--role") + 1
            role = words[position] if position < len(words) else None
            if role in declared:
                problems.append(
                    f"{relative}:{line}: assigns {role!r}, which the infrastructure code also assigns: "
                    "the next deployment fails with RoleAssignmentExists; keep one of the two"
                )
    return problems


_OLD_README = """\
# Connect to Azure

```bash
az ad app federated-credential create --id "$APP_ID" --parameters "{
  \\"subject\\": \\"repo:$REPO:environment:$ENV\\",
  \\"issuer\\": \\"https://token.actions.githubusercontent.com\\"
}"
```
"""
_NEW_README = _OLD_README.replace(
    "repo:$REPO:environment:$ENV", "repo:$OWNER@$OWNER_ID/$NAME@$REPO_ID:environment:$ENV"
)

_OLD_IAC = """\
if [ -n "${TF_BUILD:-}" ] && [ -n "${idToken:-}" ]; then
  export ARM_USE_OIDC=true ARM_OIDC_TOKEN="$idToken" ARM_CLIENT_ID="${servicePrincipalId:?}"
fi
"""
_NEW_IAC = """\
if [ -n "${TF_BUILD:-}" ]; then
  connection="${AZURESUBSCRIPTION_SERVICE_CONNECTION_ID:?}"
  export ARM_USE_OIDC=true ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID="$connection"
  export ARM_OIDC_AZURE_SERVICE_CONNECTION_ID="$connection"
fi
"""
_ADO = {".azuredevops/pipelines/infra.yml": "trigger: none\n", "infrastructure/terraform/main.tf": "locals {}\n"}

_REGISTRY_ROLE_TF = """\
resource "azurerm_role_assignment" "registry_users" {
  scope                = azapi_resource.ml_registry[0].id
  role_definition_name = "AzureML Registry User"
  principal_id         = each.value
}
"""
_README_GRANT = """\
```bash
az role assignment create --assignee "$DEV_APP_ID" --role "AzureML Registry User" --scope "$REGISTRY_ID"
```
"""

CONTRACTS = (
    Contract(
        name="GitHub OIDC subjects are the immutable form",
        patterns=("*.md", "*.sh", ".github/workflows/*.yml", ".github/actions/*/action.yml"),
        check=check_subjects,
        source="GitHub changelog 2026-04-23 (immutable subject claims); Microsoft Learn, Migrate GitHub Actions "
        "federated credentials to immutable subjects",
        broken={"README.md": _OLD_README, ".github/workflows/ml.yml": "on: push\n"},
        valid={"README.md": _NEW_README, ".github/workflows/ml.yml": "on: push\n"},
    ),
    Contract(
        name="Terraform on Azure DevOps refreshes its token",
        patterns=("ci/iac.sh", ".azuredevops/*.yml"),
        check=check_terraform_token,
        source="microsoft/azure-pipelines-terraform#201, Azure/terraform-provider-azapi#515; azurerm and azapi "
        "provider docs (Azure DevOps service connection OIDC)",
        broken={"ci/iac.sh": _OLD_IAC, **_ADO},
        valid={"ci/iac.sh": _NEW_IAC, **_ADO},
    ),
    Contract(
        name="Roles are granted in one place",
        patterns=("*.md", "*.sh", "Makefile"),
        check=check_roles_granted_once,
        source="Microsoft Learn, Troubleshoot Azure RBAC (RoleAssignmentExists); Azure built-in roles (role ids)",
        broken={"README.md": _README_GRANT, "infrastructure/terraform/roles.tf": _REGISTRY_ROLE_TF},
        valid={
            "README.md": _README_GRANT.replace("AzureML Registry User", "Reader"),
            "infrastructure/terraform/roles.tf": _REGISTRY_ROLE_TF,
        },
    ),
)
