"""checkov over the generated infrastructure: the secure variant fails nothing; the public variant fails only
public-exposure checks, each skipped in the code with its reason. A file checkov cannot parse is a failure."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

# Checks about reachability from public networks: the only ones secure_workspace=false may skip.
PUBLIC_EXPOSURE_CHECKS = {
    "CKV_AZURE_35",  # storage network rules default to deny
    "CKV_AZURE_59",  # storage public network access
    "CKV_AZURE_109",  # key vault firewall
    "CKV_AZURE_139",  # ACR public network access
    "CKV_AZURE_144",  # ML workspace public network access
    "CKV_AZURE_189",  # key vault public network access
    "CKV_AZURE_243",  # ML workspace private endpoint
    "CKV2_AZURE_32",  # key vault private endpoint
    "CKV2_AZURE_33",  # storage private endpoint
    "CKV2_AZURE_49",  # ML workspace public network access
    "CKV2_AZURE_50",  # ML workspace storage not public
}
# Skipped in both variants, each with its reason in the code (cost, region support, or a checkov limitation).
ACCEPTED_EVERYWHERE = {
    "CKV_AZURE_33",  # classic queue logging: no queues used
    "CKV_AZURE_164",  # Docker Content Trust: retired by ACR
    "CKV_AZURE_165",  # ACR geo-replication: one region
    "CKV_AZURE_166",  # ACR quarantine: stalls Azure ML image builds
    "CKV_AZURE_233",  # ACR zone redundancy: not in every region
    "CKV2_AZURE_1",  # customer-managed keys
    "CKV_AZURE_110",  # key vault purge protection: a parameter checkov cannot evaluate in Bicep
    "CKV_AZURE_42",  # key vault recoverable: same parameter
}
ACCEPTED_SECURE = ACCEPTED_EVERYWHERE | {"CKV_AZURE_243"}  # Bicep: the private endpoint is in network.bicep


@cache
def scan(directory: Path, framework: str) -> dict:
    # Not --quiet: that drops passed and skipped checks from the JSON report.
    result = subprocess.run(
        [sys.executable, "-m", "checkov.main", "-d", str(directory), "--framework", framework,
         "--skip-download", "-o", "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.stdout.strip(), result.stderr[-2000:]
    report = json.loads(result.stdout)
    # One framework gives one report object; an empty scan gives a bare summary.
    return report[0] if isinstance(report, list) else report


def failed_report(report: dict) -> list[str]:
    return [f"{c['check_id']} {c['resource']} {c['file_path']}" for c in report["results"]["failed_checks"]]


def skipped(report: dict) -> dict[str, str]:
    return {c["check_id"]: c["check_result"].get("suppress_comment", "") for c in report["results"]["skipped_checks"]}


@pytest.mark.parametrize("tool", ["terraform", "bicep"])
@pytest.mark.parametrize("secure", [True, False], ids=["secure", "public"])
def test_checkov(baked, tool, secure):
    directory = baked(infrastructure=tool, secure_workspace=secure, ml_scenario="cv") / "infrastructure" / tool
    report = scan(directory, tool)
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, "checkov could not parse a file (it then skips it silently)"
    assert summary["resource_count"] >= 10 and summary["passed"] > 0
    assert failed_report(report) == []
    reasons = skipped(report)
    assert all(len(reason.strip(": ")) > 15 for reason in reasons.values()), reasons
    allowed = ACCEPTED_SECURE if secure else ACCEPTED_EVERYWHERE | PUBLIC_EXPOSURE_CHECKS
    assert set(reasons) <= allowed, set(reasons) - allowed
    if not secure:
        assert set(reasons) & PUBLIC_EXPOSURE_CHECKS, "the public variant should skip its exposure checks in-line"
        for check in set(reasons) & PUBLIC_EXPOSURE_CHECKS:
            assert "secure_workspace=false" in reasons[check], check


def test_checkov_reports_a_bicep_parse_error_as_such(tmp_path):
    # checkov exits 0 on a Bicep file it cannot parse; the summary is where the test above looks.
    broken = "resource r 'Microsoft.Storage/storageAccounts@2024-01-01' = {\n  name: 'x'\n"
    (tmp_path / "broken.bicep").write_text(broken)
    assert scan(tmp_path, "bicep")["summary"]["parsing_errors"] == 1
