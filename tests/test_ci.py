"""CI/CD of the generated project: GitHub Actions and Azure Pipelines, and the shared ci/ scripts.

Each platform is baked in a plain and a "everything else switched" pattern; every check runs the
real tool (actionlint, zizmor, check-jsonschema, checkov, shellcheck) on the baked files, and
the structural rules (pins, permissions, timeouts, template parameters) are checked on the YAML.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

GITHUB = [
    {"ci_platform": "github_actions"},
    {"ci_platform": "github_actions", "infrastructure": "bicep", "deployment_mode": "batch", "secure_workspace": True},
]
AZURE_DEVOPS = [
    {"ci_platform": "azure_devops"},
    {"ci_platform": "azure_devops", "infrastructure": "bicep", "deployment_mode": "batch", "secure_workspace": True},
]
ALL = GITHUB + AZURE_DEVOPS
CI_PATHS = (".github", ".azuredevops", "ci")
PINNED_USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def pattern_id(answers: dict) -> str:
    return "-".join(str(value) for value in answers.values())


def tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed")
    return found


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def ci_files(root: Path) -> list[Path]:
    return sorted(p for name in CI_PATHS if (root / name).exists() for p in (root / name).rglob("*") if p.is_file())


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def workflows(root: Path) -> dict[str, dict]:
    return {p.name: load(p) for p in sorted((root / ".github" / "workflows").glob("*.yml"))}


def triggers(workflow: dict) -> dict:
    # PyYAML reads the key `on` as True.
    return workflow.get("on", workflow.get(True)) or {}


def checkov_failures(report_text: str) -> tuple[int, list[str]]:
    reports = json.loads(report_text)
    passed, failures = 0, []
    for report in reports if isinstance(reports, list) else [reports]:
        summary = report.get("summary", {})
        passed += summary.get("passed", 0)
        if summary.get("parsing_errors"):
            failures.append(f"{summary['parsing_errors']} file(s) not parsed")
        failures += [f"{f['check_id']} {f['file_path']}" for f in report.get("results", {}).get("failed_checks", [])]
    return passed, failures


# --- both platforms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("answers", ALL, ids=pattern_id)
def test_only_the_chosen_platform_is_generated(baked, answers):
    root = baked(**answers)
    github = answers["ci_platform"] == "github_actions"
    assert (root / ".github" / "workflows").is_dir() == github
    assert (root / ".azuredevops" / "pipelines").is_dir() != github
    assert (root / "ci" / "train.sh").is_file()


@pytest.mark.parametrize("answers", ALL, ids=pattern_id)
def test_no_secrets_and_no_hidden_failures(baked, answers):
    forbidden = re.compile(
        r"continueOnError|continue-on-error|--exit-zero|client[-_]secret|AZURE_CLIENT_SECRET|secrets\.|creds:|"
        r"AZURE_CREDENTIALS|\|\| *exit 0",
        re.IGNORECASE,
    )
    hits = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for root in [baked(**answers)]
        for path in ci_files(root)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize("answers", [GITHUB[0], AZURE_DEVOPS[1]], ids=pattern_id)
def test_ci_scripts_pass_shellcheck_and_ruff(baked, answers):
    root = baked(**answers)
    scripts = sorted(str(p.relative_to(root)) for p in (root / "ci").glob("*.sh"))
    assert {"ci/deploy.sh", "ci/iac.sh", "ci/promote.sh", "ci/train.sh", "ci/wait_for_job.sh"} <= set(scripts)
    for script in scripts:
        assert run(["bash", "-n", script], root).returncode == 0, script
    result = run([tool("shellcheck"), "--external-sources", *scripts], root)
    assert result.returncode == 0, result.stdout
    for check in (["check"], ["format", "--check"]):
        result = run([tool("ruff"), *check, "ci"], root)
        assert result.returncode == 0, result.stdout
    # The scripts the pipelines run directly must be executable.
    for script in scripts:
        if script != "ci/common.sh":
            assert (root / script).stat().st_mode & 0o111, f"{script} is not executable"


@pytest.mark.parametrize("answers", ALL, ids=pattern_id)
def test_ci_scripts_use_the_agreed_paths(baked, answers):
    """Every project file the CI scripts name exists in the bake (no drift from the other parts)."""
    root = baked(**answers)
    expected = ["mlops/azureml/train/pipeline.yml", "config/dev.yml", "config/prod.yml", "Makefile"]
    for env in ("dev", "prod"):
        if answers.get("infrastructure", "terraform") == "terraform":
            expected += [f"infrastructure/terraform/environments/{env}.tfvars"]
            expected += [f"infrastructure/terraform/backend/{env}.azurerm.tfbackend"]
        else:
            expected += ["infrastructure/bicep/main.bicep", f"infrastructure/bicep/environments/{env}.bicepparam"]
    missing = [path for path in expected if not (root / path).is_file()]
    assert missing == []
    iac = (root / "ci" / "iac.sh").read_text(encoding="utf-8")
    assert ("terraform" in iac) == (answers.get("infrastructure", "terraform") == "terraform")


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_deployment_files_the_ci_needs_exist(baked, mode):
    """ci/deploy.sh and ci/drift.sh run these agreed files and targets."""
    root = baked(ci_platform="github_actions", deployment_mode=mode)
    spec = f"mlops/azureml/deploy/{mode}"
    expected = [f"{spec}/endpoint.yml", f"{spec}/deployment.yml"]
    if mode == "online":
        expected += [f"{spec}/sample-request.json", "mlops/azureml/monitoring/monitor.yml"]
    missing = [path for path in expected if not (root / path).is_file()]
    if mode == "batch" and not any((root / "data" / "batch-sample").glob("*")):
        missing.append("data/batch-sample/")
    if not re.search(r"^drift:", (root / "Makefile").read_text(encoding="utf-8"), re.MULTILINE):
        missing.append("Makefile target drift")
    assert missing == []
    if mode == "batch":
        # ci/deploy.sh reads the deployment's name from the YAML.
        assert load(root / spec / "deployment.yml")["name"]


def test_settings_reads_config_and_refuses_unsafe_values(baked, tmp_path):
    root = baked(ci_platform="github_actions")
    result = run([sys.executable, "ci/settings.py", "dev", "azure.workspace"], root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == load(root / "config" / "dev.yml")["azure"]["workspace"]
    assert run([sys.executable, "ci/settings.py", "dev", "azure.nothing"], root).returncode == 1
    unsafe = tmp_path / "unsafe.yml"
    unsafe.write_text('name: "x; rm -rf /"\n', encoding="utf-8")
    result = run([sys.executable, "ci/settings.py", "--file", str(unsafe), "name"], root)
    assert result.returncode == 1 and "characters" in result.stderr


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/models/m/versions/3",
         "m 3"),
        ("azureml://registries/mlr-x/models/credit-default/versions/12", "credit-default 12"),
        ("azureml:credit-default:4", "credit-default 4"),
    ],
)  # fmt: skip
def test_model_reference_parses_every_form(baked, reference, expected):
    root = baked(ci_platform="github_actions")
    result = run([sys.executable, "ci/model_reference.py", reference], root)
    assert result.returncode == 0 and result.stdout.strip() == expected


def test_model_reference_rejects_an_unversioned_model(baked):
    root = baked(ci_platform="github_actions")
    assert run([sys.executable, "ci/model_reference.py", "azureml:credit-default@latest"], root).returncode == 1


def test_azureml_yaml_validation_script_passes_on_the_bake_and_fails_on_a_typo(baked, tmp_path):
    root = baked(ci_platform="github_actions")
    result = run([sys.executable, "ci/validate_azureml.py"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "azureml"
    shutil.copytree(root / "mlops" / "azureml", broken)
    pipeline = broken / "train" / "pipeline.yml"
    pipeline.write_text(pipeline.read_text(encoding="utf-8").replace("type: pipeline", "type: pipelin"), "utf-8")
    result = run([sys.executable, "ci/validate_azureml.py", str(broken)], root)
    assert result.returncode == 1 and "FAIL  train/pipeline.yml" in result.stdout


@pytest.mark.parametrize("answers", ALL, ids=pattern_id)
def test_readme_explains_how_to_connect_to_azure(baked, answers):
    readme = (baked(**answers) / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Connect to Azure", 1)[1].split("\n## ", 1)[0]
    # One bootstrap command per environment instead of manual app registrations and subscription-wide roles.
    assert "python ci/bootstrap.py --environment dev" in section and "--dry-run" in section
    assert "--destroy" in section and "git init -b main" in section
    assert "az ad app" not in section and "/subscriptions/$SUBSCRIPTION_ID" not in section
    # Roles come from the bootstrap and the infrastructure code only: a README assignment of AzureML Registry User
    # on top of the code's made the next deployment fail with RoleAssignmentExists.
    assert "az role assignment create" not in section
    if answers["ci_platform"] == "github_actions":
        # GitHub's immutable OIDC subject (changelog 2026-04-23; Microsoft Learn "Migrate GitHub Actions federated
        # credentials to immutable subjects"); the name-only form fails azure/login for new repositories.
        assert "repo:OWNER@OWNER_ID/REPO@REPO_ID:environment:dev" in section
        assert "repo:$REPO:environment:$ENV" not in section
        assert "gh repo create" in section
        assert "`.github/workflows/`" in readme
    else:
        assert "az repos create" in section and "azure-plan" in section
        assert "`.azuredevops/pipelines/`" in readme
    assert ("self-hosted" in section) == answers.get("secure_workspace", False)


# --- GitHub Actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("answers", GITHUB, ids=pattern_id)
def test_github_linters_pass(baked, answers, tmp_path):
    root = baked(**answers)
    files = sorted(str(p.relative_to(root)) for p in (root / ".github" / "workflows").glob("*.yml"))
    result = run([tool("actionlint"), "-no-color", *files], root)
    assert result.returncode == 0, result.stdout + result.stderr
    # In a git repository actionlint also checks every reusable workflow call against its inputs.
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    run(["git", "init", "-q"], repo)
    result = run([tool("actionlint"), "-no-color"], repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list((root / ".github").glob("zizmor.y*ml")), "no zizmor exceptions are needed"
    result = run([tool("zizmor"), "--offline", "--no-progress", "--format", "json", ".github"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize("answers", GITHUB, ids=pattern_id)
def test_github_schemas_and_checkov_pass(baked, answers):
    root = baked(**answers)
    workflow_files = [str(p.relative_to(root)) for p in (root / ".github" / "workflows").glob("*.yml")]
    action_files = [str(p.relative_to(root)) for p in (root / ".github" / "actions").glob("*/action.yml")]
    for schema, files in [
        ("vendor.github-workflows", workflow_files),
        ("vendor.github-actions", action_files),
        ("vendor.dependabot", [".github/dependabot.yml"]),
    ]:
        result = run([tool("check-jsonschema"), "--builtin-schema", schema, *files], root)
        assert result.returncode == 0, result.stdout + result.stderr
    result = run([tool("checkov"), "-d", ".github", "--framework", "github_actions", "--skip-download", "-o", "json",
                  "--quiet", "--compact"], root)  # fmt: skip
    passed, failures = checkov_failures(result.stdout)
    assert failures == [] and passed > 0


@pytest.mark.parametrize("answers", GITHUB, ids=pattern_id)
def test_github_actions_are_pinned_to_commits(baked, answers):
    root = baked(**answers)
    problems = []
    for path in (root / ".github").rglob("*.yml"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = re.match(r"^\s*(?:- )?uses:\s*(.+)$", line)
            if not match or match[1].startswith(("./", "$/")):
                continue
            if not PINNED_USES.match(match[1].strip()):
                problems.append(f"{path.relative_to(root)}:{number}: {match[1]}")
    assert problems == []


@pytest.mark.parametrize("answers", GITHUB, ids=pattern_id)
def test_github_jobs_have_minimal_permissions_timeouts_and_concurrency(baked, answers):
    root = baked(**answers)
    for name, workflow in workflows(root).items():
        assert workflow["permissions"] == {}, f"{name}: the default token gets no permission"
        reusable = "workflow_call" in triggers(workflow)
        assert reusable == name.startswith("_"), f"{name}: reusable workflows are the _*.yml files"
        if not reusable:
            assert "concurrency" in workflow, f"{name}: needs a concurrency group"
        for job_id, job in workflow["jobs"].items():
            where = f"{name}:{job_id}"
            assert "permissions" in job, f"{where}: set the job's permissions"
            allowed = {"contents", "id-token"}
            if (name, job_id) == ("security.yml", "codeql"):
                # main's CodeQL results go to code scanning: security-events write (github/codeql-action README,
                # "Workflow Permissions"); tests/test_security_scanning.py keeps it off pull requests.
                allowed.add("security-events")
            assert set(job["permissions"]) <= allowed, where
            assert job["permissions"].get("contents") in (None, "read"), where
            if "steps" in job:
                assert 0 < job["timeout-minutes"] <= 90, f"{where}: timeout-minutes"
            if job["permissions"].get("id-token") == "write" and "steps" in job:
                # Azure access: an environment (its identity, its reviewers) and one run at a time.
                assert job.get("environment"), f"{where}: Azure jobs run in a GitHub environment"
                assert job["concurrency"]["cancel-in-progress"] is False, where


@pytest.mark.parametrize("answers", GITHUB, ids=pattern_id)
def test_github_steps_are_safe(baked, answers):
    root = baked(**answers)
    files = list((root / ".github" / "workflows").glob("*.yml")) + list((root / ".github" / "actions").glob("*/*.yml"))
    for path in files:
        document = load(path)
        jobs = document.get("jobs") or {"composite": document.get("runs", {})}
        for job_id, job in jobs.items():
            for step in job.get("steps", []):
                where = f"{path.name}:{job_id}:{step.get('name') or step.get('uses')}"
                # Expressions reach scripts through env only (no template injection).
                assert "${{" not in step.get("run", ""), where
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, where
                if step.get("uses", "").startswith("azure/login@"):
                    assert set(step["with"]) == {"client-id", "tenant-id", "subscription-id"}, where


@pytest.mark.parametrize("answers", GITHUB, ids=pattern_id)
def test_github_stages_are_defined_once_and_gated(baked, answers):
    root = baked(**answers)
    flows = workflows(root)
    calls = {
        (name, job_id): (job["uses"], job.get("with", {}))
        for name, workflow in flows.items()
        for job_id, job in workflow["jobs"].items()
        if "uses" in job
    }
    assert all(uses.startswith("$/.github/workflows/_") for uses, _ in calls.values())
    assert calls[("infra.yml", "prod")] == ("$/.github/workflows/_iac.yml", {"environment": "prod", "apply": True})
    assert calls[("pr.yml", "infrastructure-plan")][1] == {"environment": "dev", "apply": False}
    assert calls[("promote.yml", "deploy-prod")][1]["environment"] == "prod"
    assert "needs.promote.outputs.model" in calls[("promote.yml", "deploy-prod")][1]["model"]
    # Prod is never trained: no caller trains outside dev.
    assert all(w.get("environment", "dev") == "dev" for u, w in calls.values() if u.endswith("_train.yml"))
    assert "schedule" in triggers(flows["drift.yml"])
    drift = flows["drift.yml"]["jobs"]
    # Retraining follows the drift verdict only, not any failure (a failed download must not retrain); tabular
    # projects also retrain on the quality verdict (delayed labels, ci/quality.sh).
    verdict = "needs.drift.outputs.drifted == 'true'"
    if answers.get("ml_scenario", "tabular") == "tabular":
        verdict = f"({verdict} || needs.quality.outputs.degraded == 'true')"
    assert drift["retrain"]["if"] == "${{ !cancelled() && " + verdict + " }}"
    assert drift["drift"]["outputs"]["drifted"] == "${{ steps.drift.outputs.drifted }}"
    assert drift["drift"]["permissions"]["id-token"] == "write" and drift["drift"]["environment"] == "dev"
    drift_steps = drift["drift"]["steps"]
    assert any(step.get("uses") == "$/.github/actions/azure-login" for step in drift_steps)
    assert drift_steps[-1]["run"] == "ci/drift.sh dev"
    # A failed ancestor skips every job whose `if:` has no status-check function ("If a job fails or is
    # skipped, all jobs that need it are skipped unless the jobs use a conditional expression that causes
    # the job to continue"; docs.github.com, Workflow syntax, jobs.<job_id>.needs): the drift job fails on
    # drift, so the redeploy states its condition (issue 12, defect 4).
    assert drift["deploy"]["if"] == (
        "${{ !cancelled() && needs.retrain.result == 'success' && needs.retrain.outputs.registered == 'true' }}"
    )
    assert drift["deploy"]["with"]["model"] == "${{ needs.retrain.outputs.model }}"
    dependabot = load(root / ".github" / "dependabot.yml")
    assert {u["package-ecosystem"] for u in dependabot["updates"]} == {"github-actions", "pip"}
    runner = flows["_train.yml"]["jobs"]["train"]["runs-on"]
    assert runner == (["self-hosted", "linux", "x64"] if answers.get("secure_workspace") else "ubuntu-latest")


@pytest.mark.parametrize("answers", GITHUB, ids=pattern_id)
def test_github_deploys_only_what_training_registered_and_trains_after_the_infrastructure(baked, answers):
    """Issue 12, defect 11: no deployment without a new registered version; the first push trains after infra."""
    flows = workflows(baked(**answers))
    train = flows["_train.yml"]
    outputs = triggers(train)["workflow_call"]["outputs"]
    assert outputs["registered"]["value"] == "${{ jobs.train.outputs.registered }}"
    assert outputs["model"]["value"] == "${{ jobs.train.outputs.model }}"
    assert train["jobs"]["train"]["outputs"]["model"] == "${{ steps.train.outputs.model }}"
    assert triggers(train)["workflow_call"]["inputs"]["only-if-untrained"] == {
        "description": "Train only when the workspace holds no version of the model (the first run after the "
        "infrastructure)",
        "type": "boolean",
        "default": False,
    }
    step = train["jobs"]["train"]["steps"][-1]
    assert step["env"]["ONLY_IF_UNTRAINED"] == "${{ inputs.only-if-untrained }}"
    ml = flows["ml.yml"]["jobs"]
    assert ml["deploy"]["if"] == "${{ needs.train.outputs.registered == 'true' }}"
    assert ml["deploy"]["with"] == {"environment": "dev", "model": "${{ needs.train.outputs.model }}"}
    infra = flows["infra.yml"]["jobs"]
    assert infra["train"]["needs"] == "dev" and infra["train"]["uses"] == "$/.github/workflows/_train.yml"
    assert infra["train"]["with"] == {"environment": "dev", "only-if-untrained": True}
    assert infra["deploy"]["needs"] == "train" and infra["deploy"]["uses"] == "$/.github/workflows/_deploy.yml"
    assert infra["deploy"]["if"] == "${{ needs.train.outputs.registered == 'true' }}"
    assert infra["deploy"]["with"] == {"environment": "dev", "model": "${{ needs.train.outputs.model }}"}
    assert infra["prod"]["needs"] == "dev"  # prod's infrastructure does not wait for dev's training


# --- Azure DevOps ----------------------------------------------------------------------------------


def pipeline_files(root: Path) -> list[Path]:
    return sorted((root / ".azuredevops").rglob("*.yml"))


def template_references(node, found: list) -> list:
    """(template path, passed parameters) of every `template:` reference, conditional keys included."""
    if isinstance(node, dict):
        if isinstance(node.get("template"), str):
            found.append((node["template"], flatten_conditionals(node.get("parameters") or {})))
        for value in node.values():
            template_references(value, found)
    elif isinstance(node, list):
        for value in node:
            template_references(value, found)
    return found


def flatten_conditionals(parameters: dict) -> dict:
    # `${{ if ... }}:` / `${{ else }}:` keys hold parameters that are passed in one of the branches.
    flat = {}
    for key, value in parameters.items():
        if key.startswith("${{") and isinstance(value, dict):
            flat.update(flatten_conditionals(value))
        else:
            flat[key] = value
    return flat


@pytest.mark.parametrize("answers", AZURE_DEVOPS, ids=pattern_id)
def test_azure_pipelines_schema_passes(baked, answers):
    root = baked(**answers)
    files = [str(p.relative_to(root)) for p in pipeline_files(root)]
    assert len(files) >= 10
    cmd = [tool("check-jsonschema"), "--builtin-schema", "vendor.azure-pipelines", "--data-transform",
           "azure-pipelines", "--regex-variant", "nonunicode", *files]  # fmt: skip
    result = run(cmd, root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("answers", AZURE_DEVOPS, ids=pattern_id)
def test_azure_templates_resolve_with_declared_parameters(baked, answers):
    root = baked(**answers)
    used = set()
    for path in pipeline_files(root):
        for reference, passed in template_references(load(path), []):
            assert "@" not in reference, f"{path.name}: templates come from this repository only"
            target = (path.parent / reference).resolve()
            assert target.is_file(), f"{path.relative_to(root)}: {reference} does not exist"
            used.add(target)
            declared = {p["name"]: p for p in load(target).get("parameters", [])}
            unknown = set(passed) - set(declared)
            assert not unknown, f"{path.name} passes {sorted(unknown)} that {reference} does not declare"
            missing = {name for name, p in declared.items() if "default" not in p} - set(passed)
            assert not missing, f"{path.name} does not pass the required {sorted(missing)} to {reference}"
            for name, value in passed.items():
                allowed = declared[name].get("values")
                if allowed and "$" not in str(value):
                    assert value in allowed, f"{path.name}: {name}={value} not in {allowed}"
    templates = {p.resolve() for p in (root / ".azuredevops" / "templates").rglob("*.yml")}
    assert templates <= used, f"unused templates: {sorted(templates - used)}"


@pytest.mark.parametrize("answers", AZURE_DEVOPS, ids=pattern_id)
def test_azure_pipelines_pass_checkov(baked, answers, tmp_path):
    # checkov's azure_pipelines framework only reads files named azure-pipelines.yml.
    root = baked(**answers)
    for number, path in enumerate(pipeline_files(root)):
        (tmp_path / str(number)).mkdir()
        shutil.copy(path, tmp_path / str(number) / "azure-pipelines.yml")
    cmd = [tool("checkov"), "-d", str(tmp_path), "--framework", "azure_pipelines", "--skip-download", "-o", "json",
           "--quiet", "--compact"]  # fmt: skip
    passed, failures = checkov_failures(run(cmd, root).stdout)
    assert failures == [] and passed > 0


def all_jobs(document: dict) -> list[dict]:
    jobs = list(document.get("jobs") or [])
    for stage in document.get("stages") or []:
        jobs += stage.get("jobs") or []
    flat = []
    for job in jobs:
        if isinstance(job, dict) and any(str(k).startswith("${{") for k in job):
            for branch in job.values():
                flat += branch
        else:
            flat.append(job)
    return flat


def all_steps(node) -> list[dict]:
    if isinstance(node, dict):
        found = list(node["steps"]) if isinstance(node.get("steps"), list) else []
        return found + [s for value in node.values() for s in all_steps(value)]
    if isinstance(node, list):
        return [s for value in node for s in all_steps(value)]
    return []


@pytest.mark.parametrize("answers", AZURE_DEVOPS, ids=pattern_id)
def test_azure_jobs_have_timeouts_environments_and_federated_logins(baked, answers):
    root = baked(**answers)
    deployments = {}
    for path in pipeline_files(root):
        document = load(path)
        for job in all_jobs(document):
            if "template" in job:
                continue
            name = job.get("job") or job.get("deployment")
            assert 0 < int(job["timeoutInMinutes"]) <= 90, f"{path.name}:{name}: timeoutInMinutes"
            if "deployment" in job:
                deployments[f"{path.name}:{name}"] = job["environment"]
        for step in all_steps(document):
            if step.get("checkout"):
                assert step["persistCredentials"] == "false", path.name
            if step.get("task", "").startswith("AzureCLI@"):
                assert step["inputs"]["azureSubscription"] == "${{ parameters.serviceConnection }}", path.name
                assert step["inputs"]["scriptLocation"] == "scriptPath", "scripts live in ci/, not inline"
    assert deployments == {
        "iac.yml:iac_apply": "${{ parameters.environment }}",
        "deploy.yml:deploy": "${{ parameters.environment }}",
    }
    pipelines = {p.name: load(p) for p in (root / ".azuredevops" / "pipelines").glob("*.yml")}
    prod_stages = [s for p in pipelines.values() for s in p.get("stages", []) if s["stage"] == "prod"]
    assert len(prod_stages) == 2  # infrastructure and model: both behind the prod environment's approval
    for stage in prod_stages:
        assert stage["jobs"][0]["parameters"]["serviceConnection"] == "azure-prod"
        assert stage["jobs"][0]["parameters"]["environment"] == "prod"
    drift_stages = pipelines["drift.yml"]["stages"]
    assert drift_stages[0]["jobs"][0]["parameters"] == {"environment": "dev", "serviceConnection": "azure-dev"}
    verdict = "eq(dependencies.drift.outputs['drift.azure.drifted'], 'true')"
    if answers.get("ml_scenario", "tabular") == "tabular":  # the quality verdict too (ci/quality.sh)
        verdict = f"or({verdict}, eq(dependencies.drift.outputs['quality.azure.degraded'], 'true'))"
    condition = f"and(not(canceled()), {verdict})"
    assert drift_stages[1]["condition"] == condition
    # "By default, a pipeline job or stage runs if ... all its dependencies completed and succeeded. The
    # dependency requirement applies to direct dependencies and to their indirect dependencies, computed
    # recursively" (learn.microsoft.com, Azure Pipelines, Pipeline conditions): the failed drift stage would
    # skip a redeploy without a condition, as on GitHub (issue 12, defect 4).
    assert drift_stages[2]["condition"] == (
        "and(not(canceled()), eq(dependencies.retrain.result, 'Succeeded'), "
        "eq(dependencies.retrain.outputs['train.azure.registered'], 'true'))"
    )
    assert drift_stages[2]["jobs"][0]["parameters"]["model"] == "$(retrainedModel)"
    assert drift_stages[2]["variables"] == {
        "retrainedModel": "$[ stageDependencies.retrain.train.outputs['azure.model'] ]"
    }
    drift_steps = load(root / ".azuredevops" / "templates" / "jobs" / "drift.yml")["jobs"][0]["steps"]
    assert drift_steps[-1]["template"] == "../steps/azure-cli.yml"
    assert drift_steps[-1]["parameters"]["script"] == "drift.sh"
    train_job = load(root / ".azuredevops" / "templates" / "jobs" / "train.yml")["jobs"][0]
    secure = answers.get("secure_workspace", False)
    assert train_job["pool"] == ({"name": "azureml-private"} if secure else {"vmImage": "ubuntu-latest"})


@pytest.mark.parametrize("answers", AZURE_DEVOPS, ids=pattern_id)
def test_azure_deploys_only_what_training_registered_and_trains_after_the_infrastructure(baked, answers):
    """Issue 12, defect 11: no deployment without a new registered version; the first push trains after infra."""
    root = baked(**answers)
    pipelines = {p.name: load(p) for p in (root / ".azuredevops" / "pipelines").glob("*.yml")}
    gated = "and(succeeded(), eq(dependencies.train.outputs['train.azure.registered'], 'true'))"
    model = {"trainedModel": "$[ stageDependencies.train.train.outputs['azure.model'] ]"}
    for name in ("ml.yml", "infra.yml"):
        stages = {stage["stage"]: stage for stage in pipelines[name]["stages"]}
        assert stages["deploy"]["dependsOn"] == "train", name
        assert stages["deploy"]["condition"] == gated, name
        assert stages["deploy"]["variables"] == model, name
        assert stages["deploy"]["jobs"][0]["parameters"] == {
            "environment": "dev",
            "serviceConnection": "azure-dev",
            "model": "$(trainedModel)",
        }, name
    infra = {stage["stage"]: stage for stage in pipelines["infra.yml"]["stages"]}
    assert infra["train"]["dependsOn"] == "dev"
    assert infra["train"]["jobs"][0]["parameters"]["onlyIfUntrained"] == "true"
    assert infra["prod"]["dependsOn"] == "dev"
    train = load(root / ".azuredevops" / "templates" / "jobs" / "train.yml")
    assert {"name": "onlyIfUntrained", "type": "boolean", "default": "false"} in train["parameters"]
    step = train["jobs"][0]["steps"][-1]
    assert step["parameters"]["env"] == {"ONLY_IF_UNTRAINED": "${{ parameters.onlyIfUntrained }}"}
