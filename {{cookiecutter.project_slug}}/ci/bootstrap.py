{%- set tf = cookiecutter.infrastructure == "terraform" -%}
{%- set gh = cookiecutter.ci_platform == "github_actions" -%}
{%- set names = azure_names(cookiecutter, "dev") -%}
"""Connect one environment to Azure, once, as an administrator: ``python ci/bootstrap.py --environment dev``.

Creates (or finds) the resource groups, the CI identities and their federated credentials, the role
assignments{% if tf %}, the Terraform state storage{% endif %} and the CI settings
({% if gh %}GitHub environments and variables{% else %}Azure DevOps service connections, environments, checks and pipelines{% endif %}),
and writes the identities' principal ids into the infrastructure parameter files.
Every step looks before it creates, so a second run changes nothing. ``--dry-run`` prints every call
without making any; ``--destroy`` deletes the environment's resource group.

Why not ``azd pipeline config``: it creates the CI principal with Contributor and User Access Administrator
(or RBAC Administrator) at SUBSCRIPTION scope by default (Azure Developer CLI docs, "azd pipeline config",
--principal-role defaults; Azure/azure-dev cli/azd/pkg/pipeline), and it knows one identity per repository.
Here each environment has its own identity limited to its own resource group, and pull requests get a
read-only one.

Identities are user-assigned managed identities (no Entra app registration rights needed), kept in their
own resource group rg-<prefix>-ci: Contributor on an environment's group would otherwise let CI add
federated credentials to its own identity.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
{%- if not gh %}
import tempfile
{%- endif %}
from pathlib import Path

PREFIX = "{{ cookiecutter.resource_prefix }}"
LOCATION = "{{ cookiecutter.azure_location }}"
PROJECT = "{{ cookiecutter.project_slug }}"
INFRASTRUCTURE = "{{ cookiecutter.infrastructure }}"
CI_PLATFORM = "{{ cookiecutter.ci_platform }}"
ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("dev", "prod")

CI_GROUP = "{{ names.ci_resource_group }}"
PLAN_IDENTITY = f"id-{PREFIX}-plan"
AUDIENCE = "api://AzureADTokenExchange"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
# Built-in role definition ids of the roles the infrastructure code assigns (Microsoft Learn, "Azure built-in
# roles"): AcrPull, Storage Blob Data Contributor, Storage Blob Data Reader, AzureML Data Scientist, AzureML
# Registry User. The CI identity's RBAC Administrator role is conditioned to exactly these.
ASSIGNABLE_ROLE_IDS = (
    "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "f6c7c914-8db3-469d-8ca1-694a8f32e121",
    "1823dd4f-9b8c-4ab6-ab4e-7397a3684615",
)
# Azure DevOps REST: the resource id az rest asks a token for, and the check types of "Approvals and checks"
# (Microsoft Learn, Azure DevOps REST "Check Configurations"; microsoft/terraform-provider-azuredevops
# azuredevops/internal/service/approvalsandchecks: Approval, Task Check, Exclusive Lock; branch control is a Task
# Check running the evaluatebranchProtection task).
DEVOPS_RESOURCE = "499b84ac-1321-427f-aa17-267ca6975798"
CHECKS_API = "api-version=7.1-preview.1"
APPROVAL_CHECK = "8c6f20a7-a545-4486-9777-f762fafe0d4d"
TASK_CHECK = "fe1de3ee-a436-41b4-bb20-f6eb4cb879a7"
{%- if cookiecutter.responsible_ai %}
# Shown to the approver of prod (docs/responsible-ai.md): the promote stage uploads the dashboard link to the run.
REVIEW_INSTRUCTIONS = (
    "Responsible AI review: open this run's summary (promote stage, 'Responsible AI review of ...'), follow the link "
    "to the model's Responsible AI dashboard or report and check every group is served acceptably before approving. "
    "The approval is recorded on the model version (tag rai_review)."
)
{%- endif %}
EXCLUSIVE_LOCK_CHECK = "2ef31ad6-baa0-403a-8b45-2cbc9b4e5563"
BRANCH_CONTROL_TASK = "86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b"
PIPELINES = ("pr", "infra", "ml", "promote", "drift")
# Resource providers the infrastructure uses. Registering is a subscription-scope action CI may not take.
PROVIDERS = (
    "Microsoft.MachineLearningServices",
    "Microsoft.ContainerRegistry",
    "Microsoft.KeyVault",
    "Microsoft.Storage",
    "Microsoft.Insights",
    "Microsoft.OperationalInsights",
    "Microsoft.ManagedIdentity",
{%- if cookiecutter.secure_workspace %}
    "Microsoft.Network",
{%- endif %}
{%- if cookiecutter.observability_store == "adx" %}
    "Microsoft.Kusto",
    "Microsoft.EventHub",
    "Microsoft.EventGrid",
{%- endif %}
)
{%- if cookiecutter.secure_workspace %}
# Private networking: ONE hub network for both environments. Their private endpoints register in one set of
# privatelink.* zones linked to the hub, so a runner in snet-ci-runners resolves and reaches the dev workspace,
# the prod workspace and the shared registry (promotion needs dev's workspace and prod's registry at once).
NETWORK_GROUP = "{{ names.network_resource_group }}"
HUB_NETWORK = "{{ names.virtual_network }}"
HUB_ADDRESS_SPACE = "10.10.0.0/24"  # must not overlap a network you peer with the hub (VPN, ExpressRoute)
HUB_SUBNETS = {"snet-private-endpoints": "10.10.0.0/26", "snet-ci-runners": "10.10.0.64/26"}
PRIVATE_DNS_ZONES = (
    "privatelink.api.azureml.ms",
    "privatelink.notebooks.azure.net",
    "privatelink.blob.core.windows.net",
    "privatelink.file.core.windows.net",
    "privatelink.vaultcore.azure.net",
    "privatelink.azurecr.io",
{%- if cookiecutter.observability_store == "adx" %}
    # Azure Data Explorer: the cluster's regional zone and its ingestion storage's queue and table zones.
    "privatelink.{{ cookiecutter.azure_location }}.kusto.windows.net",
    "privatelink.queue.core.windows.net",
    "privatelink.table.core.windows.net",
{%- endif %}
)
{%- endif %}


class BootstrapError(RuntimeError):
    pass


def rbac_condition() -> str:
    """ABAC condition: create and delete assignments of the infrastructure code's roles only."""
    roles = "{" + ", ".join(ASSIGNABLE_ROLE_IDS) + "}"
    return (
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
        "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
        + roles
        + ")) "
        "AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
        "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
        + roles
        + "))"
    )


