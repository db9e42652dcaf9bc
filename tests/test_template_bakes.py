"""Bake every pattern and check what a user gets: the exact files, rendered, valid, and tested.

The matrix comes from cookiecutter.json (24 core patterns, then each extra option once on the
default pattern); the expected file set from the manifest; the checks from the validator registry.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from run_once import run_once
from validators import project_files, run_validators

from mlops_template import manifest, options

CORE = options.core_patterns()
# Every non-default value of an extra option beside every value of every other option (pairwise), then
# free-text answers a user would plausibly give, once each.
EXTRAS = [
    *options.pairwise_variants(),
    {"project_name": 'Ünïcödé "Quoted" Project\\1'},
    {"azure_location": "swedencentral", "alert_email": "ml.ops+alerts@contoso.co.uk"},
    {"resource_prefix": "ab", "name_suffix": "zz9"},
]
ALL_BAKES = [pytest.param(p, id=options.pattern_id(p)) for p in CORE] + [
    pytest.param(extra, id="+".join(f"{k}={v}" for k, v in extra.items()).encode("ascii", "replace").decode())
    for extra in EXTRAS
]


def test_matrix_is_the_documented_one():
    assert len(CORE) == 24
    assert {k: options.choices(k) for k in options.CORE_DIMENSIONS} == {
        "infrastructure": ["terraform", "bicep"],
        "ci_platform": ["github_actions", "azure_devops"],
        "ml_scenario": ["tabular", "cv", "nlp"],
        "deployment_mode": ["online", "batch"],
    }
    assert options.choices("secure_workspace") == [False, True]
    assert any(extra.get("secure_workspace") for extra in EXTRAS)


def test_pairwise_bakes_pair_every_extra_value_with_every_value_of_every_other_option():
    dims = {k: options.choices(k) for k in options.defaults()}
    rows = [{**options.defaults(), **extra} for extra in options.pairwise_variants()]
    for extra in options.extra_option_variants():
        ((key, value),) = extra.items()
        for other, values in dims.items():
            for other_value in values if other != key else ():
                pair = {key: value, other: other_value}
                if options.rule_violations({**options.defaults(), **pair}):
                    continue  # a pair no user can bake (the answers check refuses it)
                assert any(all(row[k] == v for k, v in pair.items()) for row in rows), pair
    assert not [row for row in rows if options.rule_violations(row)]
    # pairwise, not the product: a handful of bakes
    assert len(rows) <= 10


def test_every_option_has_a_prompt():
    prompts = options.cookiecutter_json()["__prompts__"]
    assert set(options.public_keys()) == set(prompts)


@pytest.mark.parametrize("answers", ALL_BAKES)
def test_bake_has_exactly_the_manifest_files(baked, answers):
    project = baked(**answers)
    expected = manifest.expected_files(options.TEMPLATE_ROOT, baked.context(project))
    assert set(project_files(project)) == expected


@pytest.mark.parametrize("answers", ALL_BAKES)
def test_bake_passes_every_validator(baked, answers):
    results = run_validators(baked(**answers))
    failures = {name: problems for name, problems in results.items() if problems}
    assert not failures, "\n".join(f"[{name}]\n" + "\n".join(problems) for name, problems in failures.items())
    # The registry must have had something to check: an empty run would prove nothing.
    assert {"no leftover Jinja", "YAML parses", "ruff"} <= set(results)


# Folders the baked projects' own tests never read (test_baked_tests_read_none_of_the_skipped_paths keeps
# that true): patterns that differ only there run the same tests on the same inputs, so one result serves all.
NOT_READ_BY_BAKED_TESTS = (".github/", ".azuredevops/", "infrastructure/", "ci/", "docs/", "README.md")


def _inputs_key(project, pytest_args) -> str:
    digest = hashlib.sha256(repr(pytest_args).encode())
    for relative in project_files(project):
        if not relative.startswith(NOT_READ_BY_BAKED_TESTS):
            digest.update(relative.encode() + b"\0" + (project / relative).read_bytes() + b"\0")
    return digest.hexdigest()


def _baked_test_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    env["DO_NOT_TRACK"] = "1"
    # Two workers each running a baked suite on two cores: one math thread each, not two apiece fighting.
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    return env


def _run_baked_tests(project, *pytest_args):
    def run() -> dict:
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *pytest_args]
        result = subprocess.run(
            cmd, cwd=project, capture_output=True, text=True, env=_baked_test_env(), timeout=1200, check=False
        )
        return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}

    # Patterns whose baked tests read the same inputs run them once per run, on whichever worker comes first.
    result = run_once(f"baked-tests-{_inputs_key(project, pytest_args)}", run)
    assert result["returncode"] == 0, result["stdout"][-6000:] + result["stderr"][-3000:]
    assert " passed" in result["stdout"]


def test_baked_tests_read_none_of_the_skipped_paths(baked):
    project = baked()
    for path in (project / "tests").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for skipped in NOT_READ_BY_BAKED_TESTS[:-1]:
            assert skipped not in text, f"{path.name} mentions {skipped}: remove it from NOT_READ_BY_BAKED_TESTS"


@pytest.mark.slow
@pytest.mark.parametrize("answers", ALL_BAKES)
def test_baked_project_fast_tests_pass(baked, answers):
    """Every pattern's own unit tests, inside the baked repository."""
    _run_baked_tests(baked(**answers), "-m", "not slow")


SCENARIO_MODES = [
    pytest.param({"ml_scenario": s, "deployment_mode": m}, id=f"{s}-{m}")
    for s in options.choices("ml_scenario")
    for m in options.choices("deployment_mode")
]


@pytest.mark.slow
@pytest.mark.parametrize("answers", SCENARIO_MODES)
def test_baked_project_full_suite_passes(baked, answers):
    """The whole suite, slow tests (the local loop) included; they depend only on scenario and mode."""
    _run_baked_tests(baked(**answers))
