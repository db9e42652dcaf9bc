"""Every az/gh call the bootstrap makes (create, second run, destroy) exists in the real CLIs' command tables.

The bootstrap runs against recording stand-ins (tests/bootstrap_standins.py); each recorded argv is checked
with the CLI contract (tests/contracts/cli_calls.py: azure-cli 2.91 in-process, the ml and azure-devops
extensions from their sources, gh from cli/cli). Pairwise over the choices that change the calls: CI
platform, infrastructure (Terraform state storage) and private networking (the hub network).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from bootstrap_standins import Sandbox, platform_args
from contracts.cli_calls import check_argv

PATTERNS = [
    {"ci_platform": "github_actions", "infrastructure": "terraform", "secure_workspace": False},
    {"ci_platform": "github_actions", "infrastructure": "bicep", "secure_workspace": True},
    {"ci_platform": "azure_devops", "infrastructure": "terraform", "secure_workspace": True},
    {"ci_platform": "azure_devops", "infrastructure": "bicep", "secure_workspace": False},
]


@pytest.mark.parametrize("answers", PATTERNS, ids=lambda a: "-".join(str(v) for v in a.values()))
def test_every_bootstrap_call_is_a_real_command_with_real_options(baked, answers):
    project = baked(**answers)
    with tempfile.TemporaryDirectory() as work:
        sandbox = Sandbox(project, Path(work))
        for args in (("--environment", "dev"), ("--environment", "prod"), ("--environment", "dev")):
            result, _ = sandbox.run(*args, *platform_args(answers))
            assert result.returncode == 0, result.stdout + result.stderr
        for env in ("prod", "dev"):
            result, _ = sandbox.run("--environment", env, "--destroy", *platform_args(answers))
            assert result.returncode == 0, result.stdout + result.stderr
        calls = sandbox.calls()
    assert len(calls) > 20, "the bootstrap made almost no calls: the check would prove nothing"
    tools = {"az", "gh"} if answers["ci_platform"] == "github_actions" else {"az"}
    assert {call[0] for call in calls} == tools
    problems = {" ".join(call): found for call in calls if (found := check_argv(call))}
    assert not problems, "\n".join(f"{call}\n  {found}" for call, found in problems.items())


def test_a_recorded_call_with_a_wrong_option_is_caught(baked):
    # The same recorded calls, one option misspelt: the check reads them, it does not wave them through.
    project = baked()
    with tempfile.TemporaryDirectory() as work:
        sandbox = Sandbox(project, Path(work))
        result, calls = sandbox.run("--environment", "dev")
        assert result.returncode == 0, result.stdout + result.stderr
    (credential, *_) = [c for c in calls if c[1:5] == ["identity", "federated-credential", "create", "--name"]]
    assert check_argv(credential) == []
    assert check_argv([*credential, "--audience-uri", "x"])
    assert check_argv([option.replace("--issuer", "--isuer") for option in credential])
