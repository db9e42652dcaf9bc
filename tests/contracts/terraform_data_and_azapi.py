"""Terraform beyond resource arguments: data sources, references, and the azapi body of the Azure ML registry.

`terraform validate` needs the providers, which cannot be downloaded here. The resource-argument check
(tests/test_infrastructure_terraform.py) covers azurerm resources; this contract covers what it does not:

- `data "azurerm_..."` blocks: the type exists and its arguments are the data source's own, required ones
  set (tests/data/azurerm_schema.json "data_sources", from the CDK for Terraform azurerm bindings, which
  are generated from the provider's schema: tests/tools/extract_azurerm_schema.py);
- references `azurerm_x.name.attr` and `data.azurerm_x.name.attr`: the block is declared and the type has
  that attribute (the same bindings' getters, which are the provider's arguments and computed attributes);
- `azapi_resource` of type Microsoft.MachineLearningServices/registries@<version>: azapi sends `body` to
  Azure Resource Manager unchecked, so its properties are read against the Azure ML REST API specification
  (Azure/azure-rest-api-specs registries.json, RegistryTrackedResource: tests/data/azureml_registry_spec.json,
  made by tests/tools/extract_azureml_registry_spec.py, commit recorded there).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path, PurePosixPath

from lark.exceptions import LarkError
from tools.iac_model import META_ARGUMENTS, PARSER_KEYS, azurerm_schema, parse_hcl, schema_errors, single

from contracts import Contract
from contracts.bicep_resources import arm_body_problems

SPEC = Path(__file__).resolve().parents[1] / "data" / "azureml_registry_spec.json"
REGISTRY_TYPE = "Microsoft.MachineLearningServices/registries"
# `x.name.attr` and `data.x.name.attr`, with an optional index (`[0]`, `[each.key]`) after the name.
REFERENCE = re.compile(r"(?<![\w.])(data\.)?(azurerm_\w+)\.(\w+)(?:\[[^\]]*\])?\.(\w+)")
COMMENT = re.compile(r"(^|\s)(#|//).*$")


@cache
def registry_spec() -> dict:
    return json.loads(SPEC.read_text(encoding="utf-8"))


def _is_expression(value) -> bool:
    return isinstance(value, str) and "${" in value


def body_errors(where: str, value, node: dict) -> list[str]:
    """Problems of one azapi body value against a node of the extracted REST specification."""
    if "unresolved" in node or "recursive" in node or value is None or _is_expression(value):
        return []
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        if not isinstance(value, dict):
            return [f"{where}: expects an object"]
        errors = []
        properties, extra = node.get("properties", {}), node.get("additionalProperties")
        open_object = bool(node.get("inherits_unresolved")) or (extra is not None and extra is not False)
        for key, item in value.items():
            if key in PARSER_KEYS:
                continue
            if key in properties:
                if properties[key].get("readOnly"):
                    errors.append(f"{where}.{key}: read-only in the REST API")
                else:
                    errors.extend(body_errors(f"{where}.{key}", item, properties[key]))
            elif isinstance(extra, dict):
                errors.extend(body_errors(f"{where}.{key}", item, extra))
            elif not open_object:
                errors.append(f"{where}: unknown property {key!r}")
        for name in node.get("required", []):
            if name not in value:
                errors.append(f"{where}: required property {name!r} is missing")
        return errors
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expects an array"]
        return [e for index, item in enumerate(value) for e in body_errors(f"{where}[{index}]", item, node["items"])]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: expects a string"]
        if node.get("closed") and value not in node["enum"]:
            return [f"{where}: {value!r} is not one of {node['enum']}"]
    if kind == "boolean" and not isinstance(value, bool):
        return [f"{where}: expects true or false"]
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return [f"{where}: expects an integer"]
    return []


def _blocks(tree: dict, kind: str):
    for entry in tree.get(kind, []):
        for block_type, by_name in entry.items():
            for name, body in by_name.items():
                yield block_type, name, body


def check_terraform(root: Path, files: list[str]) -> list[str]:
    schema = azurerm_schema()
    problems = []
    by_directory: dict[PurePosixPath, list[str]] = defaultdict(list)
    for relative in files:
        by_directory[PurePosixPath(relative).parent].append(relative)
    for relatives in by_directory.values():
        declared: dict[tuple[str, str], str] = {}  # (kind, type.name) -> file, for references
        texts = {}
        for relative in relatives:
            texts[relative] = (root / relative).read_text(encoding="utf-8")
            try:
                tree = parse_hcl(root / relative)
            except LarkError as error:
                problems.append(f"{relative}:1: does not parse: {str(error).splitlines()[0]}")
                continue
            for data_type, name, body in _blocks(tree, "data"):
                declared[("data", f"{data_type}.{name}")] = relative
                line = body.get("__start_line__", 1)
                if not data_type.startswith("azurerm_"):
                    continue
                if data_type not in schema.get("data_sources", {}):
                    problems.append(
                        f"{relative}:{line}: data source {data_type} is not in tests/data/azurerm_schema.json "
                        "(no such data source, or add it to DATA_SOURCES of tests/tools/extract_azurerm_schema.py)"
                    )
                    continue
                where = f"data.{data_type}.{name}"
                spec = schema["data_sources"][data_type]
                problems.extend(f"{relative}:{line}: {e}" for e in schema_errors(where, body, spec, META_ARGUMENTS))
            for resource_type, name, body in _blocks(tree, "resource"):
                declared[("resource", f"{resource_type}.{name}")] = relative
                if resource_type in ("azapi_resource", "azapi_update_resource"):
                    problems.extend(azapi_errors(relative, resource_type, name, body))
        for relative, text in texts.items():
            problems.extend(reference_errors(relative, text, declared, schema))
    return problems


def azapi_errors(relative: str, kind: str, name: str, body: dict) -> list[str]:
    line = body.get("__start_line__", 1)
    type_and_version = single(body.get("type", [""]))
    where = f"{kind}.{name}"
    if _is_expression(type_and_version):
        return [f"{relative}:{line}: {where}: type is computed, so it cannot be checked offline"]
    resource_type, _, version = str(type_and_version).partition("@")
    value = single(body.get("body", [{}]))
    if kind == "azapi_resource" and resource_type == REGISTRY_TYPE:
        spec = registry_spec()
        if version not in spec["versions"]:
            known = sorted(spec["versions"])
            return [
                f"{relative}:{line}: {where}: {type_and_version} is not in tests/data/azureml_registry_spec.json"
                f" (known: {known}; re-run tests/tools/extract_azureml_registry_spec.py)"
            ]
        return [f"{relative}:{line}: {e}" for e in body_errors(f"{where}.body", value, spec["versions"][version])]
    # Any other type: the Bicep types of Azure/bicep-types-az, generated from the same REST specifications.
    problems = arm_body_problems(f"{where}.body", value if isinstance(value, dict) else {}, type_and_version)
    if problems is None:
        return [
            f"{relative}:{line}: {where}: no extracted definition of {type_and_version} (add it to EXTRA_TYPES of "
            "tests/tools/extract_bicep_types.py, or extract its REST specification)"
        ]
    return [f"{relative}:{line}: {problem}" for problem in problems]


def reference_errors(relative: str, text: str, declared: dict, schema: dict) -> list[str]:
    errors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = COMMENT.sub("", raw) if "#" in raw or "//" in raw else raw
        for is_data, block_type, name, attribute in REFERENCE.findall(line):
            kind = "data" if is_data else "resource"
            label = f"{'data.' if is_data else ''}{block_type}.{name}"
            if (kind, f"{block_type}.{name}") not in declared:
                errors.append(f"{relative}:{number}: {label} is not declared in this module")
                continue
            known = schema["data_sources" if is_data else "resources"].get(block_type)
            if known is not None and attribute not in known.get("attributes", ()):
                errors.append(f"{relative}:{number}: {label} has no attribute {attribute!r}")
    return errors


_VALID_MAIN = """data "azurerm_client_config" "current" {}

