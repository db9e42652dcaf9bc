"""custom_container (issue 17, item 1): images built in CI on the registry side, used by Azure ML, private when secure.

Two bakes with the option on cover both CI platforms and both infrastructure languages (GitHub Actions + Terraform +
tabular + online; Azure DevOps + Bicep + nlp + batch + secure); the pairwise bakes of test_template_bakes.py run
every validator (hadolint, checkov dockerfile included) on the other combinations.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from tools.iac_model import bicep_resources, parse_bicep, single, tf_blocks, tf_locals, tf_resources
from validators import VALIDATORS, _tool

PUBLIC_GITHUB = {"infrastructure": "terraform", "ci_platform": "github_actions", "ml_scenario": "tabular"}
SECURE_DEVOPS = {
    "infrastructure": "bicep",
    "ci_platform": "azure_devops",
    "ml_scenario": "nlp",
    "deployment_mode": "batch",
    "secure_workspace": True,
}
BAKES = [
    pytest.param(PUBLIC_GITHUB, id="terraform-github-online"),
    pytest.param(SECURE_DEVOPS, id="bicep-devops-secure"),
]
# The Terraform side of the secure variant, with the same scenario as SECURE_DEVOPS for the parity check.
SECURE_TERRAFORM = {"infrastructure": "terraform", "ml_scenario": "nlp", "secure_workspace": True}

# Built-in role id of AcrPull (Microsoft Learn, "Azure built-in roles", Containers: AcrPull).
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"


def on(baked, answers: dict) -> Path:
    return baked(custom_container=True, **answers)


def read(root: Path, relative: str) -> str:
    return (root / relative).read_text(encoding="utf-8")


def line_of(text: str, pattern: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"no line matches {pattern!r}")


def validator(name: str):
    (found,) = [v for v in VALIDATORS if v.name == name]
    return found


# --- with the option off, nothing of it is generated -----------------------------------------------------------


def test_option_off_leaves_no_trace(baked):
    root = baked(**PUBLIC_GITHUB)
    assert not (root / "docker").exists()
    assert not (root / "ci" / "build_images.sh").exists()
    assert not (root / "docs" / "containers.md").exists()
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in {".sh", ".yml", ".yaml", ".tf", ".bicep", ".md", ".txt", ".toml"}:
            text = path.read_text(encoding="utf-8")
            traces = ("build_images", "az acr", "hadolint", "external_container_registry", "externalContainerRegistry")
            for trace in traces:
                assert trace not in text, f"{path.relative_to(root)} mentions {trace}"
    environment = yaml.safe_load(read(root, "mlops/azureml/environment/environment.yml"))
    assert environment["conda_file"] == "conda.yml"
    assert "containers" not in yaml.safe_load(read(root, "config/dev.yml"))


# --- built in CI before training and deployment, on both platforms ---------------------------------------------


@pytest.mark.parametrize("answers", BAKES)
def test_images_are_built_before_training_and_deployment(baked, answers):
    root = on(baked, answers)
    train = read(root, "ci/train.sh")
    assert line_of(train, r'build_images\.sh" "\$env" train') < line_of(train, r"az ml job create")
    deploy = read(root, "ci/deploy.sh")
    create = r"az ml (online|batch)-deployment (create|\"\$action\")"
    assert line_of(deploy, r'build_images\.sh" "\$env" inference') < line_of(deploy, create)
    # Pull requests lint the Dockerfiles on both platforms: their checks run `pre-commit run --all-files`.
    hooks = yaml.safe_load(read(root, ".pre-commit-config.yaml"))["repos"][0]["hooks"]
    assert {"id": "hadolint", "name": "hadolint", "entry": "hadolint", "language": "system"}.items() <= next(
        hook for hook in hooks if hook["id"] == "hadolint"
    ).items()
    assert re.search(next(h for h in hooks if h["id"] == "hadolint")["files"], "docker/train/Dockerfile")
    checks = (
        ".github/workflows/_checks.yml"
        if answers["ci_platform"] == "github_actions"
        else ".azuredevops/templates/jobs/checks.yml"
    )
    assert "pre-commit run --all-files" in read(root, checks)
    # Both platforms run those scripts in their train and deploy jobs (the build needs no separate step there).
    if answers["ci_platform"] == "github_actions":
        assert 'run: ci/train.sh "$ENVIRONMENT"' in read(root, ".github/workflows/_train.yml")
        assert 'run: ci/deploy.sh "$ENVIRONMENT"' in read(root, ".github/workflows/_deploy.yml")
    else:
        assert "script: train.sh" in read(root, ".azuredevops/templates/jobs/train.yml")
        assert "script: deploy.sh" in read(root, ".azuredevops/templates/jobs/deploy.yml")


@pytest.mark.parametrize("answers", BAKES)
def test_azureml_files_name_the_project_images(baked, answers):
    root = on(baked, answers)
    config = yaml.safe_load(read(root, "config/dev.yml"))
    registry = config["containers"]["registry"]
    assert registry == config["azure"]["container_registry"], "the workspace's registry unless configured"
    slug = root.name
    environment = yaml.safe_load(read(root, "mlops/azureml/environment/environment.yml"))
    assert environment["image"] == f"{registry}.azurecr.io/{slug}/train:unbuilt"
    # An image with the dependencies inside: a conda file would make Azure ML build another image on top.
    assert "conda_file" not in environment
    for component in (root / "mlops/azureml/components").glob("*.yml"):
        assert yaml.safe_load(component.read_text())["environment"] == "file:../environment/environment.yml"
    mode = answers.get("deployment_mode", "online")
    deployment = yaml.safe_load(read(root, f"mlops/azureml/deploy/{mode}/deployment.yml"))
    assert deployment["environment"] == {"image": f"{registry}.azurecr.io/{slug}/inference:unbuilt"}
    # The scoring script stays (Azure ML runs it in the image): the one form online and batch deployments share.
    assert deployment["code_configuration"]["scoring_script"].endswith(
        f"serving/{'score' if mode == 'online' else 'batch_score'}.py"
    )


@pytest.mark.parametrize("answers", BAKES)
def test_build_images_passes_shellcheck_and_is_executable(baked, answers):
    root = on(baked, answers)
    result = subprocess.run(
        [_tool("shellcheck"), "--external-sources", "ci/build_images.sh", "ci/train.sh", "ci/deploy.sh"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert (root / "ci/build_images.sh").stat().st_mode & 0o111


# --- ci/build_images.sh, run against a fake az ------------------------------------------------------------------

FAKE_AZ = r"""#!/usr/bin/env python3
import json, os, pathlib, sys

