"""observability_store=adx: Azure Data Explorer fed from the data collector's blobs, in Terraform and Bicep.

Three bakes cover both IaC tools, both CI platforms, the public and the secure variant and two scenarios
(pairwise, not a product); the default bake (none) must carry no trace of the option. KQL cannot run here: the
KQL files are parsed by Kusto.Language (npm @kusto/language-service-next, Microsoft's own parser compiled to
JavaScript), and the generated test holds the tables and the mapping to what the scoring code collects.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from contracts.bicep_resources import check_bicep
from tools.iac_model import BicepResource, dig, parse_bicep, single, tf_resources, tf_schema_errors, unwrap

from mlops_template import naming

SECURE_TF = {"infrastructure": "terraform", "ci_platform": "github_actions", "secure_workspace": True}
SECURE_BICEP = {"infrastructure": "bicep", "ci_platform": "azure_devops", "secure_workspace": True}
PUBLIC_TF_NLP = {"infrastructure": "terraform", "ci_platform": "azure_devops", "ml_scenario": "nlp"}
ADX = {"observability_store": "adx"}

# azurerm resource type -> the ARM type Bicep declares for it (the option's resources only).
TF_TO_ARM = {
    "azurerm_kusto_cluster": "Microsoft.Kusto/clusters",
    "azurerm_kusto_database": "Microsoft.Kusto/clusters/databases",
    "azurerm_kusto_script": "Microsoft.Kusto/clusters/databases/scripts",
    "azurerm_kusto_eventgrid_data_connection": "Microsoft.Kusto/clusters/databases/dataConnections",
    "azurerm_kusto_cluster_managed_private_endpoint": "Microsoft.Kusto/clusters/managedPrivateEndpoints",
    "azurerm_eventhub_namespace": "Microsoft.EventHub/namespaces",
    "azurerm_eventhub": "Microsoft.EventHub/namespaces/eventhubs",
    "azurerm_eventhub_consumer_group": "Microsoft.EventHub/namespaces/eventhubs/consumergroups",
    "azurerm_eventgrid_system_topic": "Microsoft.EventGrid/systemTopics",
    "azurerm_eventgrid_system_topic_event_subscription": "Microsoft.EventGrid/systemTopics/eventSubscriptions",
}
# Bicep declares the Event Hubs firewall as a child resource; Terraform as the namespace's network_rulesets block.
ARM_ONLY = {"Microsoft.EventHub/namespaces/networkRuleSets"}
# Built-in roles (Microsoft Learn, "Azure built-in roles"): name -> id.
ROLES = {
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Azure Event Hubs Data Receiver": "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    "Azure Event Hubs Data Sender": "2b629674-e913-4c01-ae53-ef4638d8f975",
}
# A database script may only run these (Microsoft Learn, "Configure a database using a Kusto Query Language script").
SCRIPT_VERBS = (".create ", ".create-or-alter ", ".create-merge ", ".alter ", ".alter-merge ", ".add ")
KUSTO_LANGUAGE = "@kusto/language-service-next@12.4.1"


def project(baked, **answers) -> Path:
    return baked(**ADX, **answers)


def adx_kinds_terraform(directory: Path) -> set[str]:
    return {TF_TO_ARM[r.type] for r in tf_resources(directory) if r.type in TF_TO_ARM}


@cache
def module_resources(directory: Path) -> list[BicepResource]:
    """The resources of modules/observability_adx.bicep (parsing only that file keeps the test fast)."""
    module = directory / "modules" / "observability_adx.bicep"
    return [
        BicepResource(
            module.name, symbol, spec["type"], spec["api_version"], bool(spec.get("existing")), unwrap(spec["config"])
        )
        for symbol, spec in parse_bicep(module).get("resources", {}).items()
    ]


def adx_kinds_bicep(directory: Path) -> set[str]:
    return {r.type for r in module_resources(directory) if not r.existing} - {"Microsoft.Authorization/roleAssignments"}


def commands(path: Path) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if block.strip()]


def test_adx_arguments_and_properties_exist_in_the_provider_schemas(baked, tmp_path):
    # tests/data/azurerm_schema.json (azurerm 4.73) and bicep_types.json (Azure/bicep-types-az) list them.
    for answers in (SECURE_TF, PUBLIC_TF_NLP):
        directory = project(baked, **answers) / "infrastructure" / "terraform"
        assert {r.type for r in tf_resources(directory)} >= set(TF_TO_ARM) - {
            "azurerm_kusto_cluster_managed_private_endpoint"
        }
        assert tf_schema_errors(directory) == []
    # The whole Bicep of every pairwise bake goes through the same contract (tests/test_contracts.py); the module
    # alone here, in the secure variant (managed private endpoints, the Event Hubs firewall).
    root = project(baked, **SECURE_BICEP)
    files = ["infrastructure/bicep/modules/observability_adx.bicep"]
    assert check_bicep(root, files) == []
    # A misspelled property is caught in either language.
    planted = shutil.copytree(root, tmp_path / "bicep")
    module = planted / "infrastructure/bicep/modules/observability_adx.bicep"
    module.write_text(module.read_text(encoding="utf-8").replace("enableAutoStop:", "enableAutoStopping:"))
    assert any("enableAutoStopping" in problem for problem in check_bicep(planted, files))
    terraform = shutil.copytree(project(baked, **SECURE_TF) / "infrastructure" / "terraform", tmp_path / "tf")
    adx_tf = terraform / "observability_adx.tf"
    adx_tf.write_text(adx_tf.read_text(encoding="utf-8").replace("auto_stop_enabled ", "autostop_enabled "))
    assert any("autostop_enabled" in problem for problem in tf_schema_errors(terraform))


def test_terraform_and_bicep_declare_the_same_adx_resources(baked):
    terraform = project(baked, **SECURE_TF) / "infrastructure" / "terraform"
    bicep = project(baked, **{**SECURE_TF, **SECURE_BICEP}) / "infrastructure" / "bicep"
    assert adx_kinds_terraform(terraform) == adx_kinds_bicep(bicep) - ARM_ONLY
    assert "Microsoft.Kusto/clusters/databases/dataConnections" in adx_kinds_terraform(terraform)


def test_the_cluster_identity_gets_only_the_two_reader_roles(baked):
    terraform = project(baked, **SECURE_TF) / "infrastructure" / "terraform"
    cluster_roles = {
        single(r.body["role_definition_name"])
        for r in tf_resources(terraform)
        if r.type == "azurerm_role_assignment" and "azurerm_kusto_cluster.main" in single(r.body["principal_id"])
    }
    assert cluster_roles == {"Storage Blob Data Reader", "Azure Event Hubs Data Receiver"}
    module = project(baked, **SECURE_BICEP) / "infrastructure" / "bicep" / "modules" / "observability_adx.bicep"
    text = module.read_text(encoding="utf-8")
    ids = dict(re.findall(r"^\s+(\w+): '([0-9a-f-]{36})'$", text, re.M))
    granted = re.findall(
        r"principalId: cluster\.identity\.principalId\n.*\n\s+roleDefinitionId: .*roles\.(\w+)\)", text
    )
    assert sorted(ids[g] for g in granted) == sorted(
        [ROLES["Storage Blob Data Reader"], ROLES["Azure Event Hubs Data Receiver"]]
    )
    # No keys anywhere: Event Hubs takes Entra ID only, the data connection authenticates as the cluster.
    assert "disableLocalAuth: true" in text and "managedIdentityResourceId: cluster.id" in text


def hub_zones(root: Path) -> set[str]:
    tree = ast.parse((root / "ci" / "bootstrap.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PRIVATE_DNS_ZONES":
            return set(ast.literal_eval(node.value))
    raise AssertionError("ci/bootstrap.py defines no PRIVATE_DNS_ZONES")


@pytest.mark.parametrize("answers", [SECURE_TF, SECURE_BICEP], ids=["terraform", "bicep"])
def test_secure_variant_keeps_adx_private_in_the_hub_zones(baked, answers):
    root = project(baked, **answers)
    location = "westeurope"
    kusto_zone = f"privatelink.{location}.kusto.windows.net"
    # The environments' endpoints register only in zones the bootstrap created in the hub (tests/contracts/
    # private_dns.py); ADX needs its regional zone plus blob, queue and table (Microsoft Learn, "Azure Private
    # Endpoint private DNS zone values", Azure Data Explorer).
    zones = hub_zones(root)
    assert {kusto_zone, "privatelink.queue.core.windows.net", "privatelink.table.core.windows.net"} <= zones
    if answers["infrastructure"] == "terraform":
        directory = root / "infrastructure" / "terraform"
        cluster = next(r for r in tf_resources(directory) if r.type == "azurerm_kusto_cluster")
        namespace = next(r for r in tf_resources(directory) if r.type == "azurerm_eventhub_namespace")
        assert single(cluster.body["public_network_access_enabled"]) is False
        assert single(namespace.body["public_network_access_enabled"]) is False
        network = (directory / "network.tf").read_text(encoding="utf-8").replace("${var.location}", location)
    else:
        directory = root / "infrastructure" / "bicep"
        cluster = next(r for r in module_resources(directory) if r.type == "Microsoft.Kusto/clusters")
        namespace = next(r for r in module_resources(directory) if r.type == "Microsoft.EventHub/namespaces")
        assert dig(cluster.body, "properties", "publicNetworkAccess") == "Disabled"
        assert dig(namespace.body, "properties", "publicNetworkAccess") == "Disabled"
        network = (directory / "modules" / "network.bicep").read_text(encoding="utf-8").replace("${location}", location)
    assert re.search(r"subresource\s*[:=]\s*[\"']cluster[\"']", network)
    used = set(re.findall(r"privatelink\.[\w.-]+", network))
    assert kusto_zone in used and used <= zones, used - zones
    managed = (
        [r for r in tf_resources(directory) if r.type == "azurerm_kusto_cluster_managed_private_endpoint"]
        if (answers["infrastructure"] == "terraform")
        else [r for r in module_resources(directory) if r.type == "Microsoft.Kusto/clusters/managedPrivateEndpoints"]
    )
    assert len(managed) == 2  # the cluster reaches the private storage and Event Hubs through these


def test_public_variant_skips_only_what_it_must(baked):
    directory = project(baked, **PUBLIC_TF_NLP) / "infrastructure" / "terraform"
    cluster = next(r for r in tf_resources(directory) if r.type == "azurerm_kusto_cluster")
    assert single(cluster.body["public_network_access_enabled"]) is True
    assert single(single(cluster.body["sku"])["name"]) == "${var.adx_sku}"
    assert not any(r.type == "azurerm_kusto_cluster_managed_private_endpoint" for r in tf_resources(directory))


def test_database_scripts_run_only_allowed_commands_and_every_kql_file(baked):
    root = project(baked, **PUBLIC_TF_NLP)
    for name in ("tables.kql", "drift.kql"):
        for command in commands(root / "kql" / name):
            assert command.startswith(SCRIPT_VERBS), command[:60]
            assert not re.search(r"^\s*//", command, re.M), "a comment in a database script: keep them in kql/README"
    terraform = (root / "infrastructure" / "terraform" / "observability_adx.tf").read_text(encoding="utf-8")
    bicep = (project(baked, **SECURE_BICEP) / "infrastructure/bicep/modules/observability_adx.bicep").read_text()
    for name in ("tables.kql", "drift.kql"):
        assert f'file("${{path.module}}/../../kql/{name}")' in terraform
        assert f"loadTextContent('../../../kql/{name}')" in bicep


def test_generated_schema_test_passes_in_the_bakes(baked):
    # The generated test compares kql/ with what scoring.collected() and predict() return (run, not read).
    # Once here (tabular); every pairwise bake with the option runs it among its own fast tests too.
    for answers in (SECURE_TF,):
        root = project(baked, **answers)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/test_observability_adx.py", "-q", "-p", "no:cacheprovider"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture(scope="session")
def kusto_language() -> Path:
    """Kusto.Language for JavaScript, installed once per machine from the npm registry (pinned)."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed to parse KQL with Kusto.Language")
    cache = Path(os.environ.get("KUSTO_LANGUAGE_DIR", Path.home() / ".cache" / "mlops-template" / "kusto-language"))
    package = cache / "node_modules" / "@kusto" / "language-service-next"
    if not (package / "Kusto.Language.Bridge.min.js").exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(cache), "--no-save", KUSTO_LANGUAGE], check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    return package


