"""Security scans of this repository, the same locally (`make audit`) and in CI (the security workflow/pipeline).

    python ci/audit.py [--tools DIR] [--strict] [PART ...]

Parts (all by default): code (bandit), secrets (detect-secrets over the files and every blob in the git history),
deps (pip-audit over every dependency set the project ships), iac (checkov), workflows (zizmor, actionlint),
sbom (CycloneDX bill of materials of the Azure ML environment) and codeql (the results a pull request's
CodeQL analysis left in build/codeql) only when asked by name.
A scanner that cannot run here (not installed, or its vulnerability source unreachable) is reported as NOT RUN
with the reason; --strict (CI) turns that into a failure. Findings always fail.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "build" / "audit"
DEFAULT_PARTS = ("code", "secrets", "deps", "iac", "workflows")
# Data and binaries: no credentials live there, and scanning megabytes of CSV costs seconds for nothing.
NOT_SCANNED_FOR_SECRETS = (".csv", ".parquet", ".png", ".jpg", ".jpeg", ".gif", ".safetensors", ".pt", ".pkl")
SKIPPED_FOLDERS = {".git", "build", "outputs", "mlruns", "mlartifacts", ".venv", "__pycache__", ".terraform"}
# pip-audit's vulnerability sources: the PyPI JSON API per release (its default) and OSV.
PYPI_PROBE = "https://pypi.org/pypi/pip/24.0/json"
OSV_PROBE = "https://api.osv.dev/v1/query"


class NotRun(Exception):
    """A scanner could not run here; the message says why."""


def tool(name: str, tools: Path | None) -> str:
    for folder in (tools, Path(sys.executable).parent):
        if folder and (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise NotRun(f"{name} is not installed (`make audit` installs ci/requirements-audit.txt into build/)")
    return found


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, **kwargs)


def repository_files() -> list[str]:
    listed = run(["git", "ls-files", "-z"]) if (ROOT / ".git").exists() else None
    if listed is not None and listed.returncode == 0:
        files = [name for name in listed.stdout.split("\0") if name]
    else:
        files = [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and not SKIPPED_FOLDERS & set(path.relative_to(ROOT).parts[:-1])
        ]
    return sorted(name for name in files if (ROOT / name).is_file())


# --- code ------------------------------------------------------------------------------------------------------


def scan_code(tools: Path | None) -> list[str]:
    command = [tool("bandit", tools), "-c", "ci/bandit.yaml", "-r", "src", "ci", "-q"]
    result = run([*command, "--severity-level", "medium", "--confidence-level", "medium", "-f", "json"])
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"bandit failed (exit {result.returncode}): {result.stderr[-2000:]}"]
    problems = [f"bandit: {error['filename']}: {error['reason']}" for error in report.get("errors", [])]
    for issue in report.get("results", []):
        problems.append(
            f"{issue['filename']}:{issue['line_number']}: {issue['test_id']} ({issue['issue_severity']}) "
            f"{issue['issue_text']}"
        )
    return problems


# --- secrets ---------------------------------------------------------------------------------------------------


def detect_secrets(files: list[str], cwd: Path, tools: Path | None) -> dict[str, list[dict]]:
    if not files:
        return {}
    result = subprocess.run(
        [tool("detect-secrets", tools), "scan", *files], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"detect-secrets failed (exit {result.returncode}): {result.stderr[-2000:]}")
    return json.loads(result.stdout).get("results", {})


def scan_secrets(tools: Path | None) -> list[str]:
    files = [name for name in repository_files() if not name.lower().endswith(NOT_SCANNED_FOR_SECRETS)]
    problems = [
        f"{path}:{secret['line_number']}: possible {secret['type']} (rotate it if real; if not, end the line with "
        "`# pragma: allowlist secret`)"
        for path, secrets in detect_secrets(files, ROOT, tools).items()
        for secret in secrets
    ]
    return problems + scan_history(tools)


def scan_history(tools: Path | None) -> list[str]:
    """Every file version ever committed: a secret removed in a later commit is still in the clone."""
    if not (ROOT / ".git").exists():
        print("  secrets: no git history here (not a clone): scanned the files only")
        return []
    listed = run(["git", "rev-list", "--all", "--objects"])
    if listed.returncode != 0:
        return [f"git rev-list failed: {listed.stderr.strip()}"]
    # The versions in the index were scanned as files already.
    current = {line.split()[1] for line in run(["git", "ls-files", "-s"]).stdout.splitlines()}
    blobs: dict[str, str] = {}
    for line in listed.stdout.splitlines():
        sha, _, path = line.partition(" ")
        if path and sha not in current and not path.lower().endswith(NOT_SCANNED_FOR_SECRETS):
            blobs.setdefault(sha, path)
    # One git process for every object (git cat-file --batch: "<sha> <type> <size>" then the content).
    batch = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=ROOT, input="".join(f"{sha}\n" for sha in blobs).encode(),
        capture_output=True, check=True,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        written: dict[str, str] = {}
        output, position = batch.stdout, 0
        while position < len(output):
            header_end = output.index(b"\n", position)
            sha, kind, size = output[position:header_end].decode().split()
            content = output[header_end + 1 : header_end + 1 + int(size)]
            position = header_end + 1 + int(size) + 1
            if kind != "blob":  # folders are listed with a path too
                continue
            target = Path(folder) / sha / Path(blobs[sha]).name
            target.parent.mkdir()
            target.write_bytes(content)
            written[target.relative_to(folder).as_posix()] = f"{blobs[sha]} (blob {sha[:12]})"
        found = detect_secrets(sorted(written), Path(folder), tools)
    return [
        f"history: {written[name]}:{secret['line_number']}: possible {secret['type']} (rotate it: it stays in every "
        "clone even after a fix)"
        for name, secrets in found.items()
        for secret in secrets
    ]


# --- dependencies ----------------------------------------------------------------------------------------------


def dependency_sets() -> dict[str, list[str]]:
    """Set name -> requirement lines: pyproject.toml (dependencies and every extra), the Azure ML conda
    files' pip sections and the CI requirement files."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    own_name = project["name"].replace("_", "-").lower()
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        # "<this project>[azure]" names another extra, which is listed anyway.
        lines += [line for line in extra if not line.replace("_", "-").lower().startswith(own_name)]
    sets = {"pyproject.toml": sorted(set(lines))}
    for conda in sorted((ROOT / "mlops" / "azureml").rglob("conda*.yml")):
        document = yaml.safe_load(conda.read_text(encoding="utf-8"))
        for entry in document.get("dependencies", []):
            if isinstance(entry, dict) and "pip" in entry:
                sets[conda.relative_to(ROOT).as_posix()] = list(entry["pip"])
    for requirements in sorted((ROOT / "ci").glob("requirements*.txt")):
        sets[requirements.relative_to(ROOT).as_posix()] = ["-r", str(requirements)]
    return sets


