"""Read baked Terraform and Bicep into plain Python data for the infrastructure tests.

Terraform is parsed with python-hcl2 and checked against the azurerm argument schema extracted by
`extract_azurerm_schema.py` (terraform validate cannot run offline). Bicep is parsed with pycep-parser,
the parser checkov uses, so a file these helpers can read is a file checkov does not silently skip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import hcl2
from pycep import BicepParser

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "azurerm_schema.json"

# Arguments and blocks Terraform itself accepts in every resource block.
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle"}
PARSER_KEYS = {"__start_line__", "__end_line__"}


@cache
def azurerm_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def parse_hcl(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)


def single(value):
    """python-hcl2 wraps every attribute value in a one-element list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


@dataclass(frozen=True)
class TfResource:
    file: str
    type: str
    name: str
    body: dict


def tf_resources(directory: Path) -> list[TfResource]:
    found = []
    for path in sorted(directory.glob("*.tf")):
        for entry in parse_hcl(path).get("resource", []):
            for rtype, by_name in entry.items():
                for name, body in by_name.items():
                    found.append(TfResource(path.name, rtype, name, body))
    return found


def tf_blocks(directory: Path, kind: str) -> dict[str, dict]:
    """Top-level blocks of one kind (variable, provider, output) by label, across all .tf files."""
    blocks = {}
    for path in sorted(directory.glob("*.tf")):
        for entry in parse_hcl(path).get(kind, []):
            blocks.update(entry)
    return blocks


def tf_locals(directory: Path) -> dict:
    values = {}
    for path in sorted(directory.glob("*.tf")):
        for entry in parse_hcl(path).get("locals", []):
            values.update({k: single(v) for k, v in entry.items() if k not in PARSER_KEYS})
    return values


def schema_errors(where: str, body: dict, schema: dict, meta: set[str] = frozenset()) -> list[str]:
    """Unknown arguments or blocks and missing required ones, recursively (dynamic blocks are not used)."""
    errors = []
    arguments, blocks = schema["arguments"], schema["blocks"]
    for key, value in body.items():
        if key in PARSER_KEYS or key in meta:
            continue
        if key in blocks:
            for index, block in enumerate(value if isinstance(value, list) else [value]):
                if not isinstance(block, dict):
                    errors.append(f"{where}.{key}: is an argument here, but the schema has a block")
                    continue
                errors.extend(schema_errors(f"{where}.{key}[{index}]", block, blocks[key]))
        elif key not in arguments:
            errors.append(f"{where}: unknown argument or block {key!r}")
    for name, spec in {**arguments, **blocks}.items():
        if spec["required"] and name not in body:
            errors.append(f"{where}: required {name!r} is missing")
    return errors


def tf_schema_errors(directory: Path) -> list[str]:
    schema = azurerm_schema()
    errors = []
    for resource in tf_resources(directory):
        where = f"{resource.file}: {resource.type}.{resource.name}"
        if not resource.type.startswith("azurerm_"):
            continue
        if resource.type not in schema["resources"]:
            errors.append(f"{where}: resource type not in tests/data/azurerm_schema.json (re-run the extractor)")
            continue
        errors.extend(schema_errors(where, resource.body, schema["resources"][resource.type], META_ARGUMENTS))
    provider = tf_blocks(directory, "provider").get("azurerm")
    if provider is not None:
        errors.extend(schema_errors("provider.azurerm", provider, schema["provider"], {"alias"}))
    return errors


# Bicep -------------------------------------------------------------------------------------------


@cache
def _parse_bicep_text(text: str) -> dict:
    return BicepParser().parse(text=text)


def parse_bicep(path: Path) -> dict:
    return _parse_bicep_text(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class BicepResource:
    file: str
    symbol: str
    type: str
    api_version: str
    existing: bool
    body: dict  # the resource body, outside any loop or condition


def unwrap(config: dict) -> dict:
    """The body of a resource or module, with `if (...)` and `[for ...]` wrappers removed."""
    while isinstance(config, dict) and "config" in config and ("condition" in config or "loop_type" in config):
        config = config["config"]
    return config


def bicep_resources(directory: Path) -> list[BicepResource]:
    found = []
    for path in sorted(directory.rglob("*.bicep")):
        for symbol, spec in parse_bicep(path).get("resources", {}).items():
            found.append(
                BicepResource(
                    path.relative_to(directory).as_posix(),
                    symbol,
                    spec["type"],
                    spec["api_version"],
                    bool(spec.get("existing")),
                    unwrap(spec["config"]),
                )
            )
    return found


def dig(data, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data
