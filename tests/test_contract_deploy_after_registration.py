"""Issue 12 defect 11 planted back: a deploy after training without the `registered` condition is caught."""

from __future__ import annotations

import re
import shutil

import pytest
from contracts import CONTRACTS
from validators import run_validators

(CONTRACT,) = [c for c in CONTRACTS if c.name == "deployments follow a registration"]


@pytest.mark.parametrize(
    ("platform", "path", "condition"),
    [
        (
            "github_actions",
            ".github/workflows/ml.yml",
            r"    if: \$\{\{ needs\.train\.outputs\.registered == 'true' \}\}\n",
        ),
        (
            "azure_devops",
            ".azuredevops/pipelines/ml.yml",
            r"    condition: and\(succeeded\(\), eq\(dependencies[^\n]*\n",
        ),
    ],
)
def test_deploying_whatever_training_left_is_caught(baked, tmp_path, platform, path, condition):
    root = tmp_path / "project"
    shutil.copytree(baked(ci_platform=platform), root)
    assert run_validators(root, (CONTRACT,))[CONTRACT.name] == []
    pipeline = root / path
    old, count = re.subn(condition, "", pipeline.read_text(encoding="utf-8"))
    assert count == 1
    pipeline.write_text(old, encoding="utf-8")
    (problem,) = run_validators(root, (CONTRACT,))[CONTRACT.name]
    assert path in problem and "registered" in problem
