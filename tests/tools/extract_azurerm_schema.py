"""Extract the argument schema of the azurerm resources our Terraform uses, from the provider's jsii assembly.

`terraform validate` needs the azurerm provider binary, which cannot be downloaded here. The CDK for Terraform
bindings (npm `@cdktn/provider-azurerm` or `@cdktf/provider-azurerm`) are generated from the provider's own
schema and ship it in machine-readable form in their `.jsii` file. This script keeps only what the template
needs (a few resource types) so the committed JSON stays small.

Refresh after upgrading the provider or using a new resource type:

    mkdir -p /tmp/azschema && cd /tmp/azschema
    npm pack @cdktn/provider-azurerm && tar xzf cdktn-provider-azurerm-*.tgz   # no install: only the .jsii is read
    python tests/tools/extract_azurerm_schema.py /tmp/azschema/package/.jsii tests/data/azurerm_schema.json

Output: {"provider_version": ..., "resources": {type: {"arguments": {name: {"required": bool}},
"blocks": {name: {"required": bool, "arguments": ..., "blocks": ...}}}}, "data_sources": {type: same shape},
"provider": {...}}; each resource and data source also lists "attributes", the names a reference
`<type>.<name>.<attribute>` may read (the class's getters: arguments and computed values).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# The resource types the templates use; the template tests fail when a .tf uses a type missing here.
RESOURCE_TYPES = (
    "azurerm_resource_group",
    "azurerm_log_analytics_workspace",
    "azurerm_application_insights",
    "azurerm_storage_account",
    "azurerm_key_vault",
    "azurerm_container_registry",
    "azurerm_machine_learning_workspace",
    "azurerm_machine_learning_compute_cluster",
    "azurerm_role_assignment",
    "azurerm_virtual_network",
    "azurerm_subnet",
    "azurerm_private_dns_zone",
    "azurerm_private_dns_zone_virtual_network_link",
    "azurerm_private_endpoint",
    "azurerm_network_security_group",
    "azurerm_subnet_network_security_group_association",
    "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint",
    "azurerm_machine_learning_workspace_network_outbound_rule_fqdn",
    # observability_store=adx: Azure Data Explorer and the Event Grid ingestion from blob storage.
    "azurerm_kusto_cluster",
    "azurerm_kusto_database",
    "azurerm_kusto_script",
    "azurerm_kusto_eventgrid_data_connection",
    "azurerm_kusto_cluster_managed_private_endpoint",
    "azurerm_eventhub_namespace",
    "azurerm_eventhub",
    "azurerm_eventhub_consumer_group",
    "azurerm_eventgrid_system_topic",
    "azurerm_eventgrid_system_topic_event_subscription",
    # Alerts on the online endpoint's requests (alerts.tf).
    "azurerm_monitor_action_group",
    "azurerm_monitor_metric_alert",
    "azurerm_monitor_scheduled_query_rules_alert_v2",
    # The feature store's materialization identity and its offline store container (feature_store=true).
    "azurerm_user_assigned_identity",
    "azurerm_storage_container",
)

# The data sources the templates read (the identity data of the signed-in principal, an existing resource group).
DATA_SOURCES = (
    "azurerm_client_config",
    "azurerm_resource_group",
    "azurerm_subscription",
    "azurerm_role_definition",
    "azurerm_user_assigned_identity",
    "azurerm_subnet",
    "azurerm_private_dns_zone",
)

DOC_LINK = re.compile(
    r"registry\.terraform\.io/providers/hashicorp/azurerm/([\d.]+)/docs/(?:resources|data-sources)/(\w+)(?:#(\w+))?"
)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def block_types(type_ref: dict, prefix: str) -> list[str]:
    """The assembly's own interface types a property refers to (directly, in a list, or in a union)."""
    found = []
    if "fqn" in type_ref and type_ref["fqn"].startswith(prefix):
        found.append(type_ref["fqn"])
    for key in ("union", "collection"):
        if key in type_ref:
            inner = type_ref[key]
            for sub in inner.get("types", []) + ([inner["elementtype"]] if "elementtype" in inner else []):
                found.extend(block_types(sub, prefix))
    return found


def terraform_name(prop: dict) -> str:
    # The property's doc link ends in "#<terraform argument name>"; the camelCase name is a fallback.
    docs = " ".join(str(v) for v in prop.get("docs", {}).values())
    match = DOC_LINK.search(docs)
    return match.group(3) if match and match.group(3) else snake(prop["name"])


def describe(types: dict, fqn: str, prefix: str) -> dict:
    arguments, blocks = {}, {}
    for prop in types[fqn].get("properties", []):
        name = terraform_name(prop)
        required = not prop.get("optional", False)
        nested = [t for t in block_types(prop["type"], prefix) if types[t].get("datatype")]
        if nested:
            blocks[name] = {"required": required, **describe(types, nested[0], prefix)}
        else:
            arguments[name] = {"required": required}
    return {"arguments": dict(sorted(arguments.items())), "blocks": dict(sorted(blocks.items()))}


def attributes(spec: dict) -> list[str]:
    """What `<type>.<name>.<attribute>` may read: the class's instance getters (arguments and computed values)."""
    names = {
        terraform_name(prop)
        for prop in spec.get("properties", [])
        if not prop.get("static") and not prop["name"].endswith("Input")
    }
    return sorted(names)


def extract(jsii_path: Path) -> dict:
    assembly = json.loads(jsii_path.read_text(encoding="utf-8"))
    types, prefix = assembly["types"], assembly["name"] + "."
    resources, data_sources, version = {}, {}, None
    for fqn, spec in types.items():
        match = DOC_LINK.search(str(spec.get("docs", {}).get("summary", "")))
        if spec.get("kind") != "class" or not match or match.group(2) == "":
            continue
        name = "azurerm_" + match.group(2)
        if name in RESOURCE_TYPES and "/docs/resources/" in spec["docs"]["summary"]:
            version = match.group(1)
            resources[name] = {**describe(types, fqn + "Config", prefix), "attributes": attributes(spec)}
        elif name in DATA_SOURCES and "/docs/data-sources/" in spec["docs"]["summary"]:
            data_sources[name] = {**describe(types, fqn + "Config", prefix), "attributes": attributes(spec)}
    missing = sorted(set(RESOURCE_TYPES) - set(resources)) + sorted(set(DATA_SOURCES) - set(data_sources))
    if missing:
        raise SystemExit(f"not in the assembly: {missing}")
    provider_config = next(f for f in types if f.endswith(".provider.AzurermProviderConfig"))
    return {
        "source": f"{assembly['name']} {assembly['version']}",
        "provider_version": version,
        "provider": describe(types, provider_config, prefix),
        "resources": dict(sorted(resources.items())),
        "data_sources": dict(sorted(data_sources.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsii", type=Path, help="the .jsii file of @cdktn/provider-azurerm or @cdktf/provider-azurerm")
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    schema = extract(args.jsii)
    args.output.write_text(json.dumps(schema, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    counts = f"{len(schema['resources'])} resource types, {len(schema['data_sources'])} data sources"
    print(f"{counts} from {schema['source']} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