ANALYZE = Path(__file__).with_name("tools") / "kql_analyze.js"


def kql_problems(package: Path, files: list[Path]) -> list[str]:
    result = subprocess.run(["node", str(ANALYZE), str(package), *map(str, files)],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_kql_parses_and_analyzes_with_kusto_language(baked, kusto_language, tmp_path):
    roots = [project(baked, **answers) for answers in (SECURE_TF, PUBLIC_TF_NLP)]
    # Defects Kusto.Language must find: an unknown column in a drift function, a call of an unknown function,
    # an update policy whose query returns another type than the table's column, and a syntax error.
    planted = shutil.copytree(roots[0] / "kql", tmp_path / "kql")
    drift, tables = planted / "drift.kql", planted / "tables.kql"
    drift.write_text(drift.read_text().replace("todouble(annual_income)", "todouble(annual_incomes)")
                     .replace("BinnedValues(reference, cuts)", "BinnedValue(reference, cuts)"))  # fmt: skip
    tables.write_text(tables.read_text().replace('age = tolong(row["age"])', 'age = todouble(row["age"])'))
    broken = tmp_path / "broken.kql"
    broken.write_text(".create-merge table T (a: long\n")
    first, second = ([root / "kql" / "tables.kql", root / "kql" / "drift.kql"] for root in roots)
    # One node process (loading the parser takes seconds); `--` starts another database.
    problems = kql_problems(kusto_language, [*first, "--", *second, "--", tables, drift, broken])
    assert [p for p in problems if not p.startswith(str(tmp_path))] == []
    found = "\n".join(problems)
    for expected in ("'annual_incomes' does not refer", "'BinnedValue' does not refer", "age:real", "Expected: ')'"):
        assert expected in found, (expected, found)


def test_cluster_name_follows_the_adx_rule():
    rule = naming.RULES["adx_cluster"]
    longest = naming.names_for("abcdefgh", "abcde", "prod")["adx_cluster"]
    assert re.fullmatch(rule.pattern, longest) and rule.min_length <= len(longest) <= rule.max_length
    for bad in ("adx-dev", "1adxdev", "adx", "a" * 23, "AdxDev"):
        assert not (re.fullmatch(rule.pattern, bad) and rule.min_length <= len(bad) <= rule.max_length), bad


def test_none_leaves_no_trace(baked):
    root = baked()  # observability_store defaults to none
    assert not (root / "kql").exists()
    assert not (root / "docs" / "observability-adx.md").exists()
    for path in [
        *root.joinpath("infrastructure").rglob("*.*"),
        *root.joinpath("docs").rglob("*.md"),
        root / "ci" / "bootstrap.py",
        root / "README.md",
    ]:
        text = path.read_text(encoding="utf-8").lower()
        assert "kusto" not in text and "eventhub" not in text and "data explorer" not in text, path
