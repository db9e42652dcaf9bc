"""Terraform of the generated project: formatting, provider schema, variables, names, environments, backend."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from tools.iac_model import (
    META_ARGUMENTS,
    azurerm_schema,
    parse_hcl,
    schema_errors,
    single,
    tf_blocks,
    tf_locals,
    tf_resources,
    tf_schema_errors,
)

ENVIRONMENTS = ("dev", "prod")
# Every pattern that changes the Terraform: private networking on/off, GPU cluster or not.
PATTERNS = [
    pytest.param({"secure_workspace": secure, "ml_scenario": scenario}, id=f"secure={secure}-{scenario}")
    for secure in (False, True)
    for scenario in ("tabular", "cv")
]


@pytest.fixture(params=PATTERNS)
def terraform_dir(request, baked) -> Path:
    return baked(infrastructure="terraform", **request.param) / "infrastructure" / "terraform"


def test_only_the_chosen_tool_is_generated(terraform_dir):
    assert not (terraform_dir.parent / "bicep").exists()


def test_terraform_fmt_is_clean(terraform_dir):
    terraform = shutil.which("terraform") or "/usr/local/bin/terraform"
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff"], cwd=terraform_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_file_parses(terraform_dir):
    files = [*terraform_dir.glob("*.tf"), *terraform_dir.glob("environments/*.tfvars")]
    files += list(terraform_dir.glob("backend/*.tfbackend"))
    assert len(files) > 8
    for path in files:
        parse_hcl(path)  # raises on a syntax error


def test_azurerm_resources_match_the_provider_schema(terraform_dir):
    assert tf_schema_errors(terraform_dir) == []


def test_only_azapi_is_used_besides_azurerm(terraform_dir):
    # The ML registry and the workspace's systemDatastoresAuthMode have no azurerm resource or argument; they
    # are checked by the contract in tests/contracts/terraform_data_and_azapi.py. Anything else escapes.
    others = {r.type for r in tf_resources(terraform_dir) if not r.type.startswith("azurerm_")}
    assert others == {"azapi_resource", "azapi_update_resource"}


def test_schema_check_rejects_made_up_and_missing_arguments():
    schema = azurerm_schema()["resources"]["azurerm_key_vault"]
    body = {
        "name": ["kv"],
        "location": ["westeurope"],
        "resource_group_name": ["rg"],
        "sku_name": ["standard"],
        "tenant_id": ["t"],
        "count": [1],
    }
    assert schema_errors("kv", body, schema, META_ARGUMENTS) == []
    errors = schema_errors("kv", {**body, "public_access_mode": ["off"]}, schema, META_ARGUMENTS)
    assert errors == ["kv: unknown argument or block 'public_access_mode'"]
    missing = {k: v for k, v in body.items() if k != "tenant_id"}
    assert schema_errors("kv", missing, schema, META_ARGUMENTS) == ["kv: required 'tenant_id' is missing"]
    nested = {**body, "network_acls": [{"bypass": ["AzureServices"], "default_action": ["Deny"], "mode": ["x"]}]}
    expected = ["kv.network_acls[0]: unknown argument or block 'mode'"]
    assert schema_errors("kv", nested, schema, META_ARGUMENTS) == expected


def test_schema_file_is_small_and_covers_azurerm_4():
    schema = azurerm_schema()
    assert schema["provider_version"].startswith("4.")
    assert Path(__file__).with_name("data").joinpath("azurerm_schema.json").stat().st_size < 200_000


def test_provider_uses_oidc_and_azurerm_4(terraform_dir):
    providers = tf_blocks(terraform_dir, "provider")
    assert single(providers["azurerm"]["use_oidc"]) is True
    assert single(providers["azapi"]["use_oidc"]) is True
    # CI holds no subscription-scope right, so azurerm must not register resource providers (the bootstrap does).
    assert single(providers["azurerm"]["resource_provider_registrations"]) == "none"
    terraform = single(parse_hcl(terraform_dir / "versions.tf")["terraform"])
    required = single(terraform["required_providers"])
    assert single(required["azurerm"])["version"].startswith("~> 4.")
    assert "azurerm" in single(terraform["backend"])


def test_identifying_variables_are_validated(terraform_dir):
    variables = tf_blocks(terraform_dir, "variable")
    for name in ("resource_prefix", "environment", "name_suffix", "location", "ci_principal_id"):
        assert "validation" in variables[name], name
    for name, spec in variables.items():
        assert "description" in spec and "type" in spec, name


def tfvars(terraform_dir: Path, env: str) -> dict:
    return {k: single(v) for k, v in parse_hcl(terraform_dir / "environments" / f"{env}.tfvars").items()}


def test_tfvars_set_only_declared_variables_and_every_required_one(terraform_dir):
    variables = tf_blocks(terraform_dir, "variable")
    required = {name for name, spec in variables.items() if "default" not in spec}
    for env in ENVIRONMENTS:
        values = tfvars(terraform_dir, env)
        assert set(values) <= set(variables), env
        assert required <= set(values), env
        assert values["environment"] == env


def test_tfvars_values_pass_the_variable_validations(terraform_dir):
    # The regexes of validation blocks, applied the way Terraform would, to the rendered values.
    variables = tf_blocks(terraform_dir, "variable")
    for env in ENVIRONMENTS:
        values = tfvars(terraform_dir, env)
        for name in ("resource_prefix", "name_suffix", "location"):
            condition = single(single(variables[name]["validation"])["condition"])
            pattern = re.search(r'regex\("(.+?)",', condition).group(1).replace("\\\\", "\\")
            assert re.fullmatch(pattern, values[name]), (env, name, values[name])


def evaluate(template: str, values: dict) -> str:
    return re.sub(r"\$\{var\.(\w+)\}", lambda m: str(values[m.group(1)]), template)


def test_names_are_derived_and_match_the_environment_config(terraform_dir):
    names = single(tf_locals(terraform_dir)["names"])
    project = terraform_dir.parents[1]
    keys = ("resource_group", "workspace", "storage_account", "key_vault", "container_registry", "ml_registry",
            "log_analytics", "application_insights")  # fmt: skip
    for env in ENVIRONMENTS:
        config = yaml.safe_load((project / "config" / f"{env}.yml").read_text(encoding="utf-8"))["azure"]
        values = tfvars(terraform_dir, env)
        for key in keys:
            assert evaluate(names[key], values) == config[key], (env, key)
        assert values["location"] == config["location"]


def test_no_resource_name_is_written_literally(terraform_dir):
    # Names come from local.names; the prefix and suffix appear only in the per-environment files.
    values = tfvars(terraform_dir, "dev")
    for path in terraform_dir.glob("*.tf"):
        text = path.read_text(encoding="utf-8")
        assert values["resource_prefix"] not in text, path.name
        assert values["name_suffix"] not in text, path.name
    named = {"azurerm_resource_group", "azurerm_storage_account", "azurerm_key_vault", "azurerm_container_registry",
             "azurerm_machine_learning_workspace", "azurerm_log_analytics_workspace", "azurerm_application_insights",
             "azapi_resource", "azurerm_virtual_network"}  # fmt: skip
    for resource in tf_resources(terraform_dir):
        if resource.type in named:
            assert "local.names." in single(resource.body["name"]), resource


def test_backend_config_per_environment(terraform_dir):
    seen = set()
    for env in ENVIRONMENTS:
        backend = {k: single(v) for k, v in parse_hcl(terraform_dir / "backend" / f"{env}.azurerm.tfbackend").items()}
        assert {"resource_group_name", "storage_account_name", "container_name", "key"} <= set(backend)
        assert env in backend["key"] and env in backend["storage_account_name"]
        assert re.fullmatch(r"[a-z0-9]{3,24}", backend["storage_account_name"])
        assert backend["use_azuread_auth"] is True
        seen.add(backend["storage_account_name"])
    assert len(seen) == len(ENVIRONMENTS)


def test_resource_group_is_read_not_created(terraform_dir):
    # CI holds Contributor on its own resource group only (ci/bootstrap.py creates it): Terraform reads the group.
    assert not [r for r in tf_resources(terraform_dir) if r.type == "azurerm_resource_group"]
    main = parse_hcl(terraform_dir / "main.tf")
    assert any("azurerm_resource_group" in block for block in main.get("data", []))
    assert not (terraform_dir / "bootstrap_state.sh").exists()


def test_gpu_cluster_only_for_deep_learning_scenarios(baked):
    for scenario, expected in (("tabular", False), ("nlp", True)):
        directory = baked(infrastructure="terraform", ml_scenario=scenario) / "infrastructure" / "terraform"
        clusters = {r.name for r in tf_resources(directory) if r.type == "azurerm_machine_learning_compute_cluster"}
        assert ("gpu" in clusters) is expected
        for resource in tf_resources(directory):
            if resource.type == "azurerm_machine_learning_compute_cluster":
                assert single(single(resource.body["scale_settings"])["min_node_count"]) == 0


def test_cpu_cluster_matches_the_environment_config(terraform_dir):
    variables = tf_blocks(terraform_dir, "variable")
    for env in ENVIRONMENTS:
        config = yaml.safe_load((terraform_dir.parents[1] / "config" / f"{env}.yml").read_text(encoding="utf-8"))
        cluster = config["compute"]["cpu_cluster"]
        assert tfvars(terraform_dir, env)["cpu_cluster_max_nodes"] == cluster["max_instances"], env
        assert single(variables["cpu_cluster_vm_size"]["default"]) == cluster["size"]
    names = {single(r.body["name"]) for r in tf_resources(terraform_dir) if r.type.endswith("compute_cluster")}
    assert cluster["name"] in names