def config_value(env: str, key: str) -> str:
    """One `key: value` of the azure section of config/<env>.yml (plain text: no YAML library needed)."""
    text = (ROOT / "config" / f"{env}.yml").read_text(encoding="utf-8")
    match = re.search(rf"^  {re.escape(key)}: (\S+)$", text, re.MULTILINE)
    if not match:
        raise BootstrapError(f"config/{env}.yml has no azure.{key}")
    return match.group(1)


def backend_value(env: str, key: str) -> str:
    text = (ROOT / "infrastructure" / "terraform" / "backend" / f"{env}.azurerm.tfbackend").read_text(encoding="utf-8")
    match = re.search(rf'^{key}\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise BootstrapError(f"backend/{env}.azurerm.tfbackend has no {key}")
    return match.group(1)


class Runner:
    """Runs az and gh, printing each call; in a dry run prints them and runs nothing."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.changes: list[str] = []

    def _run(self, argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess | None:
        print(("would run: " if self.dry_run else "$ ") + shlex.join(argv), flush=True)
        if self.dry_run:
            return None
        try:
            return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
        except FileNotFoundError as error:
            raise BootstrapError(f"{argv[0]} is not installed (or not on PATH)") from error

    def read(self, argv: list[str]) -> object | None:
        """A show/list call: its JSON, or None when the thing does not exist (or in a dry run)."""
        result = self._run(argv)
        if result is None or result.returncode != 0 or not result.stdout.strip():
            return None
        return json.loads(result.stdout)

    def change(self, argv: list[str], what: str, placeholder: object = None, stdin: str | None = None) -> object:
        """A call that creates or changes something: fails loudly, returns its JSON output."""
        self.changes.append(what)
        result = self._run(argv, stdin)
        if result is None:
            return placeholder
        if result.returncode != 0:
            raise BootstrapError(f"{what} failed:\n{result.stderr.strip()}")
        return json.loads(result.stdout) if result.stdout.strip() else {}


class Bootstrap:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.env: str = options.environment
        self.run = Runner(options.dry_run)
        self.group = config_value(self.env, "resource_group")

    # --- Azure ---------------------------------------------------------------------------------------------

    def account(self) -> dict:
        found = self.run.read(["az", "account", "show", "--output", "json"])
        if found is None and not self.run.dry_run:
            raise BootstrapError("the Azure CLI is not signed in: az login, then az account set --subscription <id>")
        return found or {"id": "<subscription-id>", "tenantId": "<tenant-id>", "name": "<subscription-name>"}

    def scope(self, group: str) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{group}"

    def resource_group(self, name: str, purpose: str) -> None:
        if self.run.read(["az", "group", "show", "--name", name, "--output", "json"]) is None:
            self.run.change(
                ["az", "group", "create", "--name", name, "--location", LOCATION,
                 "--tags", f"project={PROJECT}", f"purpose={purpose}", "--output", "json"],
                f"resource group {name}",
            )  # fmt: skip

    def identity(self, name: str) -> dict:
        show = ["az", "identity", "show", "--name", name, "--resource-group", CI_GROUP, "--output", "json"]
        found = self.run.read(show)
        if found is None:
            found = self.run.change(
                ["az", "identity", "create", "--name", name, "--resource-group", CI_GROUP, "--location", LOCATION,
                 "--output", "json"],
                f"managed identity {name}",
                placeholder={"clientId": f"<client id of {name}>", "principalId": f"<principal id of {name}>"},
            )  # fmt: skip
        return found

    def role(self, principal_id: str, role: str, scope: str, condition: str | None = None) -> None:
        listing = self.run.read(
            ["az", "role", "assignment", "list", "--assignee-object-id", principal_id, "--role", role, "--scope", scope,
             "--output", "json"]
        )  # fmt: skip
        if listing:
            return
        create = ["az", "role", "assignment", "create", "--assignee-object-id", principal_id,
                  "--assignee-principal-type", "ServicePrincipal", "--role", role, "--scope", scope]  # fmt: skip
        if condition:
            create += ["--condition", condition, "--condition-version", "2.0"]
        self.run.change([*create, "--output", "json"], f"role {role} on {scope}")

    def federated_credential(self, identity: str, name: str, issuer: str, subject: str) -> None:
        where = ["--name", name, "--identity-name", identity, "--resource-group", CI_GROUP]
        found = self.run.read(["az", "identity", "federated-credential", "show", *where, "--output", "json"])
        wanted = ["--issuer", issuer, "--subject", subject, "--audiences", AUDIENCE, "--output", "json"]
        if found is None:
            self.run.change(["az", "identity", "federated-credential", "create", *where, *wanted], f"credential {name}")
        elif found.get("subject") != subject or found.get("issuer") != issuer:
            # e.g. switching between GitHub's legacy and immutable subject formats.
            self.run.change(["az", "identity", "federated-credential", "update", *where, *wanted], f"credential {name}")

    def whatif_role(self) -> str:
        """Bicep plans: a custom role with read rights and what-if, assignable in this resource group only."""
        name = f"What-if reader ({PREFIX}-{self.env})"
        listing = self.run.read(["az", "role", "definition", "list", "--name", name, "--custom-role-only", "true",
                                 "--output", "json"])  # fmt: skip
        if not listing:
            definition = {
                "Name": name,
                "Description": "Read everything and preview deployments (what-if); write nothing.",
                "Actions": ["*/read", "Microsoft.Resources/deployments/whatIf/action"],
                "NotActions": [],
                "DataActions": [],
                "AssignableScopes": [self.scope(self.group)],
            }
            self.run.change(["az", "role", "definition", "create", "--role-definition", json.dumps(definition),
                             "--output", "json"], f"role definition {name}")  # fmt: skip
        return name

{%- if cookiecutter.secure_workspace %}

    def hub_network(self) -> str:
        """The hub network and its DNS zones; the role that lets an environment add private endpoints to it."""
        self.resource_group(NETWORK_GROUP, "network")
        where = ["--resource-group", NETWORK_GROUP]
        if self.run.read(["az", "network", "vnet", "show", "--name", HUB_NETWORK, *where, "--output", "json"]) is None:
            self.run.change(["az", "network", "vnet", "create", "--name", HUB_NETWORK, *where, "--location", LOCATION,
                             "--address-prefixes", HUB_ADDRESS_SPACE, "--output", "json"],
                            f"network {HUB_NETWORK}")  # fmt: skip
        for subnet, prefix in HUB_SUBNETS.items():
            names = ["--name", subnet, "--vnet-name", HUB_NETWORK, *where]
            if self.run.read(["az", "network", "vnet", "subnet", "show", *names, "--output", "json"]) is None:
                self.run.change(["az", "network", "vnet", "subnet", "create", *names, "--address-prefixes", prefix,
                                 "--output", "json"], f"subnet {subnet}")  # fmt: skip
        for zone in PRIVATE_DNS_ZONES:
            if self.run.read(["az", "network", "private-dns", "zone", "show", "--name", zone, *where,
                              "--output", "json"]) is None:  # fmt: skip
                self.run.change(["az", "network", "private-dns", "zone", "create", "--name", zone, *where,
                                 "--output", "json"], f"DNS zone {zone}")  # fmt: skip
            link = ["--name", f"link-{HUB_NETWORK}", "--zone-name", zone, *where]
            found = self.run.read(["az", "network", "private-dns", "link", "vnet", "show", *link, "--output", "json"])
            if found is None:
                self.run.change(["az", "network", "private-dns", "link", "vnet", "create", *link,
                                 "--virtual-network", HUB_NETWORK, "--registration-enabled", "false",
                                 "--output", "json"], f"DNS link of {zone}")  # fmt: skip
        # Creating a private endpoint in a subnet needs subnets/join/action; registering its records through a DNS
        # zone group needs privateDnsZones/join/action (Microsoft Learn, "Azure RBAC permissions for Azure Private
        # Link"). Nothing else in the hub: CI cannot change the network or the zones.
        name = f"Private endpoint joiner ({PREFIX})"
        listing = self.run.read(["az", "role", "definition", "list", "--name", name, "--custom-role-only", "true",
                                 "--output", "json"])  # fmt: skip
        if not listing:
            definition = {
                "Name": name,
                "Description": "Add private endpoints to the hub subnet and register them in the hub's DNS zones.",
                "Actions": [
                    "Microsoft.Network/virtualNetworks/read",
                    "Microsoft.Network/virtualNetworks/subnets/read",
                    "Microsoft.Network/virtualNetworks/subnets/join/action",
                    "Microsoft.Network/privateDnsZones/read",
                    "Microsoft.Network/privateDnsZones/join/action",
                ],
                "NotActions": [],
                "DataActions": [],
                "AssignableScopes": [self.scope(NETWORK_GROUP)],
            }
            self.run.change(["az", "role", "definition", "create", "--role-definition", json.dumps(definition),
                             "--output", "json"], f"role definition {name}")  # fmt: skip
        return name
{%- endif %}

    def state_storage(self) -> str:
        group = backend_value(self.env, "resource_group_name")
        account = backend_value(self.env, "storage_account_name")
        container = backend_value(self.env, "container_name")
        self.resource_group(group, "terraform-state")
        where = ["--name", account, "--resource-group", group]
        if self.run.read(["az", "storage", "account", "show", *where, "--output", "json"]) is None:
            # The state holds secrets in clear text: no shared keys, no anonymous access, TLS 1.2, versions kept.
            self.run.change(
                ["az", "storage", "account", "create", *where, "--location", LOCATION, "--sku", "Standard_ZRS",
                 "--kind", "StorageV2", "--min-tls-version", "TLS1_2", "--https-only", "true",
                 "--allow-blob-public-access", "false", "--allow-shared-key-access", "false", "--output", "json"],
                f"state storage account {account}",
            )  # fmt: skip
            self.run.change(
                ["az", "storage", "account", "blob-service-properties", "update", "--account-name", account,
                 "--resource-group", group, "--enable-versioning", "true", "--enable-delete-retention", "true",
                 "--delete-retention-days", "30", "--output", "json"],
                f"versioning on {account}",
            )  # fmt: skip
        # The container through Azure Resource Manager: no data-plane role or network line of sight needed.
        where = ["--name", container, "--storage-account", account, "--resource-group", group]
        if self.run.read(["az", "storage", "container-rm", "show", *where, "--output", "json"]) is None:
            self.run.change(["az", "storage", "container-rm", "create", *where, "--output", "json"],
                            f"state container {container}")  # fmt: skip
        return f"{self.scope(group)}/providers/Microsoft.Storage/storageAccounts/{account}"

    def write_principal_ids(self, ci_principal: str, dev_principal: str | None) -> None:
        """The infrastructure code grants the CI roles from these values (the only place they are granted)."""
        {%- if tf %}
        folder = ROOT / "infrastructure" / "terraform" / "environments"
        edits = {f"{self.env}.tfvars": [("ci_principal_id", f'"{ci_principal}"')]}
        if dev_principal:
            edits.setdefault("prod.tfvars", []).append(("ml_registry_user_principal_ids", f'["{dev_principal}"]'))
        pattern = r"^({key}\s*=\s*).*$"
        {%- else %}
        folder = ROOT / "infrastructure" / "bicep" / "environments"
        edits = {f"{self.env}.bicepparam": [("ciPrincipalId", f"'{ci_principal}'")]}
        if dev_principal:
            edits.setdefault("prod.bicepparam", []).append(("mlRegistryUserPrincipalIds", f"['{dev_principal}']"))
        pattern = r"^(param {key}\s*=\s*).*$"
        {%- endif %}
        for file_name, values in edits.items():
            path = folder / file_name
            text = path.read_text(encoding="utf-8")
            new = text
            for key, value in values:
                new = re.sub(pattern.format(key=key), lambda m, v=value: m.group(1) + v, new, count=1, flags=re.M)
            if new == text:
                continue
            relative = path.relative_to(ROOT)
            if self.run.dry_run:
                print(f"would write the principal ids into {relative}")
            else:
                path.write_text(new, encoding="utf-8")
                self.run.changes.append(f"principal ids in {relative}")
                print(f"wrote the principal ids into {relative}: commit it")
{%- if gh %}

    # --- GitHub --------------------------------------------------------------------------------------------

    def github_repository(self) -> dict:
        name = self.options.repo
        if not name:
            found = self.run.read(["gh", "repo", "view", "--json", "nameWithOwner"])
            name = found["nameWithOwner"] if found else None
        if not name:
            if self.run.dry_run:
                return {"name": "<OWNER/REPO>", "owner": "<OWNER>", "owner_id": "<OWNER_ID>", "repo": "<REPO>",
                        "repo_id": "<REPO_ID>"}  # fmt: skip
            raise BootstrapError("no GitHub repository: run in a clone with a GitHub remote, or pass --repo OWNER/REPO")
        found = self.run.read(["gh", "api", f"repos/{name}"])
        if found is None:
            if self.run.dry_run:
                owner, repo = name.split("/", 1)
                return {"name": name, "owner": owner, "owner_id": "<OWNER_ID>", "repo": repo, "repo_id": "<REPO_ID>"}
            raise BootstrapError(f"gh cannot read the repository {name} (gh auth login?)")
        custom = self.run.read(["gh", "api", f"repos/{name}/actions/oidc/customization/sub"])
        if custom and not custom.get("use_default", True):
            print(f"WARNING: {name} customises its OIDC subject ({custom.get('include_claim_keys')}); the credentials "
                  "below use GitHub's default subject. Make them match, or reset the customisation.")  # fmt: skip
        return {"name": name, "owner": found["owner"]["login"], "owner_id": found["owner"]["id"],
                "repo": found["name"], "repo_id": found["id"]}  # fmt: skip

    def subject_prefix(self, repository: dict) -> str:
        # Repositories created or renamed since 2026-07-15 get immutable subjects by default
        # (repo:OWNER@OWNER_ID/REPO@REPO_ID:...; GitHub changelog 2026-04-23, Microsoft Learn "Migrate GitHub
        # Actions federated credentials to immutable subjects"). Older repositories keep the name-only form until
        # an administrator opts in: --legacy-subject creates that form (and a later run without it switches).
        if self.options.legacy_subject:
            return f"repo:{repository['owner']}/{repository['repo']}"
        return f"repo:{repository['owner']}@{repository['owner_id']}/{repository['repo']}@{repository['repo_id']}"

    def github_environment(self) -> None:
        repo = self.repository["name"]
        if self.run.read(["gh", "api", f"repos/{repo}/environments/{self.env}"]) is None:
            body: dict = {"deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True}}
            if self.env == "prod":
                me = self.run.read(["gh", "api", "user"]) or {}
                reviewer = self.options.reviewer_id or me.get("id", "<USER_ID>")
                body["reviewers"] = [{"type": "User", "id": reviewer}]
                body["prevent_self_review"] = False
            self.run.change(["gh", "api", "--method", "PUT", f"repos/{repo}/environments/{self.env}", "--input", "-"],
                            f"GitHub environment {self.env}", stdin=json.dumps(body))  # fmt: skip
        # Only main may deploy to dev and prod: a pull request never gets a token of their identities.
        policies = self.run.read(["gh", "api", f"repos/{repo}/environments/{self.env}/deployment-branch-policies"])
        names = {policy.get("name") for policy in (policies or {}).get("branch_policies", [])}
        if "main" not in names:
            self.run.change(
                ["gh", "api", "--method", "POST", f"repos/{repo}/environments/{self.env}/deployment-branch-policies",
                 "-f", "name=main", "-f", "type=branch"],
                f"deployment branch policy of {self.env}",
            )  # fmt: skip

    def github_variables(self, values: dict[str, str], env: str | None) -> None:
        scope = ["--env", env] if env else []
        listing = self.run.read(["gh", "variable", "list", *scope, "--json", "name,value"]) or []
        current = {item["name"]: item["value"] for item in listing}
        for name, value in values.items():
            if current.get(name) != value:
                self.run.change(["gh", "variable", "set", name, *scope, "--body", value], f"GitHub variable {name}")

    def connect_ci(self, ci: dict, plan: dict) -> None:
        self.repository = self.github_repository()
        prefix = self.subject_prefix(self.repository)
        ci_name = f"id-{PREFIX}-{self.env}-ci"
        self.federated_credential(ci_name, f"github-{self.env}", GITHUB_ISSUER, f"{prefix}:environment:{self.env}")
        self.federated_credential(PLAN_IDENTITY, "github-pull-request", GITHUB_ISSUER, f"{prefix}:pull_request")
        self.github_environment()
        self.github_variables({"AZURE_TENANT_ID": self.tenant, "AZURE_SUBSCRIPTION_ID": self.subscription,
                               "AZURE_PLAN_CLIENT_ID": plan["clientId"]}, None)  # fmt: skip
        self.github_variables({"AZURE_CLIENT_ID": ci["clientId"]}, self.env)
{%- else %}

    # --- Azure DevOps --------------------------------------------------------------------------------------

    def devops(self) -> list[str]:
        return ["--organization", self.options.organization, "--project", self.options.project]

    def rest(self, method: str, url: str, body: dict | None = None, what: str = "") -> object:
        argv = ["az", "rest", "--resource", DEVOPS_RESOURCE, "--method", method, "--url", url]
        if body is None:
            return self.run.read([*argv, "--output", "json"])
        return self.run.change([*argv, "--body", json.dumps(body), "--output", "json"], what, placeholder={"id": 0})

    def api(self, path: str) -> str:
        return f"{self.options.organization.rstrip('/')}/{self.options.project}/_apis/{path}"

    def service_connection(self, name: str, identity: dict, identity_name: str) -> str:
        found = self.run.read(["az", "devops", "service-endpoint", "list", *self.devops(),
                               "--query", f"[?name=='{name}'] | [0]", "--output", "json"])  # fmt: skip
        if not found:
            project = self.run.read(["az", "devops", "project", "show", "--project", self.options.project,
                                     "--organization", self.options.organization, "--output", "json"])  # fmt: skip
            project_id = (project or {}).get("id", "<project id>")
            # Manual workload identity federation: Azure DevOps creates no identity and grants nothing; the
            # identity's rights are the role assignments above. scopeLevel/subscriptionId are descriptive.
            config = {
                "name": name, "type": "AzureRM", "url": "https://management.azure.com/",
                "authorization": {"scheme": "WorkloadIdentityFederation",
                                  "parameters": {"tenantid": self.tenant, "serviceprincipalid": identity["clientId"]}},
                "data": {"environment": "AzureCloud", "scopeLevel": "Subscription", "creationMode": "Manual",
                         "subscriptionId": self.subscription, "subscriptionName": self.subscription_name},
                "serviceEndpointProjectReferences": [{"name": name,
                                                      "projectReference": {"id": project_id,
                                                                           "name": self.options.project}}],
            }  # fmt: skip
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
                json.dump(config, handle)
            found = self.run.change(
                ["az", "devops", "service-endpoint", "create", "--service-endpoint-configuration", handle.name,
                 *self.devops(), "--output", "json"],
                f"service connection {name}",
                placeholder={"id": f"<id of {name}>"},
            )  # fmt: skip
            Path(handle.name).unlink(missing_ok=True)
        endpoint_id = found["id"]
        shown = self.run.read(["az", "devops", "service-endpoint", "show", "--id", endpoint_id, *self.devops(),
                               "--output", "json"]) or {}  # fmt: skip
        parameters = shown.get("authorization", {}).get("parameters", {})
        issuer = parameters.get("workloadIdentityFederationIssuer", "<issuer Azure DevOps reports>")
        subject = parameters.get("workloadIdentityFederationSubject", "<subject Azure DevOps reports>")
        self.federated_credential(identity_name, f"azure-devops-{name}", issuer, subject)
        return endpoint_id

    def checks(self, resource_type: str, resource_id: str, wanted: list[dict]) -> None:
        url = self.api(f"pipelines/checks/configurations?resourceType={resource_type}&resourceId={resource_id}&"
                       f"{CHECKS_API}")  # fmt: skip
        existing = (self.rest("GET", url) or {}).get("value", [])
        have = {(c["type"]["id"].lower(), c.get("settings", {}).get("definitionRef", {}).get("name")) for c in existing}
        for check in wanted:
            key = (check["type"]["id"], check.get("settings", {}).get("definitionRef", {}).get("name"))
            if key not in have:
                body = {**check, "resource": {"type": resource_type, "id": str(resource_id)}, "timeout": 43200}
                self.rest("POST", self.api(f"pipelines/checks/configurations?{CHECKS_API}"), body,
                          f"{check['type']['name']} check on {resource_type} {resource_id}")  # fmt: skip

    def approval(self) -> dict:
        approver = self.options.approver_id
        if not approver:
            self.options.approver_id = approver = self.signed_in_user()
        return {"type": {"id": APPROVAL_CHECK, "name": "Approval"},
                "settings": {"approvers": [{"id": approver}], "minRequiredApprovers": 1, "executionOrder": "anyOrder",
                             "instructions": {% if cookiecutter.responsible_ai %}REVIEW_INSTRUCTIONS{% else %}f"Approve the change to {self.env}"{% endif %}}}  # fmt: skip

    def signed_in_user(self) -> str:
        me = self.run.read(["az", "ad", "signed-in-user", "show", "--output", "json"]) or {}
        return me.get("id", "<your object id>")

    @staticmethod
    def branch_control() -> dict:
        # Only pipelines running on main may use the connection: a pull request cannot get a dev/prod token.
        return {"type": {"id": TASK_CHECK, "name": "Task Check"},
                "settings": {"displayName": "Branch control: main only",
                             "definitionRef": {"id": BRANCH_CONTROL_TASK, "name": "evaluatebranchProtection",
                                               "version": "0.0.1"},
                             "inputs": {"allowedBranches": "refs/heads/main", "ensureProtectionOfBranch": "false",
                                        "allowUnknownStatusBranch": "false"},
                             "retryInterval": 5}}  # fmt: skip

    def connect_ci(self, ci: dict, plan: dict) -> None:
        ci_name = f"id-{PREFIX}-{self.env}-ci"
        endpoint = self.service_connection(f"azure-{self.env}", ci, ci_name)
        self.service_connection("azure-plan", plan, PLAN_IDENTITY)
        wanted = [self.branch_control()] + ([self.approval()] if self.env == "prod" else [])
        self.checks("endpoint", endpoint, wanted)
        url = self.api(f"distributedtask/environments?name={self.env}&api-version=7.1")
        environment = ((self.rest("GET", url) or {}).get("value") or [None])[0]
        if environment is None:
            environment = self.rest("POST", self.api("distributedtask/environments?api-version=7.1"),
                                    {"name": self.env}, f"environment {self.env}")  # fmt: skip
        lock = {"type": {"id": EXCLUSIVE_LOCK_CHECK, "name": "ExclusiveLock"}, "settings": {}}
        self.checks("environment", environment["id"], [lock] + ([self.approval()] if self.env == "prod" else []))
        for pipeline in PIPELINES:
            name = f"{PROJECT}-{pipeline}"
            if self.run.read(["az", "pipelines", "show", "--name", name, *self.devops(), "--output", "json"]) is None:
                self.run.change(
                    ["az", "pipelines", "create", "--name", name,
                     "--yml-path", f".azuredevops/pipelines/{pipeline}.yml",
                     "--repository", self.options.repository, "--repository-type", "tfsgit", "--branch", "main",
                     "--skip-first-run", "true", *self.devops(), "--output", "json"],
                    f"pipeline {name}",
                )  # fmt: skip
{%- endif %}

    # --- the whole run -------------------------------------------------------------------------------------

    def destroy(self) -> None:
        self.run.change(["az", "group", "delete", "--name", self.group, "--yes"], f"delete {self.group}")
        kept = f"the identities ({CI_GROUP}){' and the Terraform state' if INFRASTRUCTURE == 'terraform' else ''}"
        print(f"{self.group} is being deleted; {kept} stay. A later bootstrap run recreates the group.")

    def apply(self) -> None:
        account = self.account()
        self.subscription, self.tenant = account["id"], account["tenantId"]
        self.subscription_name = account.get("name", "")
        for namespace in PROVIDERS:
            found = self.run.read(["az", "provider", "show", "--namespace", namespace, "--output", "json"]) or {}
            if found.get("registrationState") != "Registered":
                self.run.change(["az", "provider", "register", "--namespace", namespace, "--wait"],
                                f"resource provider {namespace}")  # fmt: skip
        self.resource_group(CI_GROUP, "ci-identities")
        self.resource_group(self.group, self.env)
        ci = self.identity(f"id-{PREFIX}-{self.env}-ci")
        plan = self.identity(PLAN_IDENTITY)
        scope = self.scope(self.group)
        # The environment's identity changes its own resource group only; it may assign the roles the
        # infrastructure code declares, nothing else. Nothing is granted at subscription scope.
        self.role(ci["principalId"], "Contributor", scope)
        self.role(ci["principalId"], "Role Based Access Control Administrator", scope, rbac_condition())
        # Pull requests plan with an identity that can read but write nothing.
        self.role(plan["principalId"], "Reader", scope)
        {%- if tf %}
        state = self.state_storage()
        self.role(ci["principalId"], "Storage Blob Data Contributor", state)
        self.role(plan["principalId"], "Storage Blob Data Reader", state)
        {%- else %}
        self.role(plan["principalId"], self.whatif_role(), scope)
        {%- endif %}
        {%- if cookiecutter.secure_workspace %}
        joiner = self.hub_network()
        self.role(ci["principalId"], joiner, self.scope(NETWORK_GROUP))
        self.role(plan["principalId"], "Reader", self.scope(NETWORK_GROUP))
        {%- endif %}
        dev_principal = ci["principalId"] if self.env == "dev" else None
        if self.env == "prod":
            dev = self.run.read(["az", "identity", "show", "--name", f"id-{PREFIX}-dev-ci", "--resource-group",
                                 CI_GROUP, "--output", "json"])  # fmt: skip
            dev_principal = (dev or {}).get("principalId")
        self.write_principal_ids(ci["principalId"], dev_principal)
        self.connect_ci(ci, plan)
        done = "would change" if self.run.dry_run else "changed"
        listing = "".join(f"\n  - {change}" for change in self.run.changes)
        print(f"\n{self.env}: {done} {len(self.run.changes)} thing(s){listing}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--dry-run", action="store_true", help="print every az/gh call without making any")
    parser.add_argument("--destroy", action="store_true", help="delete the environment's resource group")
    {%- if gh %}
    parser.add_argument("--repo", help="OWNER/REPO (default: the repository of this clone, from gh)")
    parser.add_argument(
        "--legacy-subject",
        action="store_true",
        help="trust GitHub's name-only OIDC subject (repositories without immutable subjects)",
    )
    parser.add_argument("--reviewer-id", type=int, help="GitHub user id that approves prod (default: you)")
    {%- else %}
    parser.add_argument("--organization", required=True, help="https://dev.azure.com/YOUR-ORG")
    parser.add_argument("--project", required=True, help="Azure DevOps project name")
    parser.add_argument("--repository", default=PROJECT, help=f"Azure Repos repository (default: {PROJECT})")
    parser.add_argument("--approver-id", help="Entra object id of the prod approver (user or group; default: you)")
    {%- endif %}
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    bootstrap = Bootstrap(options)
    try:
        if options.destroy:
            bootstrap.destroy()
        else:
            bootstrap.apply()
    except BootstrapError as error:
        print(f"bootstrap failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