data "azurerm_resource_group" "main" {
  name = "rg-example"
}

resource "azapi_resource" "ml_registry" {
  type      = "Microsoft.MachineLearningServices/registries@2024-10-01"
  name      = "mlr-example"
  parent_id = data.azurerm_resource_group.main.id
  location  = data.azurerm_resource_group.main.location

  body = {
    properties = {
      publicNetworkAccess = "Disabled"
      regionDetails = [
        {
          location    = data.azurerm_resource_group.main.location
          acrDetails  = [{ systemCreatedAcrAccount = { acrAccountSku = "Premium" } }]
          storageAccountDetails = [
            { systemCreatedStorageAccount = { storageAccountType = "Standard_LRS", allowBlobPublicAccess = false } }
          ]
        }
      ]
    }
  }
}

output "tenant" {
  value = data.azurerm_client_config.current.tenant_id
}
"""
# One defect of each class: an argument the data source does not take, a required one missing, an
# attribute it does not have, an undeclared block, a misspelled body property, a wrong value type, and an
# API version the specification has no extract for.
_BROKEN_MAIN = """data "azurerm_client_config" "current" {
  subscription = "x"
}

data "azurerm_resource_group" "main" {}

resource "azapi_resource" "ml_registry" {
  type      = "Microsoft.MachineLearningServices/registries@2024-10-01"
  name      = "mlr-example"
  parent_id = data.azurerm_resource_group.main.id

  body = {
    properties = {
      publicNetworkAccess = "Disabled"
      regionDetail        = []
      regionDetails = [
        { storageAccountDetails = [{ systemCreatedStorageAccount = { allowBlobPublicAccess = "no" } }] }
      ]
    }
  }
}

resource "azapi_resource" "other" {
  type      = "Microsoft.MachineLearningServices/registries@2019-01-01"
  name      = "mlr-other"
  parent_id = azurerm_resource_group.missing.id
  body      = { sku = { name = "Basic" } }
}

output "tenant" {
  value = data.azurerm_client_config.current.tenant_guid
}
"""

CONTRACTS = (
    Contract(
        name="Terraform data sources, references and the azapi registry body",
        patterns=("*.tf",),
        check=check_terraform,
        source="@cdktn/provider-azurerm jsii (azurerm 4.x data sources, attributes); "
        "Azure/azure-rest-api-specs registries.json (commit in tests/data/azureml_registry_spec.json)",
        broken={"infrastructure/terraform/main.tf": _BROKEN_MAIN},
        valid={"infrastructure/terraform/main.tf": _VALID_MAIN},
    ),
)
