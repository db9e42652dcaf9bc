"""Bicep: every resource type and API version exists, and every property we set exists there and is writable.

The Bicep compiler cannot be installed offline. It checks a template against the type definitions that
Azure/bicep-types-az generates from the REST API specifications; tests/data/bicep_types.json is the part of
them for the types we declare (tests/tools/extract_bicep_types.py, repository commit recorded in the file).
Property flags follow Azure/bicep-types src/bicep-types/src/types.ts: Required=1, ReadOnly=2, WriteOnly=4,
DeployTimeConstant=8, Identifier=16. pycep-parser (the parser checkov uses) gives the syntax tree; it does
not tell a string literal from a symbol name, so a value is read as a literal only when no parameter,
variable, resource, module or loop variable of the file has that name.

`.bicepparam` files: the `using` file exists, each `param` is declared there with the same type, and every
parameter without a default is set. `module` blocks likewise pass only declared parameters, each required one.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from lark.exceptions import LarkError
from tools.iac_model import parse_bicep, unwrap

from contracts import Contract

DATA = Path(__file__).resolve().parents[1] / "data" / "bicep_types.json"
REQUIRED, READ_ONLY = 1, 2
# Keywords of a Bicep resource body that are not properties of the ARM resource.
LANGUAGE_KEYS = {"parent", "scope", "dependsOn"}
# Keys pycep uses for expressions (as opposed to object literals).
EXPRESSION_KEYS = {"function", "operator", "loop_type", "interpolation"}
PARAM_TYPES = {"string", "int", "bool", "array", "object"}
LOOP_VARIABLES = re.compile(r"\[\s*for\s+\(?\s*(\w+)(?:\s*,\s*(\w+))?")


@cache
def bicep_types() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def is_expression(value) -> bool:
    return isinstance(value, dict) and bool(set(value) & EXPRESSION_KEYS) and len(value) <= 4


def key_name(key: str) -> str:
    return key[1:-1] if key[:1] == "'" and key[-1:] == "'" else key


class FileCheck:
    """The problems of one .bicep file, with line numbers found in its text."""

    def __init__(self, relative: str, text: str, tree: dict) -> None:
        self.relative, self.lines, self.problems = relative, text.splitlines(), []
        self.symbols = set()
        for section in ("parameters", "variables", "resources", "modules", "outputs"):
            self.symbols.update(tree.get(section) or {})
        # Loop variables: `[for item in ...]` and `[for (item, index) in ...]`.
        for pair in LOOP_VARIABLES.findall(text):
            self.symbols.update(name for name in pair if name)
        self.types = bicep_types()["types"]

    def line_of(self, pattern: str, start: int = 0) -> int:
        regex = re.compile(pattern)
        for number in range(start, len(self.lines)):
            if regex.search(self.lines[number]):
                return number + 1
        return start + 1

    def report(self, line: int, message: str) -> None:
        self.problems.append(f"{self.relative}:{line}: {message}")

    def literal(self, value) -> bool:
        if isinstance(value, str):
            return "${" not in value and value not in self.symbols
        return isinstance(value, (bool, int, float))

    # A value against a type ---------------------------------------------------------------------------

    def value(self, where: str, value, index: int, line: int) -> None:
        if value is None:
            return
        if isinstance(value, dict) and "loop_type" in value:
            # `[for x in xs: {...}]`: an array whose items are the loop body.
            if self.types[index]["$type"] == "ArrayType":
                self.value(f"{where}[]", unwrap(value), self.types[index]["itemType"], line)
            return
        if is_expression(value):
            operator = value.get("operator")
            if isinstance(operator, dict) and operator.get("type") == "conditional":
                operands = operator.get("operands", {})
                self.value(where, operands.get("true_value"), index, line)
                self.value(where, operands.get("false_value"), index, line)
            return
        spec = self.types[index]
        kind = spec["$type"]
        if kind in ("ObjectType", "DiscriminatedObjectType"):
            if isinstance(value, dict):
                self.object(where, value, spec, line)
            elif isinstance(value, list) or self.literal(value):
                self.report(line, f"{where}: expects an object")
        elif kind == "ArrayType":
            if isinstance(value, list):
                for item in value:
                    self.value(f"{where}[]", item, spec["itemType"], line)
            elif isinstance(value, dict) or self.literal(value):
                self.report(line, f"{where}: expects an array")
        elif kind in ("UnionType", "StringLiteralType"):
            allowed = self.enum(index)
            if allowed is not None and isinstance(value, str) and self.literal(value) and value not in allowed:
                self.report(line, f"{where}: {value!r} is not one of {sorted(allowed)}")
        elif kind == "StringType" and (isinstance(value, (bool, int, list)) or is_literal_object(value)):
            self.report(line, f"{where}: expects a string")
        elif kind == "BooleanType" and not isinstance(value, bool) and self.literal(value):
            self.report(line, f"{where}: expects true or false")
        elif kind == "IntegerType" and self.literal(value) and (isinstance(value, bool) or not isinstance(value, int)):
            self.report(line, f"{where}: expects an integer")

    def enum(self, index: int) -> set[str] | None:
        """The allowed strings when a type is a closed set of string literals, else None."""
        spec = self.types[index]
        if spec["$type"] == "StringLiteralType":
            return {spec["value"]}
        if spec["$type"] != "UnionType":
            return None
        values = set()
        for element in spec["elements"]:
            inner = self.types[element]
            if inner["$type"] == "StringLiteralType":
                values.add(inner["value"])
            elif inner["$type"] != "NullType":
                return None  # open: a plain string, or not a string at all
        return values

    def object(
        self, where: str, value: dict, spec: dict, line: int, skip: frozenset = frozenset(), complete: bool = True
    ) -> None:
        properties = dict(spec.get("properties", {}))
        if spec["$type"] == "DiscriminatedObjectType":
            properties.update(spec["baseProperties"])
            # A discriminator with a dot is written quoted ('odata.type': ...): compare key names, not raw keys.
            chosen = next((item for key, item in value.items() if key_name(key) == spec["discriminator"]), None)
            if isinstance(chosen, str) and chosen in spec["elements"]:
                properties.update(self.types[spec["elements"][chosen]]["properties"])
            elif isinstance(chosen, str) and self.literal(chosen):
                allowed = sorted(spec["elements"])
                self.report(line, f"{where}.{spec['discriminator']}: {chosen!r} is not one of {allowed}")
                return
            else:  # an expression: any variant's properties may be meant
                for element in spec["elements"].values():
                    properties.update(self.types[element]["properties"])
        additional = spec.get("additionalProperties")
        for raw_key, item in value.items():
            key = key_name(raw_key)
            if key in skip:
                continue
            here = self.line_of(rf"^\s*'?{re.escape(key)}'?\s*:", line - 1)
            if key in properties:
                flags = properties[key]["flags"]
                if flags & READ_ONLY and not flags & REQUIRED:
                    self.report(here, f"{where}.{key}: read-only, Azure ignores or rejects it")
                else:
                    self.value(f"{where}.{key}", item, properties[key]["type"], here)
            elif additional is not None:
                self.value(f"{where}.{key}", item, additional, here)
            else:
                self.report(here, f"{where}: unknown property {key!r}")
        for name, prop in properties.items() if complete else ():
            if prop["flags"] & REQUIRED and name not in {key_name(k) for k in value}:
                self.report(line, f"{where}: required property {name!r} is not set")

    # Declarations ------------------------------------------------------------------------------------

    def resource(self, symbol: str, spec: dict) -> None:
        line = self.line_of(rf"^\s*resource\s+{re.escape(symbol)}\b")
        type_and_version = f"{spec['type']}@{spec['api_version']}"
        known = {k.lower(): v for k, v in bicep_types()["resources"].items()}
        if type_and_version.lower() not in known:
            self.report(
                line,
                f"{symbol}: {type_and_version} is not in tests/data/bicep_types.json (no such type or API version in "
                "Azure/bicep-types-az, or re-run tests/tools/extract_bicep_types.py)",
            )
            return
        body = unwrap(spec["config"])
        if not isinstance(body, dict):
            return
        definition = self.types[known[type_and_version.lower()]]
        # An existing resource only names what it refers to: nothing else is required.
        complete = not spec.get("existing")
        self.object(symbol, body, definition, line, skip=frozenset(LANGUAGE_KEYS), complete=complete)

    def module(self, root: Path, directory: Path, symbol: str, spec: dict) -> None:
        line = self.line_of(rf"^\s*module\s+{re.escape(symbol)}\b")
        path = (spec.get("detail") or {}).get("path", "")
        if spec.get("type") != "local":
            return  # registry and template-spec modules cannot be read offline
        target = directory / path
        if not target.is_file():
            self.report(line, f"{symbol}: module file {path!r} does not exist")
            return
        declared = declared_parameters(target)
        if declared is None:
            self.report(line, f"{symbol}: {path} does not parse")
            return
        params = (unwrap(spec.get("config")) or {}).get("params") or {}
        if is_expression(params):
            return
        for raw_key in params:
            key = key_name(raw_key)
            if key not in declared:
                here = self.line_of(rf"^\s*{re.escape(key)}\s*:", line - 1)
                self.report(here, f"{symbol}: {path} has no param {key!r}")
        passed = {key_name(k) for k in params}
        for name in sorted(set(declared) - passed):
            if has_default(target, name):
                continue
            self.report(line, f"{symbol}: required param {name!r} of {path} is not passed")


def arm_body_problems(where: str, body: dict, type_and_version: str) -> list[str] | None:
    """Problems of a resource body given as plain data (an azapi `body`), or None if the type is not extracted.

    Top-level required properties are not asked for: azapi takes name and location as its own arguments, and
    azapi_update_resource sends only what changes."""
    known = {k.lower(): v for k, v in bicep_types()["resources"].items()}
    if type_and_version.lower() not in known:
        return None
    check = FileCheck("", "", {})
    check.object(where, body, check.types[known[type_and_version.lower()]], 1, complete=False)
    return [problem.split(": ", 1)[1] for problem in check.problems]


def is_literal_object(value) -> bool:
    return isinstance(value, dict) and not is_expression(value)


@cache
def _declared(path: Path, text: str) -> dict | None:
    try:
        return parse_bicep(path).get("parameters") or {}
    except LarkError:
        return None


def declared_parameters(path: Path) -> dict | None:
    return _declared(path, path.read_text(encoding="utf-8"))


def has_default(path: Path, name: str) -> bool:
    # pycep stores a default of null and no default alike; the text tells them apart.
    pattern = rf"^\s*param\s+{re.escape(name)}\s+[^=\n]+=\s*\S"
    return re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE) is not None


def check_bicep(root: Path, files: list[str]) -> list[str]:
    problems = []
    for relative in files:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        try:
            tree = parse_bicep(path)
        except LarkError as error:
            problems.append(f"{relative}:1: does not parse: {str(error).splitlines()[0]}")
            continue
        file_check = FileCheck(relative, text, tree)
        for symbol, spec in (tree.get("resources") or {}).items():
            file_check.resource(symbol, spec)
        for symbol, spec in (tree.get("modules") or {}).items():
            file_check.module(root, path.parent, symbol, spec)
        problems.extend(file_check.problems)
    return problems


# .bicepparam ---------------------------------------------------------------------------------------

USING = re.compile(r"^\s*using\s+'([^']+)'", re.MULTILINE)
PARAM = re.compile(r"^\s*param\s+(\w+)\s*=\s*(.*)$")


def literal_type(value: str) -> str | None:
    """The Bicep type of a literal at the start of a `param x = ...` value; None for an expression."""
    value = value.strip()
    if value.startswith("'"):
        return None if re.match(r"'[^']*'\s*[?.\[]", value) else "string"
    if re.fullmatch(r"-?\d+", value):
        return "int"
    if value in ("true", "false"):
        return "bool"
    if value.startswith("["):
        return "array"
    if value.startswith("{"):
        return "object"
    return None


def check_bicepparam(root: Path, files: list[str]) -> list[str]:
    problems = []
    for relative in files:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        using = USING.search(text)
        if not using:
            problems.append(f"{relative}:1: no `using '<file>.bicep'` line")
            continue
        using_line = text[: using.start()].count("\n") + 1
        target = (path.parent / using.group(1)).resolve()
        if not target.is_file():
            problems.append(f"{relative}:{using_line}: using {using.group(1)!r}: no such file")
            continue
        declared = declared_parameters(target)
        if declared is None:
            problems.append(f"{relative}:{using_line}: {using.group(1)} does not parse")
            continue
        seen = set()
        for number, line in enumerate(text.splitlines(), start=1):
            match = PARAM.match(line)
            if not match:
                continue
            name, value = match.groups()
            seen.add(name)
            if name not in declared:
                problems.append(f"{relative}:{number}: {using.group(1)} declares no param {name!r}")
                continue
            expected, found = declared[name].get("type"), literal_type(value)
            if expected in PARAM_TYPES and found is not None and found != expected:
                message = f"param {name!r} is {expected} in {using.group(1)}, set to {found}"
                problems.append(f"{relative}:{number}: {message}")
        for name in sorted(set(declared) - seen):
            if not has_default(target, name):
                problems.append(f"{relative}:{using_line}: required param {name!r} of {using.group(1)} is not set")
    return problems


# Examples ------------------------------------------------------------------------------------------

_STORAGE_VALID = """param location string = 'westeurope'

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: 'stexample'
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
    }
  }
}

