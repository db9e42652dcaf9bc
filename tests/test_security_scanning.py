"""Option security_scanning: the scan jobs on both CI platforms (triggers, permissions, pins), the scanners finding
nothing in them, `make audit` in one baked project, and no trace of any of it when the option is off."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
import yaml

from tests.validators import VALIDATORS, project_files, run_validators

GITHUB = {"ci_platform": "github_actions"}
AZURE_DEVOPS = {"ci_platform": "azure_devops"}
PARTS = ["code", "secrets", "deps", "iac"]
PINNED_USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
# Files and words the option owns: none of them may be left when it is off.
OWNED_FILES = {
    ".github/workflows/security.yml",
    ".azuredevops/pipelines/security.yml",
    "ci/audit.py",
    "ci/bandit.yaml",
    "ci/requirements-audit.txt",
    "ci/requirements-sbom.txt",
    "ci/requirements-github.txt",
    "docs/security.md",
}
OWNED_WORDS = re.compile(r"audit\.py|make audit|security\.yml|docs/security\.md|bandit|pip-audit|detect-secrets|sbom")
# A closed local port: the vulnerability source is unreachable, at once and on every machine.
UNREACHABLE = "http://127.0.0.1:9/"


def load(path: Path) -> dict:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in document:  # YAML 1.1 reads the key `on` as true
        document["on"] = document.pop(True)
    return document


def audit_module(root: Path) -> types.ModuleType:
    # Executed from its source, so no __pycache__ lands in the shared bake.
    path = root / "ci" / "audit.py"
    module = types.ModuleType("baked_audit")
    module.__file__ = str(path)
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    return module


def test_github_scans_every_part_and_no_pull_request_job_can_write(baked):
    workflow = load(baked(**GITHUB) / ".github" / "workflows" / "security.yml")
    assert set(workflow["on"]) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert workflow["on"]["pull_request"]["branches"] == workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["scan"]["strategy"]["matrix"]["part"] == [*PARTS, "workflows"]
    assert "ci/audit.py --strict" in jobs["scan"]["steps"][-1]["run"]
    # The history scan needs every commit: actions/checkout fetches one unless fetch-depth is 0
    # (actions/checkout README, "fetch-depth").
    assert "'secrets' && '0'" in jobs["scan"]["steps"][0]["with"]["fetch-depth"]
    not_on_pull_requests = {
        "github.event_name != 'pull_request'",
        "github.event_name == 'push' || github.event_name == 'workflow_dispatch'",
    }
    for job_id, job in jobs.items():
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        # A pull request's token gets the permissions its job asks for (read-only for forks anyway: GitHub docs,
        # "Automatic token authentication", permissions for pull requests from forks): ask none that write.
        if job.get("if") not in not_on_pull_requests:
            assert not writes, f"{job_id} runs on pull requests with {writes}"
    # Only main's CodeQL uploads (security-events write is what the upload needs: github/codeql-action README,
    # "Workflow Permissions"); the pull request's analysis keeps its SARIF (analyze/action.yml input `upload`).
    assert jobs["codeql"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert jobs["codeql"]["if"] == "github.event_name != 'pull_request'"
    assert jobs["codeql-pull-request"]["if"] == "github.event_name == 'pull_request'"
    analyze = next(s for s in jobs["codeql-pull-request"]["steps"] if "codeql-action/analyze" in s.get("uses", ""))
    assert analyze["with"]["upload"] == "never"
    # actions/dependency-review-action README: runs on pull_request with contents read; fail-on-severity.
    review = jobs["dependency-review"]
    assert review["if"] == "github.event_name == 'pull_request'" and review["permissions"] == {"contents": "read"}
    assert review["steps"][-1]["with"]["fail-on-severity"] == "moderate"
    # actions/upload-artifact: the bill of materials is kept with the run; never built for a pull request.
    assert "pull_request" not in jobs["sbom"]["if"]
    assert jobs["sbom"]["steps"][-1]["with"]["path"] == "build/sbom/"


def test_github_security_actions_are_pinned_to_commits_with_their_version(baked):
    # zizmor's unpinned-uses audit (docs.zizmor.sh/audits/#unpinned-uses) and the existing workflows' convention:
    # a full commit SHA and the release it is, for Dependabot to move both together.
    text = (baked(**GITHUB) / ".github" / "workflows" / "security.yml").read_text(encoding="utf-8")
    remote = [line.split("uses:", 1)[1].strip() for line in text.splitlines() if "uses:" in line and "$/" not in line]
    assert len(remote) >= 9
    assert [uses for uses in remote if not PINNED_USES.match(uses)] == []
    assert {uses.split("@")[0] for uses in remote} >= {
        "github/codeql-action/init",
        "github/codeql-action/analyze",
        "actions/dependency-review-action",
        "actions/upload-artifact",
    }


def test_azure_devops_scans_every_pull_request_without_any_credential(baked):
    root = baked(**AZURE_DEVOPS)
    text = (root / ".azuredevops" / "pipelines" / "security.yml").read_text(encoding="utf-8")
    pipeline = yaml.safe_load(text)
    # Azure Pipelines YAML schema reference: pr/trigger branches include, schedules with always.
    assert pipeline["pr"]["branches"]["include"] == pipeline["trigger"]["branches"]["include"] == ["main"]
    assert pipeline["schedules"][0]["always"] == "true"
    jobs = {job["job"]: job for job in pipeline["jobs"]}
    scan = jobs["scan"]
    assert [leg["part"] for leg in scan["strategy"]["matrix"].values()] == PARTS
    # checkout step reference: fetchDepth 0 fetches the whole history (new pipelines default to a shallow fetch).
    assert scan["steps"][0] == {"checkout": "self", "fetchDepth": "0", "persistCredentials": "false"}
    assert 'ci/audit.py --strict "$(part)"' in scan["steps"][-1]["script"]
    # No service connection, no job token: a pull request's build holds nothing that reaches Azure or writes.
    assert not re.search(r"azureSubscription|serviceConnection|System\.AccessToken|AzureCLI", text)
    sbom = jobs["sbom"]
    assert "ne(variables['Build.Reason'], 'PullRequest')" in sbom["condition"]
    # PublishPipelineArtifact@1 task reference: targetPath and artifact.
    assert sbom["steps"][-1]["task"] == "PublishPipelineArtifact@1"
    assert sbom["steps"][-1]["inputs"]["targetPath"] == "build/sbom"
    # CodeQL here needs GitHub Advanced Security for Azure DevOps (learn.microsoft.com task reference
    # advanced-security-codeql-init-v1: "You must have GitHub Advanced Security for Azure DevOps enabled"):
    # the docs show the job to add.
    docs = (root / "docs" / "security.md").read_text(encoding="utf-8")
    assert "AdvancedSecurity-Codeql-Init@1" in docs and "AdvancedSecurity-Codeql-Analyze@1" in docs


@pytest.mark.parametrize("answers", [GITHUB, AZURE_DEVOPS], ids=["github", "azure_devops"])
def test_workflow_scanners_find_nothing_in_the_security_jobs(baked, answers):
    root = baked(**answers)
    names = {"zizmor", "actionlint", "GitHub workflow schema", "checkov github_actions", "Azure Pipelines schema"}
    names |= {"checkov azure_pipelines"}
    validators = tuple(v for v in VALIDATORS if v.name in names)
    own = next(f for f in project_files(root) if f.endswith("security.yml"))
    assert any(v.matches(own) for v in validators), f"{own} is checked by no workflow validator"
    results = run_validators(root, validators)
    assert results and all(problems == [] for problems in results.values()), results


def test_every_dependency_set_the_project_ships_is_audited(baked):
    root = baked(**GITHUB)
    sets = audit_module(root).dependency_sets()
    requirements = sorted(f"ci/{p.name}" for p in (root / "ci").glob("requirements*.txt"))
    assert set(sets) == {"pyproject.toml", "mlops/azureml/environment/conda.yml", *requirements}
    assert "azure-ai-ml>=1.30" in sets["pyproject.toml"] and "pytest>=8" in sets["pyproject.toml"]  # the extras
    assert not [line for line in sets["pyproject.toml"] if line.startswith("my-mlops-project")]
    assert any(line.startswith("azureml-mlflow") for line in sets["mlops/azureml/environment/conda.yml"])


def test_an_unreachable_vulnerability_source_is_said_not_hidden(baked):
    # pip-audit's PyPI service asks https://pypi.org/pypi/<name>/<version>/json (pip_audit/_service/pypi.py); when
    # that answers 404 (a mirror) it marks each package "not found on PyPI" and still prints "No known
    # vulnerabilities found" with exit 0. The audit probes first and says what it could not reach.
    root = baked(**GITHUB)
    env = {**os.environ, "AUDIT_PYPI_PROBE": UNREACHABLE, "AUDIT_OSV_PROBE": UNREACHABLE}
    command = [sys.executable, "ci/audit.py", "deps"]
    lenient = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert "dependencies NOT audited" in lenient.stdout and UNREACHABLE in lenient.stdout
    assert "NOT RUN: deps" in lenient.stdout
    strict = subprocess.run([*command, "--strict"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert strict.returncode == 1, strict.stdout


@pytest.mark.parametrize("answers", [GITHUB, AZURE_DEVOPS], ids=["github", "azure_devops"])
def test_turned_off_it_leaves_no_trace(baked, answers):
    root = baked(**answers, security_scanning=False)
    files = project_files(root)
    assert OWNED_FILES.isdisjoint(files)
    mentions = []
    for relative in files:
        try:
            text = (root / relative).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        mentions += [f"{relative}: {m.group(0)}" for m in OWNED_WORDS.finditer(text)]
    assert mentions == []
    assert "audit" not in subprocess.run(["make", "help"], cwd=root, capture_output=True, text=True).stdout


def git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)


@pytest.mark.slow
def test_make_audit_runs_offline_and_catches_a_planted_secret_and_a_shell_call(baked, tmp_path):
    """The one run of the real thing: `make audit` makes its scanner environment from ci/requirements-audit.txt
    (package index only) and scans a clean bake; then a secret left in the history and a shell=True call fail."""
    root = baked(**GITHUB)
    project = tmp_path / root.name
    subprocess.run(["cp", "-r", str(root), str(project)], check=True)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")
    # The scanner environment is made by `make audit` itself (its rule for AUDIT_VENV), in a cache folder named
    # by the pinned list and the Python: a first run makes it (about 60 s, package index only), later runs of
    # the suite find it complete and only scan.
    pins = (project / "ci" / "requirements-audit.txt").read_bytes() + sys.version.encode()
    venv = Path.home() / ".cache" / "mlops-template-tests" / f"audit-tools-{hashlib.sha256(pins).hexdigest()[:16]}"
    env = {**os.environ, "AUDIT_PYPI_PROBE": UNREACHABLE, "AUDIT_OSV_PROBE": UNREACHABLE, "PYTHON": sys.executable}
    started = time.monotonic()
    clean = subprocess.run(
        ["make", "audit", f"AUDIT_VENV={venv}"], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )
    print(f"make audit (scanner environment included): {time.monotonic() - started:.0f} s")
    assert clean.returncode == 0, clean.stdout[-4000:] + clean.stderr[-4000:]
    assert "== audit: failed: none; NOT RUN: deps" in clean.stdout, clean.stdout[-3000:]
    for part in ("code", "secrets", "iac", "workflows"):
        assert f"== {part}" in clean.stdout and f"{part}: NOT RUN" not in clean.stdout

    # An AWS example key (detect-secrets' AWSKeyDetector) committed, then deleted: still in every clone.
    (project / "notes.txt").write_text("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", encoding="utf-8")
    git(project, "add", "notes.txt")
    git(project, "commit", "-q", "-m", "oops")
    git(project, "rm", "-q", "notes.txt")
    git(project, "commit", "-q", "-m", "remove it")
    # bandit B602: subprocess with shell=True (medium severity or above).
    (project / "src" / "my_mlops_project" / "shell.py").write_text(
        "import subprocess\n\n\ndef run(command):\n    return subprocess.call(command, shell=True)\n", encoding="utf-8"
    )
    planted = subprocess.run(
        [sys.executable, "ci/audit.py", "--tools", str(venv / "bin"), "code", "secrets"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert planted.returncode == 1, planted.stdout
    assert re.search(r"history: notes\.txt \(blob \w+\):1: possible AWS Access Key", planted.stdout), planted.stdout
    assert re.search(r"src/my_mlops_project/shell\.py:5: B602", planted.stdout), planted.stdout


def test_a_pull_requests_codeql_errors_fail_and_the_rest_are_listed(baked, tmp_path):
    # SARIF 2.1.0 (OASIS), result.level: absent means the rule's defaultConfiguration.level, else "warning".
    # The analyze step writes <language>.sarif into its `output` folder (github/codeql-action analyze/action.yml).
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "audit.py").write_bytes((baked(**GITHUB) / "ci" / "audit.py").read_bytes())
    command = [sys.executable, "ci/audit.py", "--strict", "codeql"]
    missing = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 1 and "codeql: NOT RUN: no CodeQL results" in missing.stdout, missing.stdout

    def result(rule_index: int, line: int) -> dict:
        location = {"physicalLocation": {"artifactLocation": {"uri": "src/x.py"}, "region": {"startLine": line}}}
        rule = {"ruleId": f"py/rule{rule_index}", "ruleIndex": rule_index}
        return {**rule, "message": {"text": "m"}, "locations": [location]}

    rules = [{"id": "py/rule0", "defaultConfiguration": {"level": "error"}}, {"id": "py/rule1"}]
    sarif = {"runs": [{"tool": {"driver": {"rules": rules}}, "results": [result(0, 3), result(1, 7)]}]}
    (tmp_path / "build" / "codeql").mkdir(parents=True)
    (tmp_path / "build" / "codeql" / "python.sarif").write_text(json.dumps(sarif), encoding="utf-8")
    found = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert found.returncode == 1, found.stdout
    assert "src/x.py:3: py/rule0 (error)" in found.stdout and "codeql: src/x.py:7: py/rule1 (warning)" in found.stdout
    sarif["runs"][0]["results"] = [result(1, 7)]
    (tmp_path / "build" / "codeql" / "python.sarif").write_text(json.dumps(sarif), encoding="utf-8")
    warnings_only = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert warnings_only.returncode == 0, warnings_only.stdout