def resolve(name: str, lines: list[str]) -> Path:
    """The exact releases pip would install for a set (resolved, not installed): one `name==version` a line."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    stem = name.replace("/", "_")
    wanted = REPORTS / f"{stem}.in"
    wanted.write_text("\n".join(line for line in lines if line != "-r") + "\n", encoding="utf-8")
    report = REPORTS / f"{stem}.resolved.json"
    args = ["-r", lines[1]] if lines[:1] == ["-r"] else ["-r", str(wanted)]
    result = run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report",
         str(report), *args]
    )  # fmt: skip
    if result.returncode != 0:
        raise NotRun(f"pip could not resolve {name} (is the package index reachable?): {result.stderr[-1500:]}")
    installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    pins = REPORTS / f"{stem}.pins.txt"
    pins.write_text(
        "".join(f"{item['metadata']['name']}=={item['metadata']['version']}\n" for item in installed), encoding="utf-8"
    )
    return pins


def reachable_vulnerability_service() -> str:
    """pip-audit's service that answers from here, or NotRun naming what could not be reached."""
    probes = {
        "pypi": urllib.request.Request(os.environ.get("AUDIT_PYPI_PROBE", PYPI_PROBE)),
        "osv": urllib.request.Request(
            os.environ.get("AUDIT_OSV_PROBE", OSV_PROBE),
            data=json.dumps({"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "24.0"}).encode(),
            headers={"Content-Type": "application/json"},
        ),
    }
    failures = []
    for service, request in probes.items():
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                document = json.loads(answer.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            failures.append(f"{request.full_url}: {error}")
            continue
        # The PyPI JSON API lists a release's advisories under "vulnerabilities"; OSV answers a JSON object.
        if isinstance(document, dict) and (service == "osv" or "vulnerabilities" in document):
            return service
        failures.append(f"{request.full_url} answered without vulnerability data")
    raise NotRun("no vulnerability source reachable, dependencies NOT audited: " + "; ".join(failures))


def scan_deps(tools: Path | None) -> list[str]:
    service = reachable_vulnerability_service()
    pip_audit = tool("pip-audit", tools)
    problems = []
    for name, lines in dependency_sets().items():
        pins = resolve(name, lines)
        result = run(
            [pip_audit, "--no-deps", "--disable-pip", "--progress-spinner", "off", "--vulnerability-service",
             service, "--format", "json", "-r", str(pins)]
        )  # fmt: skip
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            problems.append(f"{name}: pip-audit failed (exit {result.returncode}): {result.stderr[-1500:]}")
            continue
        for dependency in report.get("dependencies", []):
            if "skip_reason" in dependency:
                problems.append(f"{name}: {dependency['name']} not audited: {dependency['skip_reason']}")
            for vulnerability in dependency.get("vulns", []):
                fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed release yet"
                problems.append(
                    f"{name}: {dependency['name']}=={dependency['version']} {vulnerability['id']} (fixed in: {fixed})"
                )
        print(f"  deps: {name}: {len(report.get('dependencies', []))} releases audited ({service})")
    return problems


# --- infrastructure and workflows ------------------------------------------------------------------------------


def checkov(frameworks: list[str], directory: str, tools: Path | None) -> list[str]:
    command = [tool("checkov", tools), "-d", directory, "--framework", *frameworks, "--skip-download", "-o", "json"]
    skips = [arg for folder in sorted(SKIPPED_FOLDERS) for arg in ("--skip-path", folder)]
    result = run([*command, *skips, "--quiet", "--compact"])
    try:
        parsed = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"checkov {frameworks}: no report (exit {result.returncode}): {result.stderr[-1500:]}"]
    problems = []
    for report in parsed if isinstance(parsed, list) else [parsed]:
        kind = report.get("check_type", "/".join(frameworks))
        # checkov exits 0 on a file it cannot parse: that must fail, not pass.
        if report.get("summary", {}).get("parsing_errors"):
            problems.append(f"checkov {kind}: {report['summary']['parsing_errors']} file(s) could not be parsed")
        for failed in report.get("results", {}).get("failed_checks", []):
            problems.append(f"checkov {kind}: {failed['check_id']} {failed['check_name']} at {failed['file_path']}")
    return problems


def scan_iac(tools: Path | None) -> list[str]:
    # One checkov run for the infrastructure code and the GitHub workflows: its start-up is most of its time.
    frameworks = [name for name in ("terraform", "bicep") if (ROOT / "infrastructure" / name).is_dir()]
    frameworks += ["github_actions"] if (ROOT / ".github").is_dir() else []
    problems = checkov(frameworks, ".", tools) if frameworks else []
    if (ROOT / ".azuredevops").is_dir():
        # checkov reads only files named azure-pipelines.yml: give each pipeline file that name.
        with tempfile.TemporaryDirectory() as staging:
            for number, path in enumerate(sorted((ROOT / ".azuredevops").rglob("*.yml"))):
                (Path(staging) / str(number)).mkdir()
                shutil.copy(path, Path(staging) / str(number) / "azure-pipelines.yml")
            problems += checkov(["azure_pipelines"], staging, tools)
    return problems


def scan_workflows(tools: Path | None) -> list[str]:
    if not (ROOT / ".github").is_dir():
        print("  workflows: no GitHub workflows (Azure Pipelines are checked by checkov under iac)")
        return []
    problems = []
    result = run([tool("zizmor", tools), "--offline", "--no-progress", "--format", "plain", ".github"])
    if result.returncode != 0:
        problems.append(f"zizmor:\n{result.stdout}{result.stderr}")
    workflows = sorted(str(path.relative_to(ROOT)) for path in (ROOT / ".github" / "workflows").glob("*.yml"))
    try:
        actionlint = tool("actionlint", tools)
    except NotRun as reason:
        print(f"  workflows: actionlint NOT RUN: {reason} (CI installs it)")
        return problems
    result = run([actionlint, "-no-color", *workflows])
    if result.returncode != 0:
        problems.append(f"actionlint:\n{result.stdout}{result.stderr}")
    return problems


# --- CodeQL results of a pull request ------------------------------------------------------------------------


def codeql_results(tools: Path | None) -> list[str]:
    """The SARIF the CodeQL job of a pull request keeps (build/codeql): errors fail, the rest are shown."""
    sarifs = sorted((REPORTS.parent / "codeql").glob("*.sarif"))
    if not sarifs:
        raise NotRun("no CodeQL results in build/codeql (the CodeQL analysis writes them)")
    problems = []
    for sarif in sarifs:
        for analysis in json.loads(sarif.read_text(encoding="utf-8"))["runs"]:
            rules = analysis["tool"]["driver"].get("rules", [])
            for result in analysis.get("results", []):
                rule = rules[result["ruleIndex"]] if "ruleIndex" in result and result["ruleIndex"] < len(rules) else {}
                level = result.get("level") or rule.get("defaultConfiguration", {}).get("level", "warning")
                where = result["locations"][0]["physicalLocation"]
                line = f"{where['artifactLocation']['uri']}:{where.get('region', {}).get('startLine', 0)}: " + (
                    f"{result['ruleId']} ({level}) {result['message']['text']}"
                )
                if level == "error":
                    problems.append(line)
                else:
                    print(f"  codeql: {line}")
    return problems


# --- bill of materials -----------------------------------------------------------------------------------------


def build_sbom(tools: Path | None) -> list[str]:
    """One CycloneDX document per Azure ML environment: the releases its conda file's pip section resolves to."""
    cyclonedx = tool("cyclonedx-py", tools)
    problems = []
    for name, lines in dependency_sets().items():
        if not name.startswith("mlops/"):
            continue
        pins = resolve(name, lines)
        output = REPORTS.parent / "sbom" / (Path(name).parent.name + ".cdx.json")
        output.parent.mkdir(parents=True, exist_ok=True)
        result = run(
            [cyclonedx, "requirements", "--pyproject", "pyproject.toml", "--of", "JSON", "--output-reproducible",
             "-o", str(output), str(pins)]
        )  # fmt: skip
        if result.returncode != 0:
            problems.append(f"cyclonedx-py {name}: {result.stderr[-1500:]}")
        else:
            print(f"  sbom: {output.relative_to(ROOT)} ({name})")
    return problems


SCANS = {
    "code": scan_code,
    "secrets": scan_secrets,
    "deps": scan_deps,
    "iac": scan_iac,
    "workflows": scan_workflows,
    "sbom": build_sbom,
    "codeql": codeql_results,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", metavar="PART", help=f"any of {', '.join(SCANS)}")
    parser.add_argument("--tools", type=Path, help="folder of the scanners' executables (else next to python, PATH)")
    parser.add_argument("--strict", action="store_true", help="a scanner that cannot run is a failure (CI)")
    args = parser.parse_args(argv)
    tools = args.tools.resolve() if args.tools else None  # some scanners run in other folders
    unknown = sorted(set(args.parts) - set(SCANS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: choose from {', '.join(SCANS)}")
    failed, not_run = [], []
    for part in args.parts or DEFAULT_PARTS:
        print(f"== {part}", flush=True)
        try:
            problems = SCANS[part](tools)
        except NotRun as reason:
            print(f"  {part}: NOT RUN: {reason}")
            not_run.append(part)
            continue
        for problem in problems:
            print(f"  {problem}")
        if problems:
            failed.append(part)
    print(f"== audit: failed: {', '.join(failed) or 'none'}; NOT RUN: {', '.join(not_run) or 'none'}")
    return 1 if failed or (args.strict and not_run) else 0


if __name__ == "__main__":
    sys.exit(main())
