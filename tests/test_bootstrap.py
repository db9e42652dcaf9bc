"""ci/bootstrap.py of the generated project: one idempotent command connects an environment to Azure with
least privilege. Run against stand-ins for az and gh (tests/bootstrap_standins.py) that record every call."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from bootstrap_standins import (
    OWNER,
    OWNER_ID,
    REPO,
    REPO_ID,
    Sandbox,
    flags,
    is_change,
    platform_args,
    recorded_calls,
)
from tools.iac_model import bicep_resources, tf_resources

from mlops_template import options

# The bootstrap runs are cached per module (_RUNS): keep the module on one xdist worker.
pytestmark = pytest.mark.xdist_group("bootstrap_runs")

CORE = options.core_patterns()
DRY_RUN_PATTERNS = [pytest.param(p, id=options.pattern_id(p)) for p in CORE] + [
    pytest.param({"secure_workspace": True}, id="secure")
]
# One bake per IaC x CI platform: the bootstrap differs only along these two choices.
PLATFORMS = [
    pytest.param({"infrastructure": iac, "ci_platform": ci}, id=f"{iac}-{ci}")
    for iac in ("terraform", "bicep")
    for ci in ("github_actions", "azure_devops")
]
GITHUB_PLATFORMS = [p for p in PLATFORMS if p.values[0]["ci_platform"] == "github_actions"]
AZURE_DEVOPS_PLATFORMS = [p for p in PLATFORMS if p.values[0]["ci_platform"] == "azure_devops"]
PLAN_ROLES = {"Reader", "Storage Blob Data Reader"}  # plus the what-if custom role (checked below)


def role_assignments(calls: list[list[str]]) -> list[dict[str, str]]:
    return [flags(c) for c in calls if c[:4] == ["az", "role", "assignment", "create"]]


@pytest.mark.parametrize("answers", DRY_RUN_PATTERNS)
def test_dry_run_prints_every_call_and_makes_none(baked, answers, tmp_path):
    sandbox = Sandbox(baked(**answers), tmp_path)
    before = {p: p.read_bytes() for p in sandbox.root.rglob("*") if p.is_file()}
    for env in ("dev", "prod"):
        result, calls = sandbox.run("--environment", env, "--dry-run", *platform_args(answers))
        assert result.returncode == 0, result.stderr
        assert calls == [], "a dry run must not call az or gh at all"
        out = result.stdout
        assert "would run: az group create --name rg-" in out and "az identity create" in out
        assert "az role assignment create" in out and "az identity federated-credential create" in out
        if answers.get("ci_platform") == "azure_devops":
            assert "az devops service-endpoint create" in out and "pipelines/checks/configurations" in out
        else:
            assert "gh variable set AZURE_CLIENT_ID --env " + env in out
        if answers.get("infrastructure", "terraform") == "terraform":
            assert "az storage account create" in out and "--allow-shared-key-access false" in out
    assert {p: p.read_bytes() for p in sandbox.root.rglob("*") if p.is_file()} == before


_RUNS: dict[str, tuple[dict, Sandbox, list[list[str]]]] = {}


@pytest.fixture(params=PLATFORMS)
def bootstrapped(request, baked, tmp_path_factory) -> tuple[dict, Sandbox, list[list[str]]]:
    """A real run for dev, then prod, against the stand-ins: (answers, sandbox, calls); once per platform."""
    answers = request.param
    key = json.dumps(answers, sort_keys=True)
    if key not in _RUNS:
        sandbox = Sandbox(baked(**answers), tmp_path_factory.mktemp("bootstrap"))
        for env in ("dev", "prod"):
            result, _ = sandbox.run("--environment", env, *platform_args(answers))
            assert result.returncode == 0, result.stdout + result.stderr
        _RUNS[key] = (answers, sandbox, sandbox.calls())
    return _RUNS[key]


def test_second_run_changes_nothing(bootstrapped):
    answers, sandbox, first = bootstrapped
    assert any(is_change(c) for c in first)
    for env in ("dev", "prod"):
        result, calls = sandbox.run("--environment", env, *platform_args(answers))
        assert result.returncode == 0, result.stderr
        assert [c for c in calls if is_change(c)] == []
        assert f"{env}: changed 0 thing(s)" in result.stdout


def test_nothing_is_granted_at_subscription_scope(bootstrapped):
    _, _, calls = bootstrapped
    assignments = role_assignments(calls)
    assert assignments
    for assignment in assignments:
        assert "--scope" in assignment, assignment
        assert re.match(r"^/subscriptions/[^/]+/resourceGroups/[^/]+", assignment["--scope"]), assignment
    for call in calls:
        if call[:4] == ["az", "role", "definition", "create"]:
            definition = json.loads(flags(call)["--role-definition"])
            assert all("/resourceGroups/" in scope for scope in definition["AssignableScopes"])


def test_each_identity_gets_only_its_own_resource_group(bootstrapped):
    _, _, calls = bootstrapped
    identities = {flags(c)["--name"]: c for c in calls if c[:3] == ["az", "identity", "create"]}
    assert set(identities) == {"id-mymlopsp-dev-ci", "id-mymlopsp-prod-ci", "id-mymlopsp-plan"}
    assert {flags(c)["--resource-group"] for c in identities.values()} == {"rg-mymlopsp-ci"}
    by_principal: dict[str, list[dict]] = {}
    for assignment in role_assignments(calls):
        by_principal.setdefault(assignment["--assignee-object-id"], []).append(assignment)
    writers = [a for group in by_principal.values() for a in group if a["--role"] == "Contributor"]
    assert sorted(a["--scope"].rsplit("/", 1)[1] for a in writers) == ["rg-mymlopsp-dev", "rg-mymlopsp-prod"]
    assert len({a["--assignee-object-id"] for a in writers}) == 2, "dev and prod have different identities"
    for assignment in role_assignments(calls):
        if assignment["--role"] == "Role Based Access Control Administrator":
            # The condition limits the role to the roles the infrastructure code assigns (README, Microsoft Learn
            # "Delegate Azure role assignment management to others with conditions").
            assert "ForAnyOfAnyValues:GuidEquals" in assignment["--condition"]
            assert "1823dd4f-9b8c-4ab6-ab4e-7397a3684615" in assignment["--condition"]  # AzureML Registry User
            assert "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" not in assignment["--condition"]  # Owner


def test_plan_identity_gets_no_write_role(bootstrapped):
    answers, sandbox, calls = bootstrapped
    state = json.loads(sandbox.state.read_text())
    plan_principal = next(
        thing["principalId"] for thing in state["az"].values() if thing.get("name") == "id-mymlopsp-plan"
    )
    custom = {}
    for call in calls:
        if call[:4] == ["az", "role", "definition", "create"]:
            definition = json.loads(flags(call)["--role-definition"])
            custom[definition["Name"]] = definition
            # Read and preview only: no write, delete or other action (Microsoft Learn, "Bicep deployment what-if
            # operation": what-if needs write rights unless --validation-level ProviderNoRbac skips that check).
            assert definition["Actions"] == ["*/read", "Microsoft.Resources/deployments/whatIf/action"]
            assert definition["DataActions"] == []
    roles = {a["--role"] for a in role_assignments(calls) if a["--assignee-object-id"] == plan_principal}
    assert roles and roles <= PLAN_ROLES | set(custom)
    assert "Reader" in roles
    if answers["infrastructure"] == "bicep":
        assert set(custom) <= roles and custom


def test_federated_credentials_trust_the_right_subjects(bootstrapped):
    answers, _, calls = bootstrapped
    credentials = {
        flags(c)["--name"]: flags(c) for c in calls if c[:4] == ["az", "identity", "federated-credential", "create"]
    }
    if answers["ci_platform"] == "github_actions":
        # Immutable subject claims: default for repositories created or renamed since 2026-07-15 (GitHub changelog
        # 2026-04-23 "Immutable subject claims for GitHub Actions OIDC tokens"; Microsoft Learn "Migrate GitHub
        # Actions federated credentials to immutable subjects").
        prefix = f"repo:{OWNER}@{OWNER_ID}/{REPO}@{REPO_ID}"
        assert credentials["github-dev"]["--subject"] == f"{prefix}:environment:dev"
        assert credentials["github-dev"]["--identity-name"] == "id-mymlopsp-dev-ci"
        assert credentials["github-prod"]["--subject"] == f"{prefix}:environment:prod"
        assert credentials["github-prod"]["--identity-name"] == "id-mymlopsp-prod-ci"
        # Only the read-only identity trusts pull requests.
        assert credentials["github-pull-request"]["--subject"] == f"{prefix}:pull_request"
        assert credentials["github-pull-request"]["--identity-name"] == "id-mymlopsp-plan"
        assert all(c["--issuer"] == "https://token.actions.githubusercontent.com" for c in credentials.values())
    else:
        # Azure DevOps names the issuer and subject of each service connection (service-endpoint show).
        assert credentials["azure-devops-azure-dev"]["--subject"].endswith("/azure-dev")
        assert credentials["azure-devops-azure-prod"]["--identity-name"] == "id-mymlopsp-prod-ci"
        assert credentials["azure-devops-azure-plan"]["--identity-name"] == "id-mymlopsp-plan"
    assert all(c["--audiences"] == "api://AzureADTokenExchange" for c in credentials.values())


@pytest.mark.parametrize("bootstrapped", GITHUB_PLATFORMS, indirect=True)
def test_github_environments_deploy_from_main_only(bootstrapped):
    _, sandbox, _ = bootstrapped
    state = json.loads(sandbox.state.read_text())
    for env in ("dev", "prod"):
        environment = state["gh environments"][env]
        # GitHub REST "Create or update an environment": custom branch policies + a policy named main.
        assert environment["body"]["deployment_branch_policy"] == {
            "protected_branches": False,
            "custom_branch_policies": True,
        }
        assert environment["branch_policies"] == [{"name": "main", "type": "branch"}]
    assert state["gh environments"]["prod"]["body"]["reviewers"]
    assert set(state["variables"][""]) == {"AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_PLAN_CLIENT_ID"}
    assert set(state["variables"]["dev"]) == {"AZURE_CLIENT_ID"}


@pytest.mark.parametrize("bootstrapped", AZURE_DEVOPS_PLATFORMS, indirect=True)
def test_azure_devops_service_connections_carry_branch_control_and_prod_approval(bootstrapped):
    _, sandbox, _ = bootstrapped
    state = json.loads(sandbox.state.read_text())
    endpoints = {e["id"]: name for name, e in state["endpoints"].items()}
    assert set(endpoints.values()) == {"azure-dev", "azure-prod", "azure-plan"}
    on = {}
    for check in state["checks"]:
        resource = check["resource"]
        name = endpoints.get(resource["id"], f"environment {resource['id']}")
        ref = check["settings"].get("definitionRef", {}).get("name")
        on.setdefault(name, set()).add(ref or check["type"]["name"])
        if ref == "evaluatebranchProtection":
            # Branch control is a "Task Check" (fe1de3ee-...) running evaluatebranchProtection
            # (microsoft/terraform-provider-azuredevops, approvalsandchecks).
            assert check["type"]["id"] == "fe1de3ee-a436-41b4-bb20-f6eb4cb879a7"
            assert check["settings"]["inputs"]["allowedBranches"] == "refs/heads/main"
    assert on["azure-prod"] == {"evaluatebranchProtection", "Approval"}
    assert on["azure-dev"] == {"evaluatebranchProtection"}
    assert "azure-plan" not in on, "pull requests must be able to use the read-only connection"


def test_principal_ids_land_in_the_parameter_files_for_one_registry_grant(bootstrapped):
    answers, sandbox, calls = bootstrapped
    dev = next(c for c in calls if c[:3] == ["az", "identity", "create"] and "id-mymlopsp-dev-ci" in c)
    assert dev  # the identity exists; its principal id is what the stand-in returned
    state = json.loads(sandbox.state.read_text())
    principal = {t["name"]: t["principalId"] for t in state["az"].values() if "principalId" in t}
    if answers["infrastructure"] == "terraform":
        folder = sandbox.root / "infrastructure" / "terraform" / "environments"
        prod = (folder / "prod.tfvars").read_text()
        assert f'ml_registry_user_principal_ids = ["{principal["id-mymlopsp-dev-ci"]}"]' in prod
        assert f'ci_principal_id = "{principal["id-mymlopsp-prod-ci"]}"' in prod
        assert f'ci_principal_id = "{principal["id-mymlopsp-dev-ci"]}"' in (folder / "dev.tfvars").read_text()
    else:
        folder = sandbox.root / "infrastructure" / "bicep" / "environments"
        prod = (folder / "prod.bicepparam").read_text()
        assert f"param mlRegistryUserPrincipalIds = ['{principal['id-mymlopsp-dev-ci']}']" in prod
        assert f"param ciPrincipalId = '{principal['id-mymlopsp-prod-ci']}'" in prod
    # Exactly one mechanism grants the dev identity the registry role (defect: README by CLI AND the parameter
    # -> RoleAssignmentExists): the bootstrap never assigns it itself.
    assert all(a["--role"] != "AzureML Registry User" for a in role_assignments(calls))


def test_recorded_calls_helper_returns_every_argv(baked):
    calls = recorded_calls(baked(), {})
    assert calls and all(isinstance(c, list) and c[0] in ("az", "gh") for c in calls)
    assert any(c[:3] == ["az", "identity", "create"] for c in calls)


def test_legacy_subject_switch_updates_the_credentials(baked, tmp_path):
    sandbox = Sandbox(baked(), tmp_path)
    result, _ = sandbox.run("--environment", "dev", "--legacy-subject")
    assert result.returncode == 0, result.stderr
    result, calls = sandbox.run("--environment", "dev")
    updates = [flags(c) for c in calls if c[:4] == ["az", "identity", "federated-credential", "update"]]
    assert {u["--subject"] for u in updates} == {
        f"repo:{OWNER}@{OWNER_ID}/{REPO}@{REPO_ID}:environment:dev",
        f"repo:{OWNER}@{OWNER_ID}/{REPO}@{REPO_ID}:pull_request",
    }


# --- no generated file grants anything at subscription scope -------------------------------------------------

SUBSCRIPTION_SCOPE = re.compile(r"""--scope\s+["']?/subscriptions/[^/\s"']+["']?(\s|$)""")


@pytest.mark.parametrize("answers", [*PLATFORMS, pytest.param({"secure_workspace": True}, id="secure")])
def test_no_generated_file_or_readme_command_grants_at_subscription_scope(baked, answers):
    project: Path = baked(**answers)
    problems = []
    for path in project.rglob("*"):
        if not path.is_file() or path.suffix not in {".md", ".sh", ".py", ".yml", ".tf", ".bicep", ".bicepparam", ""}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        relative = path.relative_to(project)
        if SUBSCRIPTION_SCOPE.search(text.replace("\\\n", " ")):
            problems.append(f"{relative}: role assignment at subscription scope")
        if "targetScope = 'subscription'" in text:
            problems.append(f"{relative}: Bicep deployment at subscription scope")
        if path.suffix == ".tf" and re.search(r"scope\s*=\s*data\.azurerm_subscription", text):
            problems.append(f"{relative}: Terraform role at subscription scope")
    assert problems == []


# --- pull requests plan with the read-only identity; Azure DevOps Terraform refreshes its token -------------


def test_github_pull_requests_plan_without_an_environment_with_the_plan_identity(baked):
    root = baked(ci_platform="github_actions")
    pr = yaml.safe_load((root / ".github" / "workflows" / "pr.yml").read_text(encoding="utf-8"))
    plan = pr["jobs"]["infrastructure-plan"]
    assert plan["with"]["apply"] is False and "environment" not in plan
    iac = (root / ".github" / "workflows" / "_iac.yml").read_text(encoding="utf-8")
    job = yaml.safe_load(iac)["jobs"]["iac"]
    # An empty environment name runs the job in no environment: its token has the subject `...:pull_request`,
    # which only the read-only plan identity trusts (GitHub docs, "OpenID Connect reference", subject claims).
    assert job["environment"] == "${{ inputs.apply && inputs.environment || '' }}"
    assert "inputs.apply && vars.AZURE_CLIENT_ID || vars.AZURE_PLAN_CLIENT_ID" in iac


def test_azure_devops_pull_requests_use_the_read_only_connection(baked):

    root = baked(ci_platform="azure_devops")
    pr = yaml.safe_load((root / ".azuredevops" / "pipelines" / "pr.yml").read_text(encoding="utf-8"))
    connections = {job["parameters"]["serviceConnection"] for job in pr["jobs"] if "parameters" in job}
    assert connections == {"azure-plan"}


@pytest.mark.parametrize("iac", ["terraform", "bicep"])
def test_plans_need_no_write_rights(baked, iac):
    script = (baked(infrastructure=iac) / "ci" / "iac.sh").read_text(encoding="utf-8")
    plan = script.split('if [ "$action" = apply ]; then', 1)[1].split("else", 1)[1]
    if iac == "terraform":
        # Taking the state lock writes a blob lease; the plan identity only has Storage Blob Data Reader.
        assert "terraform plan -lock=false" in plan
    else:
        # what-if checks the caller's write rights unless told not to (Microsoft Learn, ValidationLevel
        # "ProviderNoRbac"; az deployment group what-if --validation-level, Azure CLI 2.76+).
        assert "az deployment group what-if" in plan and "--validation-level ProviderNoRbac" in plan
        assert "az deployment sub" not in script


def test_azure_devops_terraform_uses_the_refreshing_service_connection_token(baked):
    root = baked(ci_platform="azure_devops", infrastructure="terraform")
    script = (root / "ci" / "iac.sh").read_text(encoding="utf-8")
    # A one-off id token (ARM_OIDC_TOKEN) expires after about ten minutes (microsoft/azure-pipelines-terraform#201,
    # Azure/terraform-provider-azapi#515); azurerm reads ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID and azapi
    # ARM_OIDC_AZURE_SERVICE_CONNECTION_ID, both with SYSTEM_ACCESSTOKEN (hashicorp/terraform-provider-azurerm
    # guide "service_principal_oidc"; Azure/terraform-provider-azapi provider schema oidc_azure_service_connection_id).
    assert 'ARM_OIDC_TOKEN="$idToken"' not in script and "unset ARM_OIDC_TOKEN" in script
    assert "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID=" in script and "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID=" in script
    step = (root / ".azuredevops" / "templates" / "steps" / "azure-cli.yml").read_text(encoding="utf-8")
    assert "SYSTEM_ACCESSTOKEN: $(System.AccessToken)" in step


def test_secure_bootstrap_builds_one_hub_network_for_both_environments(baked, tmp_path):
    answers = {"secure_workspace": True}
    sandbox = Sandbox(baked(**answers), tmp_path)
    for env in ("dev", "prod"):
        result, _ = sandbox.run("--environment", env)
        assert result.returncode == 0, result.stdout + result.stderr
    calls = sandbox.calls()
    created = [c for c in calls if c[:2] == ["az", "network"] and "create" in c]
    assert [flags(c)["--name"] for c in created if c[2] == "vnet" and c[3] == "create"] == ["vnet-mymlopsp-hub"]
    zones = {flags(c)["--name"] for c in created if c[2:4] == ["private-dns", "zone"]}
    assert "privatelink.api.azureml.ms" in zones and len(zones) == 6
    # Each environment's identity may join the hub, nothing more: an RG-scoped custom role without write actions.
    joins = [a for a in role_assignments(calls) if a["--role"].startswith("Private endpoint joiner")]
    assert len(joins) == 2 and {a["--scope"].rsplit("/", 1)[1] for a in joins} == {"rg-mymlopsp-network"}
    (definition,) = [
        json.loads(flags(c)["--role-definition"]) for c in calls if c[:4] == ["az", "role", "definition", "create"]
    ]
    assert all(a.endswith(("/read", "/join/action")) for a in definition["Actions"])
    _, again = sandbox.run("--environment", "dev")
    assert [c for c in again if is_change(c)] == []


@pytest.mark.parametrize("iac", ["terraform", "bicep"])
def test_private_endpoints_of_both_environments_go_to_the_bootstrapped_hub(baked, iac):
    # Defect: each environment had its own privatelink.api.azureml.ms zone linked only to its own VNet, so no
    # runner could resolve both the dev workspace and the prod registry (promotion needs both). Now the code adds
    # endpoints to the hub the bootstrap made and creates no network or DNS zone of its own.
    folder = baked(infrastructure=iac, secure_workspace=True) / "infrastructure" / iac
    network_types = {
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    }
    if iac == "terraform":
        created = {r.type for r in tf_resources(folder)}
        assert "azurerm_private_endpoint" in created
        assert not created & {"azurerm_virtual_network", "azurerm_subnet", "azurerm_private_dns_zone"}
        network = (folder / "network.tf").read_text(encoding="utf-8")
        assert 'data "azurerm_subnet"' in network and 'data "azurerm_private_dns_zone"' in network
        assert 'hub_network            = "vnet-${var.resource_prefix}-hub"' in (folder / "locals.tf").read_text()
    else:
        resources = bicep_resources(folder)
        assert "Microsoft.Network/privateEndpoints" in {r.type for r in resources if not r.existing}
        assert not {r.type for r in resources if not r.existing} & network_types
        assert {r.type for r in resources if r.existing} >= {"Microsoft.Network/virtualNetworks"}
        assert "hubNetwork: 'vnet-${resourcePrefix}-hub'" in (folder / "main.bicep").read_text(encoding="utf-8")


def test_destroy_deletes_only_the_environment_resource_group(baked, tmp_path):
    sandbox = Sandbox(baked(), tmp_path)
    result, calls = sandbox.run("--environment", "dev", "--destroy", "--dry-run")
    assert result.returncode == 0 and calls == []
    assert "would run: az group delete --name rg-mymlopsp-dev --yes" in result.stdout
    result, calls = sandbox.run("--environment", "dev", "--destroy")
    assert result.returncode == 0, result.stderr
    assert calls == [["az", "group", "delete", "--name", "rg-mymlopsp-dev", "--yes"]]