args = sys.argv[1:]
state_file = pathlib.Path(os.environ["FAKE_AZ_STATE"])
state = json.loads(state_file.read_text())
state["calls"].append(args)
state_file.write_text(json.dumps(state))
words = [a for a in args if not a.startswith("-")]
if words[:2] == ["acr", "show"]:
    print(args[args.index("--name") + 1] + ".azurecr.io")
    sys.exit(0)
if words[:3] == ["acr", "repository", "show"]:
    sys.exit(0 if args[args.index("--image") + 1] in state["built"] else 1)
if words[:2] == ["acr", "build"]:
    sys.exit(0)
print("fake az: unexpected call " + " ".join(args), file=sys.stderr)
sys.exit(3)
"""


def run_build(root: Path, tmp_path: Path, image: str, built: list[str]) -> tuple[subprocess.CompletedProcess, list]:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir(exist_ok=True)
    az = fake_bin / "az"
    az.write_text(FAKE_AZ)
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    # The real linter: a finding must stop the script before anything is built.
    if not (fake_bin / "hadolint").exists():
        (fake_bin / "hadolint").symlink_to(_tool("hadolint"))
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"calls": [], "built": built}))
    env = {
        "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "FAKE_AZ_STATE": str(state),
        "GITHUB_SHA": "0123abc",
    }
    result = subprocess.run(
        ["bash", "ci/build_images.sh", "dev", image], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    return result, json.loads(state.read_text())["calls"]


@pytest.fixture
def project(baked, tmp_path, request) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(on(baked, request.param), copy)
    return copy


@pytest.mark.parametrize("project", BAKES, indirect=True)
def test_build_images_builds_on_the_registry_and_points_azureml_at_the_commit(project, tmp_path):
    config = yaml.safe_load(read(project, "config/dev.yml"))
    registry = config["containers"]["registry"]
    slug = yaml.safe_load(read(project, "mlops/azureml/environment/environment.yml"))["name"].removesuffix("-train")
    result, calls = run_build(project, tmp_path, "train", built=[])
    assert result.returncode == 0, result.stderr
    (build,) = [call for call in calls if call[:2] == ["acr", "build"]]
    # `az acr build` (ACR Tasks): --registry, --image <repository:tag>, the build context as its one positional
    # argument (Microsoft Learn, az acr build; azure-cli 2.91 command table in tests/data/cli_commands.json).
    assert build[build.index("--registry") + 1] == registry
    assert build[build.index("--image") + 1] == f"{slug}/train:0123abc"
    assert build[-1] == "docker/train"
    if config["azure"]["secure_workspace"]:
        # No public access: only a dedicated agent pool inside the network can push (Microsoft Learn, "Manage
        # network bypass policy for tasks").
        assert build[build.index("--agent-pool") + 1] == config["containers"]["agent_pool"]
    else:
        assert "--agent-pool" not in build
    environment = yaml.safe_load(read(project, "mlops/azureml/environment/environment.yml"))
    assert environment["image"] == f"{registry}.azurecr.io/{slug}/train:0123abc"


@pytest.mark.parametrize("project", [BAKES[0]], indirect=True)
def test_build_images_does_not_rebuild_a_built_commit(project, tmp_path):
    slug = yaml.safe_load(read(project, "mlops/azureml/environment/environment.yml"))["name"].removesuffix("-train")
    result, calls = run_build(project, tmp_path, "inference", built=[f"{slug}/inference:0123abc"])
    assert result.returncode == 0, result.stderr
    assert not [call for call in calls if call[:2] == ["acr", "build"]]
    deployment = yaml.safe_load(read(project, "mlops/azureml/deploy/online/deployment.yml"))
    assert deployment["environment"]["image"].endswith(f"/{slug}/inference:0123abc")


@pytest.mark.parametrize("project", [BAKES[0]], indirect=True)
def test_build_images_stops_on_a_lint_finding_before_building(project, tmp_path):
    dockerfile = project / "docker/train/Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "RUN apt-get update && apt-get install -y curl\n")
    result, calls = run_build(project, tmp_path, "train", built=[])
    assert result.returncode != 0
    assert "DL3008" in result.stdout + result.stderr  # hadolint: pin versions in apt-get install
    assert not [call for call in calls if call[:2] == ["acr", "build"]]


# --- the Dockerfiles pass hadolint and checkov -----------------------------------------------------------------


@pytest.mark.parametrize("answers", BAKES)
def test_dockerfiles_pass_hadolint_and_checkov(baked, answers):
    root = on(baked, answers)
    files = ["docker/train/Dockerfile", "docker/inference/Dockerfile"]
    for name in ("hadolint", "checkov dockerfile"):
        assert validator(name).check(root, files) == [], name
    for relative in files:
        text = read(root, relative)
        assert re.search(r"^FROM mcr\.microsoft\.com/azureml/\S+:\d{8}\.v\d+$", text, re.MULTILINE), "dated tag"
        assert re.search(r"^USER [1-9]\d*:[1-9]\d*$", text, re.MULTILINE), "non-root numeric user"
        assert re.search(r"^HEALTHCHECK ", text, re.MULTILINE)


def test_the_dockerfile_validators_catch_a_root_image_without_healthcheck(tmp_path):
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker/Dockerfile").write_text("FROM ubuntu:latest\nRUN apt-get install -y curl\n")
    assert validator("hadolint").check(tmp_path, ["docker/Dockerfile"])
    problems = " ".join(validator("checkov dockerfile").check(tmp_path, ["docker/Dockerfile"]))
    # checkov: CKV_DOCKER_2 (no HEALTHCHECK), CKV_DOCKER_3 (no non-root USER), CKV_DOCKER_7 (latest tag).
    for check in ("CKV_DOCKER_2", "CKV_DOCKER_3", "CKV_DOCKER_7"):
        assert check in problems


def test_online_inference_image_serves_on_the_inference_server_port(baked):
    text = read(on(baked, PUBLIC_GITHUB), "docker/inference/Dockerfile")
    # azmlinfsrv listens on 5001 and answers GET / while alive (microsoft/azureml-inference-server; the custom
    # container examples of Azure/azureml-examples probe "/" on 5001).
    assert "EXPOSE 5001" in text and "http://127.0.0.1:5001/" in text
    requirements = read(on(baked, PUBLIC_GITHUB), "docker/inference/requirements.txt")
    assert "azureml-inference-server-http" in requirements


def test_batch_inference_image_has_azureml_core(baked):
    # Microsoft Learn, "Deploy a custom model to a batch endpoint": azureml-core is required for batch deployments.
    assert "azureml-core" in read(on(baked, SECURE_DEVOPS), "docker/inference/requirements.txt")


# --- infrastructure: AcrPull on an external registry, private-only registry when secure, parity ----------------


def test_terraform_grants_acr_pull_on_an_external_registry_and_reaches_it_privately(baked):
    directory = on(baked, SECURE_TERRAFORM) / "infrastructure/terraform"
    assert "external_container_registry_id" in tf_blocks(directory, "variable")
    (pull,) = [r for r in tf_resources(directory) if r.name == "external_acr_pull"]
    body = {k: single(v) for k, v in pull.body.items()}
    assert body["role_definition_name"] == "AcrPull"
    assert body["scope"] == "${var.external_container_registry_id}"
    assert "local.compute_principal_ids" in body["for_each"] and "workspace" in body["for_each"]
    (rule,) = [r for r in tf_resources(directory) if r.name == "external_container_registry"]
    assert single(rule.body["sub_resource_target"]) == "registry"
    (registry,) = [r for r in tf_resources(directory) if r.type == "azurerm_container_registry"]
    assert single(registry.body["sku"]) == "Premium"
    assert single(registry.body["public_network_access_enabled"]) is False


def test_bicep_grants_acr_pull_on_an_external_registry_and_reaches_it_privately(baked):
    root = on(baked, SECURE_DEVOPS)
    directory = root / "infrastructure/bicep"
    main = read(root, "infrastructure/bicep/main.bicep")
    assert "param externalContainerRegistryId string = ''" in main
    # The role is assigned in the registry's own resource group (a resource-group deployment cannot reach it).
    assert (
        "scope: resourceGroup(split(externalContainerRegistryId, '/')[2], split(externalContainerRegistryId, '/')[4])"
        in main
    )
    assert "principalIds: workspace.outputs.pullPrincipalIds" in main
    module = read(root, "infrastructure/bicep/modules/external_registry_pull.bicep")
    assert ACR_PULL in module
    parse_bicep(directory / "modules/external_registry_pull.bicep")  # pycep (checkov's parser) reads it
    workspace = read(root, "infrastructure/bicep/modules/workspace.bicep")
    outputs = workspace[workspace.index("output pullPrincipalIds") :]
    assert "workspace.identity.principalId" in outputs and "cpuCluster.identity.principalId" in outputs
    rules = [
        r.body
        for r in bicep_resources(directory)
        if r.type.startswith("Microsoft.MachineLearningServices/workspaces/outboundRules")
    ]
    targets = [json.dumps(rule) for rule in rules]
    assert any("externalContainerRegistryId" in t and "registry" in t for t in targets)
    registries = [
        r.body
        for r in bicep_resources(directory)
        if r.type == "Microsoft.ContainerRegistry/registries" and not r.existing
    ]
    assert any("Premium" in json.dumps(r) and "Disabled" in json.dumps(r) for r in registries)


def test_external_registry_parity_between_terraform_and_bicep(baked):
    """The same identities get AcrPull on an external registry in both languages."""
    terraform = on(baked, SECURE_TERRAFORM) / "infrastructure/terraform"
    (pull,) = [r for r in tf_resources(terraform) if r.name == "external_acr_pull"]
    for_each = single(pull.body["for_each"])
    assert "merge(local.compute_principal_ids," in for_each
    assert "'workspace': '${azurerm_machine_learning_workspace.main.identity[0].principal_id}'" in for_each
    tf_clusters = set(tf_locals(terraform)["compute_principal_ids"])
    workspace = read(on(baked, SECURE_DEVOPS), "infrastructure/bicep/modules/workspace.bicep")
    pulled = workspace[workspace.index("output pullPrincipalIds") :]
    bicep_identities = set(re.findall(r"(\w+)\.identity\.principalId", pulled))
    assert bicep_identities == {"workspace"} | {f"{kind}Cluster" for kind in tf_clusters}
