"""Extract the Registry definition tree of the Azure ML REST API specification, for the azapi registry body.

The Azure ML registry is created with `azapi_resource` (azurerm has no resource for it). azapi sends `body`
to Azure Resource Manager as is, so no Terraform schema checks it: a misspelled property is found only on
a subscription. The REST API specification (Azure/azure-rest-api-specs) defines what the PUT accepts:
`specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/<version>/
registries.json`, definition `RegistryTrackedResource`. This script resolves that tree ($ref, allOf,
required, readOnly, enum) into tests/data/azureml_registry_spec.json.

The repository is over 1 GB; a sparse checkout of the two folders is enough:

    git clone --depth 1 --filter=blob:none --sparse https://github.com/Azure/azure-rest-api-specs /tmp/specs
    git -C /tmp/specs sparse-checkout set specification/machinelearningservices specification/common-types
    python tests/tools/extract_azureml_registry_spec.py /tmp/specs 2024-10-01 tests/data/azureml_registry_spec.json \
        --commit "$(git -C /tmp/specs rev-parse HEAD)"

A `$ref` into a file the checkout lacks is kept as {"unresolved": "<file>#<definition>"} (checked as "any
value"), so a partial checkout gives a partial but honest extract.

Output: {"source", "commit", "versions": {version: node}} where a node is {"type", "required": [...],
"properties": {name: node}, "readOnly", "enum", "items", "additionalProperties"} (only the keys that apply).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SPEC_DIR = "specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable"
ROOT_DEFINITION = "RegistryTrackedResource"
# What azapi_resource takes as its own arguments (name, location, tags, identity) is not part of `body`.
BODY_PROPERTIES = ("properties", "sku", "kind")


class Resolver:
    def __init__(self, checkout: Path) -> None:
        self.checkout = checkout
        self.files: dict[Path, dict] = {}

    def load(self, path: Path) -> dict | None:
        path = path.resolve()
        if path not in self.files:
            self.files[path] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        return self.files[path]

    def follow(self, ref: str, base: Path) -> tuple[dict | None, Path, str]:
        file_part, _, pointer = ref.partition("#")
        path = (base.parent / file_part).resolve() if file_part else base
        document = self.load(path)
        name = pointer.rsplit("/", 1)[-1]
        if document is None:
            return None, path, name
        return document["definitions"][name], path, name

    def node(self, schema: dict, base: Path, stack: tuple[str, ...] = ()) -> dict:
        if "$ref" in schema:
            target, path, name = self.follow(schema["$ref"], base)
            key = f"{path}#{name}"
            if target is None:
                return {"unresolved": f"{path.relative_to(self.checkout.resolve())}#{name}"}
            if key in stack:
                return {"type": "object", "recursive": name}
            merged = self.node(target, path, (*stack, key))
            if schema.get("readOnly"):
                merged["readOnly"] = True
            return merged
        out: dict = {}
        properties: dict = {}
        required: list[str] = list(schema.get("required", []))
        unresolved = []
        for parent in schema.get("allOf", []):
            inherited = self.node(parent, base, stack)
            if "unresolved" in inherited:
                unresolved.append(inherited["unresolved"])
            properties.update(inherited.get("properties", {}))
            required.extend(inherited.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            properties[name] = self.node(sub, base, stack)
            if sub.get("readOnly"):
                properties[name]["readOnly"] = True
        kind = schema.get("type") or ("object" if properties or schema.get("allOf") else None)
        if kind:
            out["type"] = kind
        if properties:
            out["properties"] = properties
        if required:
            out["required"] = sorted(set(required))
        if unresolved:
            out["inherits_unresolved"] = unresolved
        if "enum" in schema:
            out["enum"] = schema["enum"]
            # modelAsString: the service accepts other strings too (an "extensible" enum).
            out["closed"] = not schema.get("x-ms-enum", {}).get("modelAsString", False)
        if "items" in schema:
            out["items"] = self.node(schema["items"], base, stack)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            out["additionalProperties"] = self.node(extra, base, stack)
        elif extra is False:
            out["additionalProperties"] = False
        return out


def extract(checkout: Path, versions: list[str], commit: str, note: str = "") -> dict:
    resolver, trees = Resolver(checkout), {}
    for version in versions:
        path = checkout / SPEC_DIR / version / "registries.json"
        root = resolver.node({"$ref": f"#/definitions/{ROOT_DEFINITION}"}, path)
        body = {name: spec for name, spec in root["properties"].items() if name in BODY_PROPERTIES}
        required = [name for name in root.get("required", []) if name in BODY_PROPERTIES]
        trees[version] = {"type": "object", "properties": body, "required": required, "additionalProperties": False}
    return {
        "source": f"https://github.com/Azure/azure-rest-api-specs {SPEC_DIR}/<version>/registries.json "
        f"#/definitions/{ROOT_DEFINITION} (body properties only)",
        "commit": commit,
        "resource_type": "Microsoft.MachineLearningServices/registries",
        "versions": trees,
        **({"note": note} if note else {}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="(sparse) checkout of Azure/azure-rest-api-specs")
    parser.add_argument("versions", help="comma-separated API versions, e.g. 2024-10-01")
    parser.add_argument("output", type=Path)
    parser.add_argument("--commit", required=True, help="the checkout's commit (git rev-parse HEAD)")
    parser.add_argument("--note", default="", help="how the checkout was obtained, if not a plain clone")
    args = parser.parse_args(argv)
    data = extract(args.checkout, args.versions.split(","), args.commit, args.note)
    args.output.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{', '.join(data['versions'])} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
