"""Each validator in the registry really fails on a broken file (a check that cannot fail proves nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from validators import VALIDATORS, run_validators

BY_NAME = {validator.name: validator for validator in VALIDATORS}

WORKFLOW_OK = """\
name: ok
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: echo "${{ github.sha }}"
"""

# validator name -> {relative path: content} of a project that must fail it
BROKEN = {
    "no leftover Jinja": {"README.md": "Hello {{ cookiecutter.project_name }}\n"},
    "YAML parses": {"config/dev.yml": "a: [1, 2\n"},
    "JSON parses": {"sample.json": "{'single': 'quotes'}"},
    "TOML parses": {"pyproject.toml": "[project\nname = 1\n"},
    "Python compiles": {"src/a.py": "def broken(:\n"},
    "ruff": {"src/a.py": "import os\n", "pyproject.toml": "[tool.ruff]\n"},
    "azure-ai-ml loaders": {
        "mlops/azureml/components/train.yml": (
            "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
            "name: train\ntype: command\ncommand: python train.py\nnot_a_field: 1\n"
        )
    },
    "GitHub workflow schema": {".github/workflows/ci.yml": "name: x\njobs: {}\n"},
    "actionlint": {".github/workflows/ci.yml": WORKFLOW_OK.replace("github.sha", "github.no_such_context(")},
    "zizmor": {
        ".github/workflows/ci.yml": WORKFLOW_OK.replace("permissions: {}\n", "").replace(
            '      - run: echo "${{ github.sha }}"', "      - uses: actions/checkout@v4"
        )
    },
    "Dependabot schema": {".github/dependabot.yml": "version: 2\nupdates:\n  - interval: sometimes\n"},
    "Azure Pipelines schema": {".azuredevops/ci.yml": "trigger: [main]\nsteps:\n  - scirpt: echo hi\n"},
    "terraform fmt": {"infrastructure/terraform/main.tf": 'locals {\n      x    = "a"\n}\n'},
    "HCL parses": {"infrastructure/terraform/main.tf": "resource {{\n"},
    "checkov terraform": {
        "infrastructure/terraform/main.tf": (
            'resource "azurerm_storage_account" "s" {\n  name                     = "st"\n'
            '  resource_group_name      = "rg"\n  location                 = "westeurope"\n'
            '  account_tier             = "Standard"\n  account_replication_type = "LRS"\n}\n'
        )
    },
    "Bicep parses": {
        "infrastructure/bicep/main.bicep": "resource x 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n"
    },
    "checkov bicep": {"infrastructure/bicep/main.bicep": "param = \n"},
    # DL3008: apt-get install without pinned versions.
    "hadolint": {"docker/train/Dockerfile": "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y curl\n"},
    # CKV_DOCKER_3: no non-root USER; CKV_DOCKER_2: no HEALTHCHECK.
    "checkov dockerfile": {"docker/train/Dockerfile": "FROM ubuntu:24.04\nRUN echo hi\n"},
}


# validator name -> a project that must pass it: proves a failure above comes from the file, not the validator
VALID = {
    "YAML parses": {"config/dev.yml": "a: [1, 2]\n"},
    "JSON parses": {"sample.json": '{"double": "quotes"}'},
    "TOML parses": {"pyproject.toml": '[project]\nname = "x"\n'},
    "Python compiles": {"src/a.py": "def fine():\n    return 1\n"},
    "ruff": {"src/a.py": "import os\n\nprint(os.sep)\n", "pyproject.toml": "[tool.ruff]\n"},
    "azure-ai-ml loaders": {
        "mlops/azureml/components/train.yml": (
            "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
            "name: train\ntype: command\ncommand: python train.py\n"
            "environment: azureml:sklearn@latest\n"
        )
    },
    "terraform fmt": {"infrastructure/terraform/main.tf": 'locals {\n  x = "a"\n}\n'},
    "HCL parses": {"infrastructure/terraform/main.tf": 'locals {\n  x = "a"\n}\n'},
    "Bicep parses": {
        "infrastructure/bicep/main.bicep": "param location string = 'westeurope'\noutput l string = location\n"
    },
    "Azure Pipelines schema": {".azuredevops/ci.yml": "trigger: [main]\nsteps:\n  - script: echo hi\n"},
    "hadolint": {"docker/train/Dockerfile": "FROM ubuntu:24.04\nUSER 10001:10001\nHEALTHCHECK NONE\n"},
    "checkov dockerfile": {"docker/train/Dockerfile": "FROM ubuntu:24.04\nUSER 10001:10001\nHEALTHCHECK NONE\n"},
    "Dependabot schema": {
        ".github/dependabot.yml": (
            "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
            "    schedule:\n      interval: weekly\n"
        )
    },
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_validator_passes_a_valid_file(tmp_path, name):
    _write(tmp_path, VALID[name])
    assert run_validators(tmp_path, (BY_NAME[name],)) == {name: []}


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content, encoding="utf-8")


def test_every_validator_has_a_broken_example():
    assert set(BROKEN) >= set(BY_NAME) - {"GitHub action schema", "checkov github_actions", "checkov azure_pipelines"}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validator_fails_on_a_broken_file(tmp_path, name):
    _write(tmp_path, BROKEN[name])
    results = run_validators(tmp_path, (BY_NAME[name],))
    assert results.get(name), f"{name} passed a broken file"


def test_leftover_jinja_allows_ci_expressions(tmp_path):
    _write(
        tmp_path, {".github/workflows/ci.yml": WORKFLOW_OK, ".azuredevops/ci.yml": "steps:\n- script: echo ${{ x }}\n"}
    )
    assert run_validators(tmp_path, (BY_NAME["no leftover Jinja"],)) == {"no leftover Jinja": []}


def test_github_validators_pass_a_clean_workflow(tmp_path):
    _write(tmp_path, {".github/workflows/ci.yml": WORKFLOW_OK})
    names = ("GitHub workflow schema", "actionlint", "zizmor")
    results = run_validators(tmp_path, tuple(BY_NAME[n] for n in names))
    assert results == {name: [] for name in names}
