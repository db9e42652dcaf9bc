"""Bicep of the generated project: it parses, modules and parameters fit together, names, API versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from lark.exceptions import LarkError
from tools.iac_model import bicep_resources, parse_bicep, unwrap

ENVIRONMENTS = ("dev", "prod")
PATTERNS = [
    pytest.param({"secure_workspace": secure, "ml_scenario": scenario}, id=f"secure={secure}-{scenario}")
    for secure in (False, True)
    for scenario in ("tabular", "cv")
]
# Types whose newest stable API version is older than OLDEST_API; every other type must be newer.
OLDEST_API = "2023-07-01"
OLD_BUT_CURRENT = {
    "Microsoft.Insights/components": "2020-02-02",
    "Microsoft.Authorization/roleAssignments": "2022-04-01",
    # Azure/bicep-types-az generated/monitor_1/microsoft.insights: 2023-01-01 is the newest stable version
    # (later ones, 2023-09-01 and 2024-10-01, are previews).
    "Microsoft.Insights/actionGroups": "2023-01-01",
}


@pytest.fixture(params=PATTERNS)
def bicep_dir(request, baked) -> Path:
    return baked(infrastructure="bicep", **request.param) / "infrastructure" / "bicep"


def test_only_the_chosen_tool_is_generated(bicep_dir):
    assert not (bicep_dir.parent / "terraform").exists()


def test_every_bicep_file_parses(bicep_dir):
    files = sorted(bicep_dir.rglob("*.bicep"))
    assert len(files) >= 7
    for path in files:
        assert parse_bicep(path).get("resources") or parse_bicep(path).get("modules"), path


def test_main_is_resource_group_scope_and_creates_no_resource_group(bicep_dir):
    # CI holds Contributor on its own resource group only (ci/bootstrap.py creates the group), so the template
    # must deploy into that group (`az deployment group create`), not create it at subscription scope.
    main = parse_bicep(bicep_dir / "main.bicep")
    assert main["globals"]["scope"]["value"] == "resourceGroup"
    assert not main.get("resources")
    assert len(main["modules"]) >= 5
    assert "scope: rg" not in (bicep_dir / "main.bicep").read_text(encoding="utf-8")


def test_modules_exist_and_get_declared_and_required_params(bicep_dir):
    main = parse_bicep(bicep_dir / "main.bicep")
    for symbol, module in main["modules"].items():
        path = bicep_dir / module["detail"]["path"]
        assert path.is_file(), symbol
        declared = parse_bicep(path)["parameters"]
        given = set(unwrap(module["config"])["params"])
        assert given <= set(declared), (symbol, given - set(declared))
        required = {name for name, spec in declared.items() if spec.get("default") is None}
        assert required <= given, (symbol, required - given)


def bicepparam(bicep_dir: Path, env: str) -> dict[str, str]:
    """`param name = value` lines of a .bicepparam (no tool here parses the format; keep the files simple)."""
    text = (bicep_dir / "environments" / f"{env}.bicepparam").read_text(encoding="utf-8")
    assert re.search(r"^using '\.\./main\.bicep'$", text, re.MULTILINE)
    values = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith(("//", "using ")):
            match = re.fullmatch(r"param (\w+) = (.+)", line)
            assert match, f"unexpected line in {env}.bicepparam: {line!r}"
            raw = match.group(2)
            values[match.group(1)] = raw[1:-1] if raw.startswith("'") else raw
    return values


def test_bicepparam_sets_declared_params_and_every_required_one(bicep_dir):
    declared = parse_bicep(bicep_dir / "main.bicep")["parameters"]
    required = {name for name, spec in declared.items() if spec.get("default") is None}
    for env in ENVIRONMENTS:
        values = bicepparam(bicep_dir, env)
        assert set(values) <= set(declared), (env, set(values) - set(declared))
        assert required <= set(values), (env, required - set(values))
        assert values["environmentName"] == env


def test_bicepparam_values_respect_the_param_decorators(bicep_dir):
    declared = parse_bicep(bicep_dir / "main.bicep")["parameters"]
    for env in ENVIRONMENTS:
        for name, value in bicepparam(bicep_dir, env).items():
            for decorator in declared[name]["decorators"]:
                if decorator["type"] == "min_length":
                    assert len(value) >= decorator["argument"], (env, name)
                elif decorator["type"] == "max_length":
                    assert len(value) <= decorator["argument"], (env, name)
                elif decorator["type"] == "allowed":
                    assert value in decorator["argument"], (env, name)


def test_names_are_derived_and_match_the_environment_config(bicep_dir):
    names = parse_bicep(bicep_dir / "main.bicep")["variables"]["names"]["value"]
    keys = {"resource_group": "resourceGroup", "workspace": "workspace", "storage_account": "storageAccount",
            "key_vault": "keyVault", "container_registry": "containerRegistry", "ml_registry": "mlRegistry",
            "log_analytics": "logAnalytics", "application_insights": "applicationInsights"}  # fmt: skip
    project = bicep_dir.parents[1]
    for env in ENVIRONMENTS:
        config = yaml.safe_load((project / "config" / f"{env}.yml").read_text(encoding="utf-8"))["azure"]
        values = bicepparam(bicep_dir, env)
        for key, symbol in keys.items():
            rendered = re.sub(r"\$\{(\w+)\}", lambda m, v=values: v[m.group(1)], names[symbol])
            assert rendered == config[key], (env, key)
        assert values["location"] == config["location"]


def test_no_resource_name_is_written_literally(bicep_dir):
    values = bicepparam(bicep_dir, "dev")
    for path in bicep_dir.rglob("*.bicep"):
        text = path.read_text(encoding="utf-8")
        assert values["resourcePrefix"] not in text and values["nameSuffix"] not in text, path


def test_api_versions_are_current(bicep_dir):
    for resource in bicep_resources(bicep_dir):
        floor = OLD_BUT_CURRENT.get(resource.type, OLDEST_API)
        assert resource.api_version >= floor, (resource.file, resource.type, resource.api_version)
        assert "preview" not in resource.api_version, resource


def test_parser_rejects_broken_bicep(tmp_path):
    # The parse test above must be able to fail: pycep raises on what it cannot read.
    broken = tmp_path / "broken.bicep"
    broken.write_text("param x string\nresource r 'Microsoft.Storage/storageAccounts@2024-01-01' = {\n  name: x\n")
    with pytest.raises(LarkError):
        parse_bicep(broken)


def test_cpu_cluster_matches_the_environment_config(bicep_dir):
    declared = parse_bicep(bicep_dir / "main.bicep")["parameters"]
    for env in ENVIRONMENTS:
        config = yaml.safe_load((bicep_dir.parents[1] / "config" / f"{env}.yml").read_text(encoding="utf-8"))
        cluster = config["compute"]["cpu_cluster"]
        assert int(bicepparam(bicep_dir, env)["cpuClusterMaxNodes"]) == cluster["max_instances"], env
        assert declared["cpuClusterVmSize"]["default"] == cluster["size"]