module child 'child.bicep' = {
  name: 'child'
  params: {
    location: location
  }
}
"""
_CHILD = """param location string
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: 'kv-example'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
  }
}
"""
_PARAMS_VALID = """using '../main.bicep'

param location = 'northeurope'
"""
# Each line is one defect class: unknown type version, misspelled and read-only properties, a closed enum
# given a value outside it, a missing required property, a wrong discriminator, an unknown module param.
_BROKEN = """param location string = 'westeurope'

resource old 'Microsoft.Storage/storageAccounts@2099-01-01' = {
  name: 'stold'
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: 'stexample'
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeysAccess: false
    primaryEndpoints: {}
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: 'kv-example'
  location: location
  properties: {
    tenantId: subscription().tenantId
  }
}

resource vaultWithBadSku 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: 'kv-example2'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'basic'
    }
  }
}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' existing = {
  name: 'mlw-example'
}

resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-10-01' = {
  parent: workspace
  name: 'cpu-cluster'
  location: location
  properties: {
    computeType: 'AmlComputer'
  }
}

module child 'child.bicep' = {
  name: 'child'
  params: {
    region: location
  }
}
"""
_PARAMS_BROKEN = """using '../main.bicep'

param location = 3
param region = 'westeurope'
"""

CONTRACTS = (
    Contract(
        name="Bicep resource types and properties",
        patterns=("*.bicep",),
        check=check_bicep,
        source="Azure/bicep-types-az generated types.json (commit in tests/data/bicep_types.json)",
        broken={"infrastructure/bicep/main.bicep": _BROKEN, "infrastructure/bicep/child.bicep": _CHILD},
        valid={"infrastructure/bicep/main.bicep": _STORAGE_VALID, "infrastructure/bicep/child.bicep": _CHILD},
    ),
    Contract(
        name="Bicep parameter files",
        patterns=("*.bicepparam",),
        check=check_bicepparam,
        context=("*.bicep",),
        source="Bicep language: a .bicepparam file sets parameters its `using` file declares",
        broken={"infra/main.bicep": _CHILD, "infra/environments/dev.bicepparam": _PARAMS_BROKEN},
        valid={"infra/main.bicep": _CHILD, "infra/environments/dev.bicepparam": _PARAMS_VALID},
    ),
)
