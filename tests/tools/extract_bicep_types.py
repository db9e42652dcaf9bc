"""Extract the Bicep type definitions of the resource types our Bicep uses, from Azure/bicep-types-az.

No Bicep compiler can be installed offline, so nothing here tells us that a property name is misspelled or
read-only. Azure/bicep-types-az publishes what the compiler itself checks against:
`generated/<provider>/<namespace>/<api-version>/types.json`, one list of types per API version whose format
is Azure/bicep-types `src/bicep-types/src/types.ts`. This script keeps only the resource types and API
versions the template's Bicep declares (found by baking the template in every variant that changes the
Bicep), plus EXTRA_TYPES, and only the part of each type tree a property check needs (names, flags, types,
enum values; no descriptions), so the committed JSON stays small.

Refresh after changing an API version or using a new resource type:

    git clone --depth 1 https://github.com/Azure/bicep-types-az /tmp/bicep-types-az
    python tests/tools/extract_bicep_types.py /tmp/bicep-types-az tests/data/bicep_types.json

(a bare clone or mirror works too: files are read with `git show HEAD:<path>`).

Output: {"source", "commit", "resources": {"Type@version": type index}, "types": [...]} where each type is
the source's own entry with `$ref`s renumbered to indexes of "types" and descriptions dropped.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

# Bakes that together declare every resource type the Bicep can contain: private networking on and off,
# a GPU cluster (cv) and none (tabular).
BAKES = [
    {"infrastructure": "bicep", "secure_workspace": secure, "ml_scenario": scenario}
    for secure in (False, True)
    for scenario in ("tabular", "cv", "nlp")
]
# observability_store=adx adds Azure Data Explorer, Event Hubs and Event Grid (managed private endpoints if secure).
BAKES += [
    {"infrastructure": "bicep", "secure_workspace": secure, "observability_store": "adx"} for secure in (False, True)
]
BAKES += [{"infrastructure": "bicep", "secure_workspace": True, "ml_scenario": "tabular", "feature_store": True}]
# Types the Bicep does not declare but the Terraform's azapi resources use, and types infrastructure changes
# are likely to add; cheap to carry.
EXTRA_TYPES = (
    "Microsoft.MachineLearningServices/workspaces@2025-06-01",
    "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31",
    "Microsoft.Resources/resourceGroups@2024-03-01",
    "Microsoft.Authorization/roleAssignments@2022-04-01",
    # No longer declared by the Bicep (the hub network moved to ci/bootstrap.py) but in the extract before, and
    # in defects the tests plant (tests/test_contract_ci_auth.py): kept so a refresh removes nothing.
    "Microsoft.Network/networkSecurityGroups@2024-05-01",
    "Microsoft.Network/privateDnsZones@2024-06-01",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01",
)
RESOURCE_LINE = re.compile(r"^\s*resource\s+\w+\s+'([\w./-]+@[\w-]+)'", re.MULTILINE)


def used_types() -> set[str]:
    from mlops_template.baking import bake

    found = set(EXTRA_TYPES)
    with tempfile.TemporaryDirectory() as scratch:
        for number, answers in enumerate(BAKES):
            project = bake(answers, Path(scratch) / f"bake{number}", Path(scratch) / f"config{number}")
            for path in (project / "infrastructure" / "bicep").rglob("*.bicep"):
                found.update(RESOURCE_LINE.findall(path.read_text(encoding="utf-8")))
    return found


class Source:
    """A checkout or a bare clone of Azure/bicep-types-az."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bare = not (path / "generated").is_dir()

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, text=True, check=True).stdout

    def commit(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def files(self) -> list[str]:
        if self.bare:
            return self.git("ls-tree", "-r", "--name-only", "HEAD", "generated").split()
        return [p.relative_to(self.path).as_posix() for p in (self.path / "generated").rglob("types.json")]

    def read(self, relative: str) -> list:
        text = self.git("show", f"HEAD:{relative}") if self.bare else (self.path / relative).read_text("utf-8")
        return json.loads(text)


def types_files(files: list[str], type_and_version: str) -> list[str]:
    # One namespace and version can be split over several provider folders (resources_7, resources_9, ...).
    resource_type, version = type_and_version.split("@")
    namespace = resource_type.split("/")[0].lower()
    return [f for f in files if f.lower().endswith(f"/{namespace}/{version}/types.json")]


class Pruner:
    """Copies the types reachable from chosen resources into one list, renumbering references."""

    def __init__(self) -> None:
        self.types: list[dict] = []
        self.seen: dict[tuple[str, int], int] = {}

    def copy(self, file: str, source: list, index: int) -> int:
        key = (file, index)
        if key in self.seen:
            return self.seen[key]
        self.seen[key] = len(self.types)
        self.types.append({})
        self.types[self.seen[key]] = self._strip(file, source, source[index])
        return self.seen[key]

    def _ref(self, file: str, source: list, ref: dict) -> int:
        return self.copy(file, source, int(ref["$ref"].removeprefix("#/")))

    def _properties(self, file: str, source: list, properties: dict) -> dict:
        return {
            name: {"type": self._ref(file, source, spec["type"]), "flags": spec.get("flags", 0)}
            for name, spec in properties.items()
        }

    def _strip(self, file: str, source: list, entry: dict) -> dict:
        kind = entry["$type"]
        out: dict = {"$type": kind}
        if kind == "ObjectType":
            out["name"] = entry.get("name", "")
            out["properties"] = self._properties(file, source, entry.get("properties", {}))
            if "additionalProperties" in entry:
                out["additionalProperties"] = self._ref(file, source, entry["additionalProperties"])
        elif kind == "DiscriminatedObjectType":
            out["name"] = entry.get("name", "")
            out["discriminator"] = entry["discriminator"]
            out["baseProperties"] = self._properties(file, source, entry.get("baseProperties", {}))
            out["elements"] = {k: self._ref(file, source, ref) for k, ref in entry["elements"].items()}
        elif kind == "ArrayType":
            out["itemType"] = self._ref(file, source, entry["itemType"])
        elif kind == "UnionType":
            out["elements"] = [self._ref(file, source, ref) for ref in entry["elements"]]
        elif kind == "StringLiteralType":
            out["value"] = entry["value"]
        elif kind == "ResourceType":
            out["name"] = entry["name"]
            out["body"] = self._ref(file, source, entry["body"])
        return out


def extract(source: Source, wanted: set[str]) -> dict:
    files = source.files()
    pruner, resources = Pruner(), {}
    for type_and_version in sorted(wanted):
        for file in types_files(files, type_and_version):
            content = source.read(file)
            matches = [
                i for i, t in enumerate(content)
                if t["$type"] == "ResourceType" and t["name"].lower() == type_and_version.lower()
            ]  # fmt: skip
            if matches:
                resources[type_and_version] = pruner.types[pruner.copy(file, content, matches[0])]["body"]
                break
        else:
            raise SystemExit(f"{type_and_version}: no such resource type in Azure/bicep-types-az")
    return {
        "source": "https://github.com/Azure/bicep-types-az generated/<provider>/<namespace>/<api-version>/types.json",
        "commit": source.commit(),
        "flags": "Azure/bicep-types src/bicep-types/src/types.ts: Required=1 ReadOnly=2 WriteOnly=4 "
        "DeployTimeConstant=8 Identifier=16",
        "resources": resources,
        "types": pruner.types,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bicep_types_az", type=Path, help="checkout or bare clone of Azure/bicep-types-az")
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    data = extract(Source(args.bicep_types_az), used_types())
    args.output.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(data['resources'])} resource types, {len(data['types'])} types -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
